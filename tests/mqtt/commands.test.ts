import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/mqtt/index.js';

const drives = new Set(['sr0']);
const parse = (name: string, payload: string, retained = false, drive = 'sr0') => parseCommand({ drive, name }, Buffer.from(payload), retained, drives);

describe('parseCommand', () => {
  it('maps button presses and the auto-copy switch to control commands', () => {
    expect(parse('eject', 'PRESS')).toEqual({ ok: true, drive: 'sr0', command: { action: 'eject' } });
    expect(parse('cancel', 'PRESS')).toEqual({ ok: true, drive: 'sr0', command: { action: 'cancel' } });
    expect(parse('start', ' press\n')).toEqual({ ok: true, drive: 'sr0', command: { action: 'start' } });
    expect(parse('close_tray', 'PRESS')).toEqual({ ok: true, drive: 'sr0', command: { action: 'close_tray' } });
    expect(parse('auto_copy', 'ON')).toEqual({ ok: true, drive: 'sr0', command: { action: 'set_auto_copy', enabled: true } });
    expect(parse('auto_copy', 'off')).toEqual({ ok: true, drive: 'sr0', command: { action: 'set_auto_copy', enabled: false } });
  });

  it('maps a select option to the setting command; an option that is not offered is refused', () => {
    expect(parse('duplicate_policy', 'skip')).toEqual({ ok: true, drive: 'sr0', command: { action: 'set_duplicate_policy', policy: 'skip' } });
    expect(parse('checksum', 'both')).toEqual({ ok: true, drive: 'sr0', command: { action: 'set_checksum', checksum: 'both' } });
    expect(parse('checksum', 'crc32')).toMatchObject({ ok: false, reason: 'bad_payload', detail: '"crc32" is not an option of checksum' });
    expect(parse('duplicate_policy', 'skip', true)).toMatchObject({ ok: false, reason: 'retained' });
  });

  it('never acts on a retained message (a stale PRESS replayed after a reconnect)', () => {
    expect(parse('eject', 'PRESS', true)).toMatchObject({ ok: false, reason: 'retained' });
  });

  it('rejects malformed payloads, unknown commands and unknown drives with a reason', () => {
    expect(parse('eject', 'ON')).toMatchObject({ ok: false, reason: 'bad_payload' });
    expect(parse('auto_copy', 'PRESS')).toMatchObject({ ok: false, reason: 'bad_payload' });
    expect(parse('auto_copy', '{"enabled":true}')).toMatchObject({ ok: false, reason: 'bad_payload' });
    expect(parse('eject', 'P'.repeat(1000))).toMatchObject({ ok: false, reason: 'bad_payload' });
    expect(parse('format_disk', 'PRESS')).toMatchObject({ ok: false, reason: 'unknown_command' });
    expect(parse('eject', 'PRESS', false, 'sr9')).toMatchObject({ ok: false, reason: 'unknown_drive' });
    expect(parse('eject', '')).toMatchObject({ ok: false, reason: 'empty' });
  });
});
