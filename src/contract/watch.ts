import { watch, type FSWatcher } from 'chokidar';
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** Delay of the trailing notification after the last change of a file. */
const TRAILING_MS = 75;
/** Safety net for appends to events.jsonl (see below). */
const EVENT_LOG_POLL_MS = 500;

/**
 * Watches the contract folder and calls `onChange` with the path of every file that was
 * written (atomic renames included). Temp files of the atomic writer are ignored.
 *
 * chokidar reports at most one change per file within a short window and can drop the last
 * write of a burst (media_detected → analyzing → copying within milliseconds), so each path
 * also gets one trailing call after it has been quiet for a moment. Readers skip unchanged
 * content, so the extra call costs one read.
 *
 * Appends to events.jsonl are content changes of one file, which chokidar can miss entirely
 * while it is still setting up the watch of a newly created file; a cheap stat every 500 ms
 * catches those, so no event waits longer than that.
 */
export function watchContract(root: string, onChange: (path: string) => void): FSWatcher {
  const trailing = new Map<string, NodeJS.Timeout>();
  const notify = (path: string) => {
    onChange(path);
    clearTimeout(trailing.get(path));
    const timer = setTimeout(() => {
      trailing.delete(path);
      onChange(path);
    }, TRAILING_MS);
    timer.unref();
    trailing.set(path, timer);
  };
  const watcher = watch(root, {
    ignoreInitial: true,
    ignored: (path) => basename(path).startsWith('.'),
    depth: 3,
  });
  watcher.on('add', notify).on('change', notify);
  const eventLog = join(root, 'events.jsonl');
  const signature = (info: { ino: number; size: number; mtimeMs: number } | undefined) =>
    info ? `${info.ino}:${info.size}:${info.mtimeMs}` : 'missing';
  let seen = signature(statSync(eventLog, { throwIfNoEntry: false }));
  const poll = setInterval(() => {
    stat(eventLog).then(
      (info) => {
        const now = signature(info);
        if (now !== seen) onChange(eventLog);
        seen = now;
      },
      () => {
        seen = 'missing';
      },
    );
  }, EVENT_LOG_POLL_MS);
  poll.unref();
  const close = watcher.close.bind(watcher);
  // No trailing call may reach a watcher's owner after it closed the watcher.
  watcher.close = () => {
    clearInterval(poll);
    for (const timer of trailing.values()) clearTimeout(timer);
    trailing.clear();
    return close();
  };
  return watcher;
}
