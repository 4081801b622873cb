/**
 * The peer of the cold-start benchmark (bench/cold-start.ts): aws-jwt-verify's `JwtVerifier`
 * with a pre-loaded JWKS (no fetch) verifying one token in a fresh process. Bundled with the
 * suite's own esbuild options, then run by plain `node`. Inputs come from the environment
 * (`BENCH_ISSUER`, `BENCH_AUDIENCE`, `BENCH_JWKS`, `BENCH_TOKEN`); the answer is one line
 * `RESULT <json>` holding only the verified `sub` and `jti`, never token material.
 */
import { JwtVerifier } from 'aws-jwt-verify';

const input = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
};

const verifier = JwtVerifier.create({
  issuer: input('BENCH_ISSUER'),
  audience: input('BENCH_AUDIENCE'),
  // Never fetched: the JWKS is cached below and the token's kid is in it.
  jwksUri: 'https://unused.invalid/jwks',
});
verifier.cacheJwks(JSON.parse(input('BENCH_JWKS')));

verifier.verify(input('BENCH_TOKEN')).then(
  (payload) => {
    process.stdout.write(`RESULT ${JSON.stringify({ sub: payload.sub, jti: payload.jti })}\n`);
  },
  (error: unknown) => {
    // aws-jwt-verify's messages name the failed check, not the token.
    process.stdout.write(`ERROR ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown'}\n`);
    process.exitCode = 1;
  },
);
