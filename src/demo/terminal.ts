import type { DriveState, Progress } from '../contract/index.js';
import { formatBytes, formatDuration } from '../util/format.js';

const BAR_WIDTH = 28;

/** Pure: one line of the demo's progress display. */
export function progressLine(driveId: string, progress: Progress): string {
  const filled = Math.round((progress.percent / 100) * BAR_WIDTH);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
  const speed = `${formatBytes(progress.speed_bytes_per_s)}/s`;
  const eta = progress.eta_seconds === null ? '' : `  ETA ${formatDuration(progress.eta_seconds)}`;
  const bad = progress.bad_sectors > 0 ? `  bad sectors ${progress.bad_sectors}` : '';
  return `  ${driveId}  ${progress.phase ?? ''}  [${bar}] ${progress.percent.toFixed(1).padStart(5)} %  ${speed}${eta}${bad}`;
}

/** Pure: one line for a state transition. */
export function transitionLine(driveId: string, to: DriveState, message: string, at = new Date()): string {
  return `[${at.toTimeString().slice(0, 8)}] ${driveId}  ${to.padEnd(20)} ${message}`;
}

/** Redraws a single progress line in place on a TTY; prints plain lines elsewhere. */
export class TerminalView {
  #barShown = false;
  #lastPlainBar = 0;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  line(text: string): void {
    this.#clearBar();
    this.out.write(`${text}\n`);
  }

  bar(text: string): void {
    if (!this.out.isTTY) {
      // Not a terminal (CI, a pipe): a plain line every few seconds instead of redrawing.
      if (Date.now() - this.#lastPlainBar >= 3000) {
        this.#lastPlainBar = Date.now();
        this.out.write(`${text}\n`);
      }
      return;
    }
    this.out.write(`\r\x1b[2K${text}`);
    this.#barShown = true;
  }

  #clearBar(): void {
    if (this.#barShown) this.out.write('\r\x1b[2K');
    this.#barShown = false;
  }
}
