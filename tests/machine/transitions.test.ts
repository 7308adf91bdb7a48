import { describe, expect, it } from 'vitest';
import { DRIVE_STATES } from '../../src/contract/index.js';
import { defaultMessage, nextStateOnPoll, pollIntervalFor } from '../../src/machine/index.js';

describe('nextStateOnPoll', () => {
  it('sends every state to waiting_for_drive when the drive is gone', () => {
    for (const state of DRIVE_STATES) {
      expect(nextStateOnPoll(state, 'absent')).toBe(state === 'waiting_for_drive' ? null : 'waiting_for_drive');
    }
  });

  it('detects media only with a disc that is ready', () => {
    expect(nextStateOnPoll('waiting_for_media', 'disc_ok')).toBe('media_detected');
    for (const s of ['no_disc', 'tray_open', 'not_ready'] as const) expect(nextStateOnPoll('waiting_for_media', s)).toBeNull();
  });

  it('leaves waiting_for_removal only when the disc has left (never on a disc still in)', () => {
    expect(nextStateOnPoll('waiting_for_removal', 'disc_ok')).toBeNull();
    expect(nextStateOnPoll('waiting_for_removal', 'not_ready')).toBeNull();
    expect(nextStateOnPoll('waiting_for_removal', 'tray_open')).toBe('idle');
    expect(nextStateOnPoll('waiting_for_removal', 'no_disc')).toBe('idle');
  });

  it('uses the configured interval of each waiting state and has a message for every state', () => {
    const intervals = { drive: 20_000, media: 2000, removal: 5000 };
    expect(pollIntervalFor('waiting_for_drive', intervals)).toBe(20_000);
    expect(pollIntervalFor('waiting_for_media', intervals)).toBe(2000);
    expect(pollIntervalFor('waiting_for_removal', intervals)).toBe(5000);
    for (const state of DRIVE_STATES) expect(defaultMessage(state).text.length).toBeGreaterThan(0);
  });
});
