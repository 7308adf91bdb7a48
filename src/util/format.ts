const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** 1288490188 → { value: 1.2, unit: 'GiB' }: the one scaling of byte counts (logs, the web UI, the browser). */
export function scaleBytes(bytes: number): { value: number; unit: (typeof UNITS)[number]; scaled: boolean } {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return { value, unit: UNITS[unit] ?? 'B', scaled: unit > 0 };
}

/** 1288490188 → "1.2 GiB" */
export function formatBytes(bytes: number): string {
  const { value, unit, scaled } = scaleBytes(bytes);
  return `${value.toFixed(scaled ? 1 : 0)} ${unit}`;
}

/** 3725 → "1:02:05", 65 → "1:05" */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(sec).padStart(2, '0')}`;
}
