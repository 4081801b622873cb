import { type KeyObject, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { keyPair } from '../support/keys.ts';

/** 2026-01-01T00:00:00Z, epoch seconds. */
export const NOW = 1_767_225_600;

/**
 * A fresh temporary folder and its removal. Call `cleanup` from `afterEach`/`afterAll`, so a
 * failed assertion does not leave folders behind.
 */
export function tempDirs(prefix = 'zta-unit-'): { make: () => string; cleanup: () => void } {
  const made: string[] = [];
  return {
    make: () => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    cleanup: () => {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestKey {
  readonly privateKey: KeyObject;
  /** Public JWK with `kid`, `alg` and `use`. */
  readonly publicJwk: JWK;
}

/** A P-256 key pair generated at test time. */
export function es256Key(kid: string): TestKey {
  const { privateKey, publicKey } = keyPair({ type: 'ec', namedCurve: 'P-256' });
  return {
    privateKey,
    publicJwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg: 'ES256', use: 'sig' },
  };
}

/** A JWKS document holding the public halves of `keys`. */
export const jwksOf = (...keys: TestKey[]): { keys: JWK[] } => ({ keys: keys.map((k) => k.publicJwk) });

/** The `kid`s of a key set, in order. */
export const kidsOf = (keySet: { keys: readonly { kid: string | undefined }[] }): (string | undefined)[] =>
  keySet.keys.map((k) => k.kid);

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact ES256 JWS over `claims`, signed with `key` (IEEE P1363 signature, as JWS wants). */
export function signEs256(
  claims: Record<string, unknown>,
  key: TestKey,
  header: Record<string, unknown> = {},
): string {
  const input = `${b64url({ alg: 'ES256', typ: 'JWT', kid: key.publicJwk.kid, ...header })}.${b64url(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}
