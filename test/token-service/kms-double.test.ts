import { createHash, createPublicKey, verify } from 'node:crypto';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  GetPublicKeyCommand,
  type KMSClient,
  ListAliasesCommand,
  ListResourceTagsCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KmsDouble, startKmsDouble } from '../support/kms-double.ts';

/** The double must behave like KMS where our code depends on it, through the real SDK client. */
describe('KMS double', () => {
  let kms: KmsDouble;
  let client: KMSClient;
  beforeAll(async () => {
    kms = await startKmsDouble({ clock: () => 1_767_225_600_000 });
    client = kms.client();
  });
  afterAll(() => kms.close());

  const createKey = async () => {
    const created = await client.send(
      new CreateKeyCommand({
        KeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        Tags: [{ TagKey: 'zta:rotation-id', TagValue: 'test' }],
      }),
    );
    return created.KeyMetadata?.KeyId as string;
  };
  const errorOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'no error',
      (e: Error & { $metadata?: { httpStatusCode?: number } }) => `${e.name} ${e.$metadata?.httpStatusCode}`,
    );

  it('signs RAW and DIGEST messages with real P-256 keys, in DER', async () => {
    // Prepare
    const keyId = await createKey();
    const spki = (await client.send(new GetPublicKeyCommand({ KeyId: keyId }))).PublicKey as Uint8Array;
    const publicKey = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    const message = Buffer.from('header.claims');
    const sign = (Message: Uint8Array, MessageType: 'RAW' | 'DIGEST') =>
      client.send(new SignCommand({ KeyId: keyId, Message, MessageType, SigningAlgorithm: 'ECDSA_SHA_256' }));

    // Act
    const raw = await sign(message, 'RAW');
    const digest = await sign(createHash('sha256').update(message).digest(), 'DIGEST');

    // Assess
    for (const answer of [raw, digest]) {
      const der = Buffer.from(answer.Signature as Uint8Array);
      expect(der[0]).toBe(0x30);
      expect(verify('sha256', message, publicKey, der)).toBe(true);
      expect(answer.KeyId).toMatch(/^arn:aws:kms:us-east-1:\d{12}:key\//);
    }
  });

  it('resolves aliases, moves them, lists them and reads tags', async () => {
    // Prepare
    const first = await createKey();
    const second = await createKey();

    // Act
    await client.send(new CreateAliasCommand({ AliasName: 'alias/test-move', TargetKeyId: first }));
    const before = (await client.send(new DescribeKeyCommand({ KeyId: 'alias/test-move' }))).KeyMetadata
      ?.KeyId;
    await client.send(new UpdateAliasCommand({ AliasName: 'alias/test-move', TargetKeyId: second }));
    const after = (await client.send(new DescribeKeyCommand({ KeyId: 'alias/test-move' }))).KeyMetadata
      ?.KeyId;
    const listed = await client.send(new ListAliasesCommand({ KeyId: second }));
    const tags = await client.send(new ListResourceTagsCommand({ KeyId: second }));

    // Assess
    expect([before, after]).toEqual([first, second]);
    expect(listed.Aliases?.map((a) => a.AliasName)).toEqual(['alias/test-move']);
    expect(tags.Tags).toEqual([{ TagKey: 'zta:rotation-id', TagValue: 'test' }]);
  });

  it('walks a key through Enabled → Disabled → PendingDeletion with KMS error shapes', async () => {
    // Prepare
    const keyId = await createKey();
    const sign = () =>
      client.send(
        new SignCommand({ KeyId: keyId, Message: Buffer.from('m'), SigningAlgorithm: 'ECDSA_SHA_256' }),
      );

    // Act
    await client.send(new DisableKeyCommand({ KeyId: keyId }));
    const whileDisabled = await errorOf(sign());
    const scheduled = await client.send(
      new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }),
    );
    const whilePending = await errorOf(sign());
    const publicKeyWhilePending = await errorOf(client.send(new GetPublicKeyCommand({ KeyId: keyId })));
    const scheduleAgain = await errorOf(client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId })));
    const described = await client.send(new DescribeKeyCommand({ KeyId: keyId }));

    // Assess
    expect(whileDisabled).toBe('DisabledException 400');
    expect(scheduled.DeletionDate?.getTime()).toBe(1_767_225_600_000 + 7 * 86_400_000);
    expect([whilePending, publicKeyWhilePending, scheduleAgain]).toEqual(
      Array(3).fill('KMSInvalidStateException 400'),
    );
    expect(described.KeyMetadata?.KeyState).toBe('PendingDeletion');
  });

  it.each([
    [
      'an unknown key',
      () => new DescribeKeyCommand({ KeyId: '00000000-0000-0000-0000-000000000000' }),
      'NotFoundException 400',
    ],
    ['an unknown alias', () => new DescribeKeyCommand({ KeyId: 'alias/none' }), 'NotFoundException 400'],
    [
      'a symmetric key',
      () => new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT' }),
      'ValidationException 400',
    ],
    [
      'an ECC key for encryption',
      () => new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'ENCRYPT_DECRYPT' }),
      'ValidationException 400',
    ],
    [
      'updating a missing alias',
      () => new UpdateAliasCommand({ AliasName: 'alias/none', TargetKeyId: 'x' }),
      'NotFoundException 400',
    ],
    [
      'an AWS-reserved alias',
      () => new CreateAliasCommand({ AliasName: 'alias/aws/kms', TargetKeyId: 'x' }),
      'ValidationException 400',
    ],
  ])('refuses %s', async (_name, command, expected) => {
    expect(await errorOf(client.send(command() as never))).toBe(expected);
  });

  it('refuses a wrong signing algorithm, a bad digest size, an existing alias and a short pending window', async () => {
    // Prepare
    const keyId = await createKey();
    await client.send(new CreateAliasCommand({ AliasName: 'alias/test-dup', TargetKeyId: keyId }));

    // Act
    const outcomes = await Promise.all([
      errorOf(
        client.send(
          new SignCommand({
            KeyId: keyId,
            Message: Buffer.from('m'),
            SigningAlgorithm: 'RSASSA_PSS_SHA_256',
          }),
        ),
      ),
      errorOf(
        client.send(
          new SignCommand({
            KeyId: keyId,
            Message: Buffer.alloc(31),
            MessageType: 'DIGEST',
            SigningAlgorithm: 'ECDSA_SHA_256',
          }),
        ),
      ),
      errorOf(client.send(new CreateAliasCommand({ AliasName: 'alias/test-dup', TargetKeyId: keyId }))),
      errorOf(client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 6 }))),
    ]);

    // Assess
    expect(outcomes).toEqual([
      'InvalidKeyUsageException 400',
      'ValidationException 400',
      'AlreadyExistsException 400',
      'ValidationException 400',
    ]);
  });
});
