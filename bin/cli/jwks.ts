import { renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { insecureUrlProblem } from '../../functions/core/config/reader.ts';
import { parseJwks } from '../../functions/core/jwt/key-set.ts';
import { fetchJson } from '../../functions/runtime/http-json.ts';
import { discoverJwksUri } from '../../functions/runtime/oidc-discovery.ts';
import { printJson, UsageError } from './io.ts';
import type { Command } from './main.ts';

const options = {
  issuer: { type: 'string' },
  'jwks-uri': { type: 'string' },
  out: { type: 'string' },
  'timeout-ms': { type: 'string' },
} as const;

export const jwks: Command = {
  summary: "snapshot an issuer's JWKS to a file (jwksFile beside jwksUri / discovery)",
  help: `
Usage: zta jwks fetch (--issuer <url> | --jwks-uri <url>) --out <file> [--timeout-ms <n>]

Fetches an issuer's public keys and writes them as a JWKS file to ship with the deployment:
an issuer entry with both "jwksFile" (this snapshot) and "jwksUri" or "discovery": true serves
the snapshot from cold start, without waiting for the network, until its first fetch succeeds.
  --issuer <url>      find the JWKS through <url>/.well-known/openid-configuration, whose
                      "issuer" must be exactly <url>
  --jwks-uri <url>    fetch this JWKS URL directly
  --out <file>        where to write the JWKS (replaced atomically)
  --timeout-ms <n>    give up after n ms (default 10000)
URLs must be https:// (http:// only for loopback). The document is refused when it holds
private key material or no usable verification key; prints what was written as JSON.`,
  options,
  actions: ['fetch'],

  async run(args) {
    // The one sub-command, `fetch`, was checked by main.ts.
    const { values } = parseArgs({ args: args.slice(1), options, strict: true });
    const issuer = values.issuer;
    const direct = values['jwks-uri'];
    if ((issuer === undefined) === (direct === undefined))
      throw new UsageError(
        issuer === undefined ? 'missing --issuer or --jwks-uri' : 'both --issuer and --jwks-uri given',
        'give exactly one of --issuer <url> and --jwks-uri <url>',
      );
    if (!values.out) throw new UsageError('--out <file> is required', 'name the JWKS file to write');
    const timeoutMs = values['timeout-ms'] === undefined ? 10_000 : Number(values['timeout-ms']);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000)
      throw new UsageError(
        `--timeout-ms expects 100 to 120000, got ${JSON.stringify(values['timeout-ms'])}`,
        'milliseconds, e.g. --timeout-ms 10000',
      );
    for (const [flag, url] of [
      ['--issuer', issuer],
      ['--jwks-uri', direct],
    ] as const) {
      const problem = url === undefined ? undefined : insecureUrlProblem(url);
      if (problem) throw new UsageError(`${flag} ${problem}`, 'give the https:// URL');
    }

    const signal = AbortSignal.timeout(timeoutMs);
    const { jwksUri, value } = await reaching(issuer ?? (direct as string), timeoutMs, async () => {
      const uri = direct ?? (await discoverJwksUri(issuer as string, { signal }));
      return { jwksUri: uri, value: (await fetchJson(uri, { signal })).value };
    });
    const { keySet, problems } = parseJwks(value);
    const fatal = problems.find((p) => p.includes('private') || p.startsWith('not a JWKS'));
    if (fatal) throw new UsageError(`${jwksUri}: ${fatal}`, 'a JWKS to trust holds public keys only');
    if (keySet.keys.length === 0)
      throw new UsageError(`${jwksUri} has no usable verification key`, "check that it is the issuer's JWKS");

    const out = resolve(values.out);
    // Written beside the target and renamed, so a reader never sees half a file.
    const temporary = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
    writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
    renameSync(temporary, out);
    printJson({
      out,
      jwksUri,
      kids: keySet.keys.map((k) => k.kid ?? null),
      ...(problems.length > 0 ? { skipped: problems } : {}),
    });
    return 0;
  },
};

/**
 * Network failures as one line naming the URL: `fetch` reports them as `TypeError: fetch
 * failed` (its cause holds the reason), and a deadline as a `TimeoutError`.
 */
async function reaching<T>(url: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if ((error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError')
      throw new UsageError(
        `no answer from ${url} within ${timeoutMs} ms`,
        'check the URL, or raise --timeout-ms',
      );
    if (error instanceof TypeError && error.message === 'fetch failed') {
      const cause = error.cause as { code?: string; message?: string } | undefined;
      throw new UsageError(
        `cannot reach ${url}: ${cause?.code ?? cause?.message ?? 'fetch failed'}`,
        'check the URL and that it is reachable',
      );
    }
    throw error;
  }
}
