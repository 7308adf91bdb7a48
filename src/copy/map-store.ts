import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../contract/index.js';
import { outputOp } from './errors.js';
import { formatMapfile, parseMapfile, type Mapfile } from './mapfile.js';

/** Reads and parses a mapfile; null when missing or not a valid mapfile. */
export async function loadMapfile(path: string): Promise<Mapfile | null> {
  try {
    return parseMapfile(await readFile(path, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Saves the mapfile atomically, at most once per `minIntervalMs` while copying (`touch`) and
 * whenever asked (`flush`, at phase ends). Background saves report failures to `onError`.
 * `makeDurable` runs before every save: the image's data is flushed to disk before a mapfile that
 * calls it copied is, so a power cut or a killed VM can never leave a map that claims bytes the
 * `.part` lost (a resume would then keep zeros as if they had been read).
 */
export class MapSaver {
  #inFlight: Promise<void> | null = null;
  #lastSave = 0;
  #closed = false;
  readonly #started = new Date();

  constructor(
    readonly path: string,
    private readonly snapshot: () => Mapfile,
    private readonly onError: (error: unknown) => void,
    private readonly commandLine: string,
    private readonly makeDurable: () => Promise<void> = async () => {},
    private readonly minIntervalMs = 1000,
  ) {}

  /** Something changed: save in the background if the last save is old enough. */
  touch(): void {
    if (this.#closed || this.#inFlight || Date.now() - this.#lastSave < this.minIntervalMs) return;
    this.#inFlight = this.#save()
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        this.#inFlight = null;
      });
  }

  /**
   * Saves now in the background, unless a save is running (at a phase end that need not wait
   * for it: flushing the image's data to disk then overlaps the next phase's reads).
   */
  saveSoon(): void {
    this.#lastSave = 0;
    this.touch();
  }

  /** Saves now (after any save in flight) and rethrows a failure. */
  async flush(): Promise<void> {
    if (this.#closed) return;
    await this.#inFlight;
    await this.#save();
  }

  /** No more saves; resolves when a save in flight (which may recreate the file) has ended. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#inFlight;
  }

  async #save(): Promise<void> {
    this.#lastSave = Date.now();
    const info = { commandLine: this.commandLine, started: this.#started, now: new Date() };
    // The snapshot is taken before the flush: it claims no more than what the flush makes durable.
    const text = formatMapfile(this.snapshot(), info);
    await this.makeDurable();
    await outputOp('write', this.path, () => writeFileAtomic(this.path, text));
  }
}
