import koffi from 'koffi';
import { expect, it } from 'vitest';
import { alignedBuffer, alignedOffset } from '../../src/drive/aligned.js';

it('alignedBuffer gives buffers of the asked size whose address is page-aligned', () => {
  for (const size of [2048, 65536, 1024 * 1024 + 2048]) {
    const buffer = alignedBuffer(size);
    expect(buffer.length).toBe(size);
    expect(koffi.address(buffer) % 4096n).toBe(0n);
  }
});

it('alignedOffset finds the aligned start inside shared memory (what a worker thread reads into)', () => {
  const memory = new SharedArrayBuffer(8192 + 512);
  const view = Buffer.from(memory);
  const offset = alignedOffset(view, 512);
  expect(offset).toBeGreaterThanOrEqual(0);
  expect(offset).toBeLessThan(512);
  expect((koffi.address(view) + BigInt(offset)) % 512n).toBe(0n);
});
