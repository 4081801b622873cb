/**
 * The KMS double's model: keys, aliases and one function per KMS operation, each taking the
 * JSON request body and returning the JSON response or throwing a `KmsError`. Real P-256 key
 * pairs; `Sign` returns DER as KMS does. The wire protocol lives in `kms-double.ts`.
 */
import { createPublicKey, type KeyObject, sign as nodeSign, randomUUID } from 'node:crypto';
import { newP256PrivateKey } from '../../functions/signing/jwk.ts';
import { signDigest } from './p256.ts';

export type Json = Record<string, unknown>;
export type KmsKeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

export interface DoubleKey {
  readonly keyId: string;
  readonly arn: string;
  readonly privateKey: KeyObject;
  readonly d: Buffer;
  readonly spki: Buffer;
  readonly description: string;
  readonly createdAt: number;
  readonly tags: Map<string, string>;
  /** The key policy given at CreateKey, when there was one. */
  readonly policy: string | undefined;
  state: KmsKeyState;
  deletionDate?: number;
}

export interface Alias {
  readonly name: string;
  target: string;
  readonly createdAt: number;
  updatedAt: number;
}

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
const MAX_RAW_MESSAGE = 4096;

/** A KMS error as the wire carries it. */
export class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export interface KmsModel {
  readonly keys: Map<string, DoubleKey>;
  readonly aliases: Map<string, Alias>;
  readonly operations: Record<string, (body: Json) => Json>;
}

