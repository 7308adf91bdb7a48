import type { ChecksumState } from '../archive-verify.js';

/**
 * The catalog key of a checksum state and its parameters: the archive page's chip and the
 * browser's live updates of it (src/web/browser bundles this file: type imports only).
 */
export function checksumWords(state: ChecksumState): [key: `ck_${ChecksumState['status']}`, params?: { p: number }] {
  return state.status === 'verifying' ? ['ck_verifying', { p: Math.floor(state.percent) }] : [`ck_${state.status}`];
}
