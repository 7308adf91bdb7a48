import { watch, type FSWatcher } from 'chokidar';
import { basename } from 'node:path';

/**
 * Watches the contract folder and calls `onChange` with the path of every file that was
 * written (atomic renames included). Temp files of the atomic writer are ignored.
 */
export function watchContract(root: string, onChange: (path: string) => void): FSWatcher {
  const watcher = watch(root, {
    ignoreInitial: true,
    ignored: (path) => basename(path).startsWith('.'),
    depth: 3,
  });
  watcher.on('add', onChange).on('change', onChange);
  return watcher;
}
