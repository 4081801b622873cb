/**
 * Waits until `condition()` holds, polling every 10 ms, for something asynchronous the test
 * cannot be told about (a request reaching a server). The deadline is generous on purpose: it
 * only bounds a failing test, and a loaded 2-core machine must never make a passing one fail.
 */
export async function eventually(condition: () => boolean, what: string, deadlineMs = 30_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
