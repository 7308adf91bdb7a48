import koffi from 'koffi';

/** Page alignment: what O_DIRECT needs, and what keeps a direct_io FUSE read in whole requests. */
const PAGE_ALIGNMENT = 4096;

/**
 * `size` bytes of `memory` (a new buffer of `size + alignment` bytes) whose address is a multiple
 * of `alignment`: the offset into `memory` where they start.
 */
export function alignedOffset(memory: Buffer, alignment = PAGE_ALIGNMENT): number {
  const misalignment = Number(koffi.address(memory) % BigInt(alignment));
  return misalignment === 0 ? 0 : alignment - misalignment;
}

/** A buffer of `size` bytes whose address is a multiple of `alignment`. */
export function alignedBuffer(size: number, alignment = PAGE_ALIGNMENT): Buffer {
  const memory = Buffer.allocUnsafeSlow(size + alignment);
  const offset = alignedOffset(memory, alignment);
  return memory.subarray(offset, offset + size);
}
