/** A read-only view of one directory tree of a disc (ISO 9660, Joliet or UDF), just enough for identification. */
export interface FsNode {
  readonly name: string;
  readonly isDir: boolean;
  /** Children of a directory (bounded; empty for files and on any error). */
  list(): Promise<FsNode[]>;
  /** The first bytes of a file, at most `maxBytes`; null on error. */
  read(maxBytes: number): Promise<Buffer | null>;
}

export interface FsTree {
  readonly kind: 'iso9660' | 'joliet' | 'udf';
  readonly root: FsNode;
}

/** Most bytes of one directory that are read (a directory claiming gigabytes is truncated). */
export const MAX_DIR_BYTES = 1024 * 1024;
/** Most entries taken from one directory. */
export const MAX_DIR_ENTRIES = 10_000;

/** A name as compared: ISO 9660 version suffix (`;1`) and a trailing dot dropped, upper-cased. */
export function normalizeName(name: string): string {
  return name.replace(/;\d*$/, '').replace(/\.$/, '').toUpperCase();
}

/** Follows `path` (case-insensitive) from the root; null when any part is missing. */
export async function findPath(tree: FsTree, path: readonly string[]): Promise<FsNode | null> {
  let node: FsNode = tree.root;
  for (const part of path) {
    if (!node.isDir) return null;
    const wanted = normalizeName(part);
    const children = await node.list();
    const next = children.find((child) => normalizeName(child.name) === wanted);
    if (next === undefined) return null;
    node = next;
  }
  return node;
}
