import { vi } from 'vitest';
import { main } from '../../bin/cli/main.ts';
import type { CliResult } from './harness.ts';

/**
 * Runs `main()` in this process with `env` applied on top of the test's environment (`undefined`
 * unsets a variable), capturing what it writes to stdout and stderr. Much faster than a spawn,
 * for cases where the process boundary is not what is being tested (`runCli` is for those).
 */
export async function runMain(
  args: string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const capture = (sink: (text: string) => void) => (chunk: string | Uint8Array) => {
    sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture((t) => (stdout += t)));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture((t) => (stderr += t)));
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    vi.unstubAllEnvs();
  }
}
