import { watch, type FSWatcher } from 'node:fs';

/**
 * Calls `onAppend` on every write to events.jsonl (or its rotation), straight from inotify on the
 * contract folder. chokidar reports at most one change per file per 50 ms, which would add up to
 * 50 ms to a state change in a burst; this adds nothing. Returns null when the folder does not
 * exist yet (the caller tries again later; chokidar and polling cover the gap).
 */
export function watchEventLog(root: string, onAppend: () => void): FSWatcher | null {
  try {
    const watcher = watch(root, { persistent: false }, (_event, filename) => {
      if (filename === null || filename.startsWith('events')) onAppend();
    });
    watcher.on('error', () => watcher.close());
    return watcher;
  } catch {
    return null;
  }
}