/** A fresh, empty KMS; `clock` is epoch milliseconds. */
export function kmsModel(clock: () => number): KmsModel {
  const keys = new Map<string, DoubleKey>();
  const aliases = new Map<string, Alias>();
  const seconds = () => Math.floor(clock() / 1000);

  const find = (id: unknown): DoubleKey => {
    if (typeof id !== 'string' || id === '') throw new KmsError('ValidationException', 'KeyId is required');
    const aliasName = id.startsWith('alias/')
      ? id
      : id.includes(':alias/')
        ? id.slice(id.indexOf('alias/'))
        : '';
    const keyId = aliasName ? aliases.get(aliasName)?.target : id.replace(/^arn:aws:kms:[^:]+:\d+:key\//, '');
    const key = keyId === undefined ? undefined : keys.get(keyId);
    if (!key) throw new KmsError('NotFoundException', `Key '${id}' does not exist`);
    return key;
  };
  const usable = (key: DoubleKey): DoubleKey => {
    if (key.state === 'Disabled') throw new KmsError('DisabledException', `${key.arn} is disabled.`);
    if (key.state === 'PendingDeletion')
      throw new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
    return key;
  };
  const metadata = (key: DoubleKey): Json => ({
    AWSAccountId: ACCOUNT,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: key.createdAt,
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: 'SIGN_VERIFY',
    KeyState: key.state,
    KeyManager: 'CUSTOMER',
    KeySpec: 'ECC_NIST_P256',
    CustomerMasterKeySpec: 'ECC_NIST_P256',
    SigningAlgorithms: ['ECDSA_SHA_256'],
    Origin: 'AWS_KMS',
    MultiRegion: false,
    ...(key.deletionDate === undefined ? {} : { DeletionDate: key.deletionDate }),
  });
  const aliasName = (value: unknown): string => {
    if (
      typeof value !== 'string' ||
      !/^alias\/[a-zA-Z0-9/_-]{1,250}$/.test(value) ||
      value.startsWith('alias/aws/')
    )
      throw new KmsError('ValidationException', `invalid AliasName ${JSON.stringify(value)}`);
    return value;
  };
  const aliasTargetKey = (value: unknown): DoubleKey => {
    if (typeof value === 'string' && value.includes('alias/'))
      throw new KmsError('ValidationException', 'TargetKeyId must be a key id or key ARN');
    const key = find(value);
    if (key.state === 'PendingDeletion')
      throw new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
    return key;
  };
  const page = <T>(items: T[], body: Json, field: string): Json => {
    const start = typeof body.Marker === 'string' ? Number(body.Marker) : 0;
    const limit = typeof body.Limit === 'number' ? body.Limit : 100;
    const slice = items.slice(start, start + limit);
    const truncated = start + limit < items.length;
    return {
      [field]: slice,
      Truncated: truncated,
      ...(truncated ? { NextMarker: String(start + limit) } : {}),
    };
  };

  const operations: Record<string, (body: Json) => Json> = {
    CreateKey(body) {
      if (body.KeySpec !== 'ECC_NIST_P256')
        throw new KmsError(
          'ValidationException',
          `this double creates ECC_NIST_P256 keys only, not ${String(body.KeySpec)}`,
        );
      if (body.KeyUsage !== 'SIGN_VERIFY')
        throw new KmsError('ValidationException', 'KeyUsage must be SIGN_VERIFY for an ECC_NIST_P256 key');
      const privateKey = newP256PrivateKey();
      const publicKey = createPublicKey(privateKey);
      const keyId = randomUUID();
      const tags = new Map<string, string>();
      for (const tag of (body.Tags as { TagKey: string; TagValue: string }[] | undefined) ?? [])
        tags.set(tag.TagKey, tag.TagValue);
      const key: DoubleKey = {
        keyId,
        arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`,
        privateKey,
        d: Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url'),
        spki: publicKey.export({ format: 'der', type: 'spki' }),
        description: typeof body.Description === 'string' ? body.Description : '',
        createdAt: seconds(),
        tags,
        policy: typeof body.Policy === 'string' ? body.Policy : undefined,
        state: 'Enabled',
      };
      keys.set(keyId, key);
      return { KeyMetadata: metadata(key) };
    },
    DescribeKey: (body) => ({ KeyMetadata: metadata(find(body.KeyId)) }),
    GetPublicKey(body) {
      const key = usable(find(body.KeyId));
      return {
        KeyId: key.arn,
        PublicKey: key.spki.toString('base64'),
        KeySpec: 'ECC_NIST_P256',
        CustomerMasterKeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        SigningAlgorithms: ['ECDSA_SHA_256'],
      };
    },
    Sign(body) {
      const key = usable(find(body.KeyId));
      if (body.SigningAlgorithm !== 'ECDSA_SHA_256')
        throw new KmsError(
          'InvalidKeyUsageException',
          `${String(body.SigningAlgorithm)} is not valid for this key`,
        );
      const message = Buffer.from(String(body.Message ?? ''), 'base64');
      const type = body.MessageType ?? 'RAW';
      let der: Buffer;
      if (type === 'RAW') {
        if (message.length === 0 || message.length > MAX_RAW_MESSAGE)
          throw new KmsError('ValidationException', `a RAW message is 1 to ${MAX_RAW_MESSAGE} bytes`);
        der = nodeSign('sha256', message, key.privateKey); // DER by default, as KMS returns
      } else if (type === 'DIGEST') {
        if (message.length !== 32)
          throw new KmsError('ValidationException', 'an ECDSA_SHA_256 digest is 32 bytes');
        der = toDer(signDigest(message, key.d));
      } else throw new KmsError('ValidationException', `unknown MessageType ${String(type)}`);
      return { KeyId: key.arn, Signature: der.toString('base64'), SigningAlgorithm: 'ECDSA_SHA_256' };
    },
    CreateAlias(body) {
      const name = aliasName(body.AliasName);
      if (aliases.has(name))
        throw new KmsError('AlreadyExistsException', `An alias with the name ${name} already exists`);
      const at = seconds();
      aliases.set(name, {
        name,
        target: aliasTargetKey(body.TargetKeyId).keyId,
        createdAt: at,
        updatedAt: at,
      });
      return {};
    },
    UpdateAlias(body) {
      const alias = aliases.get(aliasName(body.AliasName));
      if (!alias) throw new KmsError('NotFoundException', `Alias ${String(body.AliasName)} does not exist`);
      alias.target = aliasTargetKey(body.TargetKeyId).keyId;
      alias.updatedAt = seconds();
      return {};
    },
    ListAliases(body) {
      const only = body.KeyId === undefined ? undefined : find(body.KeyId).keyId;
      const list = [...aliases.values()]
        .filter((a) => only === undefined || a.target === only)
        .map((a) => ({
          AliasName: a.name,
          AliasArn: `arn:aws:kms:${REGION}:${ACCOUNT}:${a.name}`,
          TargetKeyId: a.target,
          CreationDate: a.createdAt,
          LastUpdatedDate: a.updatedAt,
        }));
      return page(list, body, 'Aliases');
    },
    ListKeys: (body) =>
      page(
        [...keys.values()].map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })),
        body,
        'Keys',
      ),
    DisableKey(body) {
      const key = find(body.KeyId);
      if (key.state === 'PendingDeletion')
        throw new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
      key.state = 'Disabled';
      return {};
    },
    ScheduleKeyDeletion(body) {
      const key = find(body.KeyId);
      const days = body.PendingWindowInDays ?? 30;
      if (typeof days !== 'number' || !Number.isInteger(days) || days < 7 || days > 30)
        throw new KmsError('ValidationException', 'PendingWindowInDays must be an integer from 7 to 30');
      if (key.state === 'PendingDeletion')
        throw new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
      key.state = 'PendingDeletion';
      key.deletionDate = seconds() + days * 86_400;
      return {
        KeyId: key.arn,
        DeletionDate: key.deletionDate,
        KeyState: key.state,
        PendingWindowInDays: days,
      };
    },
    TagResource(body) {
      const key = find(body.KeyId);
      for (const tag of (body.Tags as { TagKey: string; TagValue: string }[] | undefined) ?? [])
        key.tags.set(tag.TagKey, tag.TagValue);
      return {};
    },
    ListResourceTags(body) {
      const key = find(body.KeyId);
      const tags = [...key.tags].map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
      return page(tags, body, 'Tags');
    },
  };
  return { keys, aliases, operations };
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` of a 64-byte r‖s, written here independently of the code under test. */
function toDer(rs: Buffer): Buffer {
  const integer = (bytes: Buffer) => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    let v = bytes.subarray(i);
    if ((v[0] as number) >= 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const body = Buffer.concat([integer(rs.subarray(0, 32)), integer(rs.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}
