import type { CopyPhase } from '../../contract/index.js';
import type { Logger } from '../../log/index.js';
import type { ByteRange } from '../types.js';

/**
 * Progress of a DVD-Video backup or an audio rip: the data copy's sample plus the phase
 * `encoding` (image building, audio encoding) and, for audio, the track being read.
 */
export interface MediaProgressSample {
  phase: CopyPhase;
  bytesDone: number;
  bytesTotal: number;
  badSectors: number;
  badRanges: ByteRange[];
  /** Audio: number of the track being read or encoded. */
  track?: number;
  /** Audio: number of audio tracks on the disc. */
  tracks?: number;
}

/** Calls the listener; a throwing listener is logged and never ends the copy. */
export function progressEmitter(listener: (sample: MediaProgressSample) => void, logger: Logger): (sample: MediaProgressSample) => void {
  return (sample) => {
    try {
      listener({ ...sample, bytesTotal: Math.max(sample.bytesTotal, sample.bytesDone) });
    } catch (error) {
      logger.warn({ err: error }, 'progress listener failed');
    }
  };
}
