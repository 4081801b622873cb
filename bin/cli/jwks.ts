import { renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { insecureUrlProblem } from '../../functions/core/config/reader.ts';
import { parseJwks } from '../../functions/core/jwt/key-set.ts';
import { fetchJson } from '../../functions/runtime/http-json.ts';
import { discoverJwksUri } from '../../functions/runtime/oidc-discovery.ts';
import { printJson, UsageError } from './io.ts';
import type { Command } from './main.ts';

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

  async run(args) {
    const [action, ...rest] = args;
    if (action !== 'fetch')
      throw new UsageError(`expected "zta jwks fetch", got ${JSON.stringify(action ?? '')}`);
    const { values } = parseArgs({
      args: rest,
      options: {
        issuer: { type: 'string' },
        'jwks-uri': { type: 'string' },
        out: { type: 'string' },
        'timeout-ms': { type: 'string' },
      },
      strict: true,
    });
    const issuer = values.issuer;
    const direct = values['jwks-uri'];
    if ((issuer === undefined) === (direct === undefined))
      throw new UsageError('give exactly one of --issuer <url> and --jwks-uri <url>');
    if (!values.out) throw new UsageError('--out <file> is required');
    const timeoutMs = values['timeout-ms'] === undefined ? 10_000 : Number(values['timeout-ms']);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000)
      throw new UsageError(`--timeout-ms expects 100 to 120000, got ${JSON.stringify(values['timeout-ms'])}`);
    for (const [flag, url] of [
      ['--issuer', issuer],
      ['--jwks-uri', direct],
    ] as const) {
      const problem = url === undefined ? undefined : insecureUrlProblem(url);
      if (problem) throw new UsageError(`${flag} ${problem}`);
    }

    const signal = AbortSignal.timeout(timeoutMs);
    const jwksUri = direct ?? (await discoverJwksUri(issuer as string, { signal }));
    const { value } = await fetchJson(jwksUri, { signal });
    const { keySet, problems } = parseJwks(value);
    const fatal = problems.find((p) => p.includes('private') || p.startsWith('not a JWKS'));
    if (fatal) throw new Error(`${jwksUri}: ${fatal}`);
    if (keySet.keys.length === 0) throw new Error(`${jwksUri} has no usable verification key`);

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
