import { createHash, type KeyObject, verify } from 'node:crypto';
import { DescribeKeyCommand, GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { derToJose } from './ecdsa-der.ts';
import { publicJwkFromSpki, signingInput } from './jwk.ts';
import type { JwtClaims, TokenSigner } from './types.ts';

export interface KmsTokenSignerOptions {
  readonly client: KMSClient;
  /** The alias the rotator moves to the active key: `alias/<name>` or an alias ARN. */
  readonly keyAlias: string;
  /**
   * How long the key behind the alias is reused before asking KMS again. The rotator adds it to
   * a retired key's grace period, because the old key may still sign for this long.
   * @default 60
   */
  readonly aliasCacheSeconds?: number;
  /** Epoch milliseconds. @default Date.now */
  readonly clock?: () => number;
}

/** No key can sign right now (alias missing, key disabled, KMS unreachable, wrong key type). */
export class SigningUnavailableError extends Error {
  override readonly name = 'SigningUnavailableError';
}

interface ResolvedKey {
  readonly keyId: string;
  readonly kid: string;
  readonly publicKey: KeyObject;
  readonly resolvedAt: number;
}

/** KMS answers meaning "the key you cached is no longer usable": look the alias up again. */
const STALE_KEY_ERRORS = new Set(['DisabledException', 'KMSInvalidStateException', 'NotFoundException']);

/**
 * Signs ES256 JWTs with AWS KMS (`Sign`, ECDSA_SHA_256 over a locally computed SHA-256 digest,
 * so the token's size never meets KMS's 4 KB message limit). The alias is resolved to a
 * concrete key id first and the key id is what signs: signing through the alias would race with
 * a rotation and put one key's `kid` on another key's signature. The `kid` is the key's RFC 7638
 * thumbprint, as the rotator publishes it.
 *
 * Every signature is verified locally before it is returned (about 0.1 ms): a token that would
 * fail verification everywhere is an error here, not a support case later.
 */
export class KmsTokenSigner implements TokenSigner {
  private readonly clock: () => number;
  private readonly cacheMs: number;
  private resolved: ResolvedKey | undefined;
  private inFlight: Promise<ResolvedKey> | undefined;
  private readonly publicKeys = new Map<string, { kid: string; publicKey: KeyObject }>();

  constructor(private readonly options: KmsTokenSignerOptions) {
    this.clock = options.clock ?? Date.now;
    this.cacheMs = (options.aliasCacheSeconds ?? 60) * 1000;
  }

  /** The `kid` that signs now (resolving the alias if needed). */
  async activeKid(): Promise<string> {
    return (await this.resolve()).kid;
  }

  async sign(claims: JwtClaims): Promise<string> {
    const cached = this.resolved !== undefined && this.clock() - this.resolved.resolvedAt < this.cacheMs;
    try {
      return await this.signWith(await this.resolve(), claims);
    } catch (error) {
      // A cached key that KMS now refuses was rotated away (or disabled in an emergency):
      // follow the alias once more instead of failing every request until the cache expires.
      if (!cached || !STALE_KEY_ERRORS.has((error as Error).name)) throw unavailable(error);
      this.resolved = undefined;
      try {
        return await this.signWith(await this.resolve(), claims);
      } catch (retryError) {
        throw unavailable(retryError);
      }
    }
  }

  private async signWith(key: ResolvedKey, claims: JwtClaims): Promise<string> {
    const input = signingInput(key.kid, claims);
    const digest = createHash('sha256').update(input).digest();
    const answer = await this.options.client.send(
      new SignCommand({
        KeyId: key.keyId,
        Message: digest,
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    if (!answer.Signature) throw new SigningUnavailableError('KMS Sign returned no signature');
    const signature = derToJose(answer.Signature, 32);
    if (!verify('sha256', Buffer.from(input), { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, signature)) {
      throw new SigningUnavailableError(`KMS signature does not verify with the public key of ${key.kid}`);
    }
    return `${input}.${signature.toString('base64url')}`;
  }

  private resolve(): Promise<ResolvedKey> {
    const current = this.resolved;
    if (current && this.clock() - current.resolvedAt < this.cacheMs) return Promise.resolve(current);
    // Concurrent requests at expiry share one lookup rather than each asking KMS.
    this.inFlight ??= this.lookup().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async lookup(): Promise<ResolvedKey> {
    const { client, keyAlias } = this.options;
    const described = await client.send(new DescribeKeyCommand({ KeyId: keyAlias }));
    const meta = described.KeyMetadata;
    if (!meta?.KeyId) throw new SigningUnavailableError(`${keyAlias} does not name a key`);
    if (meta.KeySpec !== 'ECC_NIST_P256' || meta.KeyUsage !== 'SIGN_VERIFY') {
      throw new SigningUnavailableError(
        `${keyAlias} is a ${meta.KeySpec} ${meta.KeyUsage} key; ES256 needs ECC_NIST_P256 SIGN_VERIFY`,
      );
    }
    if (meta.KeyState !== 'Enabled') throw new SigningUnavailableError(`${keyAlias} key is ${meta.KeyState}`);
    let known = this.publicKeys.get(meta.KeyId);
    if (!known) {
      const answer = await client.send(new GetPublicKeyCommand({ KeyId: meta.KeyId }));
      if (!answer.PublicKey) throw new SigningUnavailableError(`no public key for ${keyAlias}`);
      const { jwk, key } = publicJwkFromSpki(answer.PublicKey);
      known = { kid: jwk.kid, publicKey: key };
      this.publicKeys.set(meta.KeyId, known);
    }
    this.resolved = { keyId: meta.KeyId, ...known, resolvedAt: this.clock() };
    return this.resolved;
  }
}

function unavailable(error: unknown): SigningUnavailableError {
  if (error instanceof SigningUnavailableError) return error;
  const name = (error as Error)?.name ?? 'Error';
  return new SigningUnavailableError(`KMS signing failed: ${name}`, { cause: error });
}
