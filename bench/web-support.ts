import type { Page } from 'playwright-core';

/** Installs an observer that records, for every state shown by the drive card, when it appeared. */
export async function observeStates(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    window.__seen = [];
    const card = document.querySelector('[data-drive]');
    const since = card.querySelector('[data-field="since"]');
    new MutationObserver(() => {
      window.__seen.push({ state: card.getAttribute('data-state'), since: since.getAttribute('datetime'), at: performance.timeOrigin + performance.now() });
    }).observe(card, { attributes: true, attributeFilter: ['data-state'] });
  })()`);
}

export interface Seen {
  state: string;
  since: string;
  at: number;
}

export async function seenStates(page: Page): Promise<Seen[]> {
  return page.evaluate<Seen[]>('window.__seen');
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export function summary(values: readonly number[]): string {
  return `p50 ${percentile(values, 50).toFixed(1)} ms, p95 ${percentile(values, 95).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms (n=${values.length})`;
}
