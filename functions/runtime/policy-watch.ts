import { type FSWatcher, readdirSync, watch } from 'node:fs';
import { join } from 'node:path';
import { fileStamp } from './jwks-file.ts';
import { SCHEMA_FILE } from './policy-dir.ts';

export interface PolicyWatchOptions {
  /** Called (from a timer, never from a promise continuation) once the folder has settled after a change. */
  readonly onChange: () => void;
  /**
   * How often the files' stamps are compared, whatever fs.watch reports.
   * @default 1000
   */
  readonly intervalMs?: number;
  /**
   * Quiet time after the last sign of a change before `onChange`: an editor's save is often
   * several writes (truncate, write, rename), and the set is validated once they are done.
   * @default 150
   */
  readonly debounceMs?: number;
  /**
   * Also listen to fs.watch; off, only the periodic comparison sees changes.
   * @default true
   */
  readonly watch?: boolean;
}

export interface PolicyWatch {
  close(): void;
}

/**
 * Watches what a policy set is made of: the `*.cedar` files directly in `dir` and the schema
 * (scenario files and sub-folders decide nothing). fs.watch alone misses changes on some file
 * systems (network mounts, some containers, editors that replace the folder entry), so a
 * periodic comparison of every file's stamp (mtime, ctime, size, inode) backs it: a change is
 * seen within `intervalMs` even when no watch event comes. A watch event without a stamp change
 * still reaches `onChange` (a rewrite within the same clock tick): the reload compares contents.
 */
export function watchPolicyDir(dir: string, options: PolicyWatchOptions): PolicyWatch {
  const debounceMs = options.debounceMs ?? 150;
  let stamp = policyFolderStamp(dir);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const settle = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      stamp = policyFolderStamp(dir);
      options.onChange();
    }, debounceMs);
    timer.unref();
  };
  let watcher: FSWatcher | undefined;
  if (options.watch !== false) {
    try {
      watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || isPolicyFile(name.toString())) settle();
      });
      // A watcher that fails (the folder removed, too many watches) leaves the periodic check.
      watcher.on('error', () => watcher?.close());
    } catch {
      watcher = undefined;
    }
  }
  const poll = setInterval(() => {
    if (timer === undefined && policyFolderStamp(dir) !== stamp) settle();
  }, options.intervalMs ?? 1000);
  poll.unref();
  return {
    close() {
      closed = true;
      watcher?.close();
      clearInterval(poll);
      if (timer) clearTimeout(timer);
    },
  };
}

function isPolicyFile(name: string): boolean {
  return name === SCHEMA_FILE || name.endsWith('.cedar');
}

/** Names and stamps of the files a set is read from; a missing or unreadable folder is a stamp too. */
export function policyFolderStamp(dir: string): string {
  let names: string[];
  try {
    names = readdirSync(dir).filter(isPolicyFile).sort();
  } catch (error) {
    return `unreadable:${(error as NodeJS.ErrnoException).code ?? 'error'}`;
  }
  return names.map((name) => `${name}=${fileStamp(join(dir, name))}`).join('\n');
}
