import { createPrivateKey, type JsonWebKey, sign as nodeSign, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import type { LocalIssuerConfig } from '../core/config/authorizer-config.ts';
import { type KeySet, parseJwks } from '../core/jwt/key-set.ts';
import type { KeySource } from '../core/keys.ts';
import { newP256PrivateKey, signingInput } from '../signing/jwk.ts';
import type {
  JwksDocument,
  JwtClaims,
  KeyInfo,
  KeyState,
  PublicJwk,
  SigningKeyStore,
  TokenSigner,
} from '../signing/types.ts';
import { withFileLock } from './file-lock.ts';
import { fileStamp } from './jwks-file.ts';

export type { KeyState } from '../signing/types.ts';

export interface StoredKey {
  readonly kid: string;
  readonly state: KeyState;
  readonly createdAt: number;
  readonly activatedAt?: number;
  /** When it stopped signing; it keeps verifying until retiredAt + grace. */
  readonly retiredAt?: number;
  readonly privateJwk: JWK;
}

export interface RotationResult {
  readonly active: StoredKey;
  readonly retired: StoredKey[];
  /** Keys that left the JWKS at once (emergency): their tokens fail from now on. */
  readonly dropped: string[];
}

interface StoreFile {
  readonly version: 1;
  readonly keys: StoredKey[];
}

const CLOCK_TOLERANCE = 30;

/**
 * The local issuer's keys: ES256 key pairs in `<keysDir>/keys.json` (mode 0600, git-ignored
 * under `.zta/`), with the public JWKS mirrored to `<keysDir>/jwks.json`. The same design as the
 * KMS issuer, without AWS: a `next` key may be published ahead of use (`prepareNext`), one key
 * signs (active), keys retired by a rotation keep verifying until every token they signed has
 * expired (the issuer's maximum token lifetime plus clock tolerance), and an emergency rotation
 * drops the old key at once. Locally there is no JWKS cache to wait for, so `rotate` activates
 * at once. The same store is the authorizer's key source for this issuer. Every write is a
 * read-modify-write under keys.json's lock file (as the revocation file), so parallel `zta keys`
 * runs never lose a key one of them reported.
 */
export class LocalKeyStore implements TokenSigner, SigningKeyStore {
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

  /** Keys still in the JWKS (next, active, and retired within grace), with private material. */
  list(): StoredKey[] {
    const now = this.clock();
    return this.read().keys.filter(
      (k) => k.state !== 'retired' || (k.retiredAt ?? 0) + this.graceSeconds >= now,
    );
  }

  /** Keys still in the JWKS, without private material. */
  listKeys(): KeyInfo[] {
    return this.list().map(({ privateJwk: _private, ...info }) => ({
      ...info,
      ...(info.retiredAt === undefined ? {} : { verifiesUntil: info.retiredAt + this.graceSeconds }),
    }));
  }

  /** The signing key now, if there is one (read only). */
  activeKey(): StoredKey | undefined {
    return this.list().find((k) => k.state === 'active');
  }

  /** The signing key, created on first use. */
  async ensureActiveKey(): Promise<StoredKey> {
    return (
      this.activeKey() ?? this.locked(() => this.activeKey() ?? this.rotateNow({ emergency: false }).active)
    );
  }

  /** Publishes a next key (verifying, not yet signing), unless one is published already. */
  prepareNext(): Promise<StoredKey> {
    return this.locked(() => {
      const keys = this.list();
      const existing = keys.find((k) => k.state === 'next');
      if (existing) return existing;
      const next = newKey(this.clock(), 'next');
      this.write({ version: 1, keys: [...keys, next] });
      return next;
    });
  }

  /**
   * Makes the next key (or a new one) active; the previous active key is retired, kept for
   * verification through its grace period.
   *
   * In an emergency every existing key leaves the JWKS at once — the active one, keys retired
   * but still in grace, and a published next key too: they all sit in the same keys.json as the
   * compromised key — and a new key signs. With `kid`, only that key leaves (if it was the active
   * one, the published next key, or a new one, takes over). An unknown `kid` changes nothing.
   */
  rotate(options: { emergency: boolean; kid?: string }): Promise<RotationResult> {
    return this.locked(() => this.rotateNow(options));
  }

  private rotateNow(options: { emergency: boolean; kid?: string }): RotationResult {
    const now = this.clock();
    const listed = this.list();
    if (options.kid !== undefined && !listed.some((k) => k.kid === options.kid)) {
      const known = listed.map((k) => `${k.kid} (${k.state})`).join(', ') || 'none';
      throw new Error(`no key ${JSON.stringify(options.kid)} in ${this.file}; keys: ${known}`);
    }
    const dropped: string[] = [];
    const keys: StoredKey[] = [];
    let active: StoredKey | undefined;
    for (const key of listed) {
      const goes = options.kid === undefined ? options.emergency : key.kid === options.kid;
      if (goes) dropped.push(key.kid);
      else if (options.kid !== undefined) keys.push(key);
      else if (key.state === 'next') active = { ...key, state: 'active', activatedAt: now };
      else if (key.state === 'retired') keys.push(key);
      else keys.push({ ...key, state: 'retired', retiredAt: now });
    }
    if (options.kid !== undefined) {
      // Only the named key left: promote the next key if it was the active one that went.
      const current = keys.find((k) => k.state === 'active');
      const next = keys.find((k) => k.state === 'next');
      if (!current && next) keys.splice(keys.indexOf(next), 1);
      active = current ?? (next ? { ...next, state: 'active', activatedAt: now } : undefined);
    }
    active ??= newKey(now, 'active');
    if (!keys.includes(active)) keys.push(active);
    this.write({ version: 1, keys });
    return { active, retired: keys.filter((k) => k.state === 'retired'), dropped };
  }

  /** Read-modify-write under keys.json's lock, as the revocation file is written. */
  private locked<T>(action: () => T): Promise<T> {
    mkdirSync(this.config.keysDir, { recursive: true, mode: 0o700 });
    return withFileLock(this.file, action);
  }

  /** Public JWKS of every key that may verify now. */
  publicJwks(): JwksDocument {
    return { keys: this.list().map((k) => publicJwk(k)) };
  }

  /** Signs claims with the active key (ES256, header `{ alg, typ: "JWT", kid }`). */
  async sign(claims: JwtClaims): Promise<string> {
    const key = await this.ensureActiveKey();
    const input = signingInput(key.kid, claims);
    const privateKey = createPrivateKey({ key: key.privateJwk as JsonWebKey, format: 'jwk' });
    const signature = nodeSign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${signature.toString('base64url')}`;
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
    // The kids served, not only the file: a key leaving its grace changes the set, not the file.
    const served = () =>
      `${fileStamp(this.file)}|${current()
        .keys.map((k) => k.kid)
        .join(',')}`;
    return { current, refresh: async () => current(), stamp: served };
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

function newKey(now: number, state: 'next' | 'active'): StoredKey {
  const privateKey = newP256PrivateKey();
  const kid = `zta-${new Date(now * 1000).toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  return {
    kid,
    state,
    createdAt: now,
    ...(state === 'active' ? { activatedAt: now } : {}),
    privateJwk: { ...jwk, kid, alg: 'ES256', use: 'sig' },
  };
}

function publicJwk(key: StoredKey): PublicJwk {
  const { x, y } = key.privateJwk;
  return { kty: 'EC', crv: 'P-256', x: x as string, y: y as string, kid: key.kid, alg: 'ES256', use: 'sig' };
}

function atomicWrite(path: string, value: unknown, mode: number): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, { mode });
  chmodSync(temp, mode);
  renameSync(temp, path);
}
