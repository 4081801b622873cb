import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { UsageError } from './io.ts';

/**
 * The events `zta decide` and `zta explain` read: the one `--event <file>`, or JSON Lines on
 * stdin (no `--event`, or `--event -`), blank lines skipped; each handed to `handle` in order.
 * Text that is not JSON is handed over as `undefined`: the core decides DENY malformed_event.
 */
export async function forEachEvent(
  eventFlag: string | undefined,
  handle: (event: unknown) => Promise<void>,
): Promise<void> {
  if (eventFlag !== undefined && eventFlag !== '-') {
    let text: string;
    try {
      text = readFileSync(eventFlag, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(
        `cannot read --event ${eventFlag}: ${code === 'ENOENT' ? 'no such file' : code}`,
        'give an event file, or --event - for JSON Lines on stdin',
      );
    }
    await handle(parseEvent(text));
    return;
  }
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line.trim() !== '') await handle(parseEvent(line));
  }
}

function parseEvent(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
