import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type JWK, SignJWT } from 'jose';
import type { LocalIssuerConfig } from '../core/config/authorizer-config.ts';
import { type KeySet, parseJwks } from '../core/jwt/key-set.ts';
import type { KeySource } from '../core/keys.ts';
import { fileStamp } from './jwks-file.ts';

/** A key's place in the rotation timeline. */
export type KeyState = 'active' | 'retired';

export interface StoredKey {
  readonly kid: string;
  readonly state: KeyState;
  readonly createdAt: number;
  /** When it stopped signing; it keeps verifying until retiredAt + grace. */
  readonly retiredAt?: number;
  readonly privateJwk: JWK;
}

interface StoreFile {
  readonly version: 1;
  readonly keys: StoredKey[];
}

const CLOCK_TOLERANCE = 30;

/**
 * The local issuer's keys: ES256 key pairs in `<keysDir>/keys.json` (mode 0600, git-ignored
 * under `.zta/`), with the public JWKS mirrored to `<keysDir>/jwks.json`. One key signs
 * (active); keys retired by a rotation keep verifying until every token they signed has
 * expired (the issuer's maximum token lifetime plus clock tolerance); an emergency rotation
 * drops the old key at once. The same store is the authorizer's key source for this issuer.
 */
export class LocalKeyStore {
  private readonly file: string;
  readonly jwksPath: string;

  constructor(
    readonly config: LocalIssuerConfig,
    private readonly clock: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.file = join(config.keysDir, 'keys.json');
    this.jwksPath = join(config.keysDir, 'jwks.json');
  }

  /** Seconds a retired key keeps verifying. */
  get graceSeconds(): number {
    return this.config.maxTokenTtlSeconds + CLOCK_TOLERANCE;
  }

  /** Keys still in the JWKS (active and retired within grace). */
  list(): StoredKey[] {
    const now = this.clock();
    return this.read().keys.filter(
      (k) => k.state === 'active' || (k.retiredAt ?? 0) + this.graceSeconds >= now,
    );
  }

  /** The signing key, created on first use. */
  activeKey(): StoredKey {
    const active = this.list().find((k) => k.state === 'active');
    return active ?? this.rotate({ emergency: false }).active;
  }

  /**
   * Makes a new key active. The previous active key is retired (kept for verification through
   * its grace period) or, in an emergency, dropped so its tokens fail at once.
   */
  rotate(options: { emergency: boolean }): { active: StoredKey; retired: StoredKey[]; dropped: string[] } {
    const now = this.clock();
    const kept = this.list();
    const dropped: string[] = [];
    const keys: StoredKey[] = [];
    for (const key of kept) {
      if (key.state !== 'active') keys.push(key);
      else if (options.emergency) dropped.push(key.kid);
      else keys.push({ ...key, state: 'retired', retiredAt: now });
    }
    const active = newKey(now);
    keys.push(active);
    this.write({ version: 1, keys });
    return { active, retired: keys.filter((k) => k.state === 'retired'), dropped };
  }

  /** Public JWKS of every key that may verify now. */
  publicJwks(): { keys: JWK[] } {
    return { keys: this.list().map((k) => publicJwk(k)) };
  }

  /** Signs claims with the active key (ES256, `typ: JWT`). */
  async sign(claims: Record<string, unknown>): Promise<string> {
    const key = this.activeKey();
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
      .sign(key.privateJwk);
  }

  /**
   * The authorizer's view: re-read when keys.json changes, so a rotation or an emergency drop
   * by `zta keys rotate` in another process applies to the next request.
   */
  keySource(): KeySource {
    let stamp = '';
    let keySet: KeySet = { keys: [] };
    let lastPruneCheck = 0;
    const current = (): KeySet => {
      const now = fileStamp(this.file);
      // Retired keys age out of grace without the file changing: re-derive at most once a second.
      const tick = this.clock();
      if (now !== stamp || tick !== lastPruneCheck) {
        keySet = parseJwks(this.publicJwks()).keySet;
        stamp = now;
        lastPruneCheck = tick;
      }
      return keySet;
    };
    return { current, refresh: async () => current() };
  }

  private read(): StoreFile {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, keys: [] };
      throw error;
    }
    const parsed = JSON.parse(text) as StoreFile;
    if (parsed?.version !== 1 || !Array.isArray(parsed.keys))
      throw new Error(`${this.file} is not a key store`);
    return parsed;
  }

  private write(store: StoreFile): void {
    mkdirSync(this.config.keysDir, { recursive: true, mode: 0o700 });
    atomicWrite(this.file, store, 0o600);
    atomicWrite(this.jwksPath, { keys: store.keys.map((k) => publicJwk(k)) }, 0o644);
  }
}

function newKey(now: number): StoredKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = `zta-${new Date(now * 1000).toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  return { kid, state: 'active', createdAt: now, privateJwk: { ...jwk, kid, alg: 'ES256', use: 'sig' } };
}

function publicJwk(key: StoredKey): JWK {
  const { kty, crv, x, y } = key.privateJwk;
  return { kty, crv, x, y, kid: key.kid, alg: 'ES256', use: 'sig' };
}

function atomicWrite(path: string, value: unknown, mode: number): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, { mode });
  chmodSync(temp, mode);
  renameSync(temp, path);
}
