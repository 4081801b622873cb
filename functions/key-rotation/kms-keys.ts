import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  GetPublicKeyCommand,
  type KMSClient,
  ListKeysCommand,
  ListResourceTagsCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import { publicJwkFromSpki } from '../signing/jwk.ts';
import type { PublicJwk } from '../signing/types.ts';

/** Tags on every signing key the rotator creates: how a crashed run finds its key again. */
export const ROTATION_TAG = 'zta:rotation-id';
export const GENERATION_TAG = 'zta:generation';

/** What the executor needs from KMS: small, idempotent operations. */
export interface SigningKeyManager {
  /** The key id the alias points to; undefined when the alias does not exist. */
  aliasTarget(aliasName: string): Promise<string | undefined>;
  /** Creates an ECC_NIST_P256 SIGN_VERIFY key tagged with the rotation id and generation. */
  createKey(rotationId: string, generation: number): Promise<string>;
  /** An enabled key created earlier for this rotation and generation, if any. */
  findKey(rotationId: string, generation: number): Promise<string | undefined>;
  /** The key's public JWK (kid = thumbprint); refuses a key that is not P-256 SIGN_VERIFY. */
  publicJwk(keyId: string): Promise<PublicJwk>;
  /** Points the alias at the key, creating the alias if needed. */
  pointAlias(aliasName: string, keyId: string): Promise<void>;
  /** Disables the key and schedules its deletion; done already is fine. */
  disableAndScheduleDeletion(keyId: string, pendingWindowDays: number): Promise<void>;
}

export interface KmsKeyManagerOptions {
  /** The key policy given to each new key (JSON). @default - KMS's default key policy */
  readonly keyPolicy?: string;
  /** Upper bound on keys scanned when looking for a lost key. @default 1000 */
  readonly maxScannedKeys?: number;
}

/** `SigningKeyManager` over the AWS SDK KMS client. */
export class KmsKeyManager implements SigningKeyManager {
  constructor(
    private readonly client: KMSClient,
    private readonly options: KmsKeyManagerOptions = {},
  ) {}

  async aliasTarget(aliasName: string): Promise<string | undefined> {
    try {
      const answer = await this.client.send(new DescribeKeyCommand({ KeyId: aliasName }));
      return answer.KeyMetadata?.KeyId;
    } catch (error) {
      if ((error as Error).name === 'NotFoundException') return undefined;
      throw error;
    }
  }

  async createKey(rotationId: string, generation: number): Promise<string> {
    const answer = await this.client.send(
      new CreateKeyCommand({
        KeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        // Deterministic, so an operator looking at the console can tell what a key is for.
        Description: `zta token signing key: rotation ${rotationId}, generation ${generation}`,
        Tags: [
          { TagKey: ROTATION_TAG, TagValue: rotationId },
          { TagKey: GENERATION_TAG, TagValue: String(generation) },
        ],
        ...(this.options.keyPolicy === undefined ? {} : { Policy: this.options.keyPolicy }),
      }),
    );
    const keyId = answer.KeyMetadata?.KeyId;
    if (!keyId) throw new Error('KMS CreateKey returned no key id');
    return keyId;
  }

  /**
   * Scans the account's keys for our tags. Only run after a crash between `CreateKey` and the
   * state write (the state's `creating` marker says so), never on the normal path: listing
   * tags key by key is slow in an account with many keys.
   */
  async findKey(rotationId: string, generation: number): Promise<string | undefined> {
    const limit = this.options.maxScannedKeys ?? 1000;
    let marker: string | undefined;
    let scanned = 0;
    do {
      const page = await this.client.send(
        new ListKeysCommand({ Limit: 100, ...(marker ? { Marker: marker } : {}) }),
      );
      for (const key of page.Keys ?? []) {
        if (!key.KeyId || ++scanned > limit) continue;
        if ((await this.tagsOf(key.KeyId)) !== `${rotationId}#${generation}`) continue;
        const described = await this.client.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
        if (described.KeyMetadata?.KeyState === 'Enabled') return key.KeyId;
      }
      marker = page.Truncated ? page.NextMarker : undefined;
    } while (marker && scanned < limit);
    return undefined;
  }

  async publicJwk(keyId: string): Promise<PublicJwk> {
    const answer = await this.client.send(new GetPublicKeyCommand({ KeyId: keyId }));
    if (answer.KeySpec !== 'ECC_NIST_P256' || answer.KeyUsage !== 'SIGN_VERIFY' || !answer.PublicKey) {
      throw new Error(`key ${keyId} is ${answer.KeySpec} ${answer.KeyUsage}, not ECC_NIST_P256 SIGN_VERIFY`);
    }
    return publicJwkFromSpki(answer.PublicKey).jwk;
  }

  async pointAlias(aliasName: string, keyId: string): Promise<void> {
    try {
      await this.client.send(new UpdateAliasCommand({ AliasName: aliasName, TargetKeyId: keyId }));
    } catch (error) {
      if ((error as Error).name !== 'NotFoundException') throw error;
      await this.client.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: keyId }));
    }
  }

  async disableAndScheduleDeletion(keyId: string, pendingWindowDays: number): Promise<void> {
    let state: string | undefined;
    try {
      state = (await this.client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState;
    } catch (error) {
      if ((error as Error).name === 'NotFoundException') return; // deleted already
      throw error;
    }
    if (state === 'PendingDeletion') return;
    // Disabling first: if scheduling fails, the key is at least unusable from now on.
    if (state !== 'Disabled') await this.client.send(new DisableKeyCommand({ KeyId: keyId }));
    await this.client.send(
      new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: pendingWindowDays }),
    );
  }

  /** `rotation#generation` from the key's tags, or '' (also for keys we may not read). */
  private async tagsOf(keyId: string): Promise<string> {
    try {
      const answer = await this.client.send(new ListResourceTagsCommand({ KeyId: keyId, Limit: 50 }));
      const tag = (name: string) => answer.Tags?.find((t) => t.TagKey === name)?.TagValue;
      return `${tag(ROTATION_TAG) ?? ''}#${tag(GENERATION_TAG) ?? ''}`;
    } catch (error) {
      // Other teams' keys may deny us ListResourceTags: they are not ours either way.
      if ((error as Error).name === 'AccessDeniedException') return '';
      throw error;
    }
  }
}
