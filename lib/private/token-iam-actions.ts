/**
 * IAM action lists of the workload-token service (issue 4: `POST /token`, the JWKS route, key
 * rotation), each matching exactly the SDK calls its runtime adapter makes, so a reviewer can
 * check one against the other: `functions/signing/kms-signer.ts`,
 * `functions/key-rotation/kms-keys.ts`, `functions/key-rotation/state-store.ts`.
 */
import { GENERATION_TAG, ROTATION_TAG } from '../../functions/key-rotation/kms-keys.ts';

/** The only tags a signing key is created with (`KmsKeyManager.createKey`). */
export const SIGNING_KEY_TAG_KEYS: readonly string[] = Object.freeze([ROTATION_TAG, GENERATION_TAG]);

/** The tag that marks a key as belonging to one rotation; IAM conditions key on it. */
export const SIGNING_KEY_ROTATION_TAG = ROTATION_TAG;

/** The signer: resolve the alias (`DescribeKey`), read the public key once, sign. */
export const SIGNER_KEY_ACTIONS: readonly string[] = Object.freeze(['kms:DescribeKey', 'kms:GetPublicKey']);
export const SIGN_ACTION = 'kms:Sign';
/** The one signing algorithm of ES256 (`KmsTokenSigner` asks for nothing else). */
export const SIGNING_ALGORITHM = 'ECDSA_SHA_256';

/** Reading the rotation state (`DynamoRotationStateStore.load`): the JWKS route. */
export const ROTATION_STATE_READ_ACTIONS: readonly string[] = Object.freeze(['dynamodb:GetItem']);
/** Reading and conditionally writing it (`load`, `save`): the rotator. */
export const ROTATION_STATE_WRITE_ACTIONS: readonly string[] = Object.freeze([
  'dynamodb:GetItem',
  'dynamodb:PutItem',
]);

/** Creating a key: no key exists yet, so `Resource: *`, narrowed by conditions instead. */
export const KEY_CREATE_ACTION = 'kms:CreateKey';
/** Tags given to `CreateKey` need `kms:TagResource` on every key of the account and region. */
export const KEY_TAG_ACTION = 'kms:TagResource';
/** Crash recovery scans the account's keys for its tags (`findKey`); `*` is the only resource. */
export const KEY_LIST_ACTION = 'kms:ListKeys';

/** On the rotation's own keys (tagged with its id): read, recover, retire. */
export const ROTATED_KEY_ACTIONS: readonly string[] = Object.freeze([
  'kms:DescribeKey',
  'kms:GetPublicKey',
  'kms:ListResourceTags',
  'kms:DisableKey',
  'kms:ScheduleKeyDeletion',
  // KMS's lockout check at CreateKey, and a policy repair by the rotator.
  'kms:PutKeyPolicy',
]);

/** Moving the alias: KMS checks the alias and both keys. */
export const ALIAS_ACTIONS: readonly string[] = Object.freeze(['kms:CreateAlias', 'kms:UpdateAlias']);

/** What the rotator needs through the KMS endpoint beyond the endpoint's `key/*` statement. */
export const ROTATOR_ENDPOINT_ACTIONS: readonly string[] = Object.freeze([
  KEY_CREATE_ACTION,
  KEY_LIST_ACTION,
]);
