/**
 * IAM action lists, in one place so a reviewer sees every permission the constructs hand out.
 * Grants that CDK's own `grant*` methods cover (log groups, keys, invoke) are not repeated here.
 */

import { GENERATION_TAG, ROTATION_TAG } from '../../functions/key-rotation/kms-keys.ts';

/**
 * What a Lambda function attached to a VPC needs to manage its Hyperplane network interfaces.
 * The same list as the AWS managed policy `AWSLambdaVPCAccessExecutionRole`, kept inline so each
 * function role is self-contained (no managed policy to audit separately). EC2 does not support
 * resource-level permissions for the Describe call, and Lambda creates the interfaces on the
 * function's behalf, so these take `Resource: *`.
 */
export const LAMBDA_VPC_NETWORK_INTERFACE_ACTIONS: readonly string[] = Object.freeze([
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
]);

/**
 * What CloudWatch Logs needs on the customer-managed key to encrypt a log group
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
 */
export const LOGS_KEY_ACTIONS: readonly string[] = Object.freeze([
  'kms:Encrypt*',
  'kms:Decrypt*',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:Describe*',
]);

/** What CloudWatch alarms need on the key of the encrypted SNS topic they publish to. */
export const ALARM_PUBLISH_KEY_ACTIONS: readonly string[] = Object.freeze([
  'kms:Decrypt',
  'kms:GenerateDataKey*',
]);

/**
 * The DynamoDB data-plane calls the gateway endpoint lets through: the revocation store's, the
 * denial counters' and the forwarder's duplicate filter (`BatchWriteItem`).
 */
export const DYNAMODB_ENDPOINT_ACTIONS: readonly string[] = Object.freeze([
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
]);

/**
 * The API Gateway account's CloudWatch Logs role: exactly the AWS managed policy
 * `AmazonAPIGatewayPushToCloudWatchLogs`, inline (API Gateway checks the role holds these when
 * the account setting is made; the reads are part of what it checks).
 */
export const API_GATEWAY_LOGGING_ACTIONS: readonly string[] = Object.freeze([
  'logs:CreateLogGroup',
  'logs:CreateLogStream',
  'logs:DescribeLogGroups',
  'logs:DescribeLogStreams',
  'logs:PutLogEvents',
  'logs:GetLogEvents',
  'logs:FilterLogEvents',
]);

// ── Decision pipeline ─────────────────────────────────────────────────────────────────────────
/*
 * The decision pipeline (issue 5: revocation table, forwarder, spike
 * detector, revoker, admin route), each matching exactly the SDK calls its runtime adapter
 * makes (`functions/runtime/dynamodb/*`, `functions/runtime/aws/*`), so a reviewer can check
 * one against the other.
 */

/** The authorizer's revocation lookups (`revocation-table-store.ts`): reads only. */
export const REVOCATION_LOOKUP_ACTIONS: readonly string[] = Object.freeze(['dynamodb:BatchGetItem']);

/** Writing revocations and their audit entries (`revocation-table-writer.ts`: revoke, unrevoke). */
export const REVOCATION_WRITE_ACTIONS: readonly string[] = Object.freeze([
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
]);

/** Reading a target's audit trail (`revocation-table-writer.ts`: history; the admin route only). */
export const REVOCATION_AUDIT_ACTIONS: readonly string[] = Object.freeze(['dynamodb:Query']);

/** The spike detector's atomic counters and alert claims (`denial-counter-table.ts`). */
export const DENIAL_COUNTER_ACTIONS: readonly string[] = Object.freeze([
  'dynamodb:Query',
  'dynamodb:UpdateItem',
]);

/** The forwarder's duplicate filter (`published-decisions.ts`). */
export const PUBLISHED_DECISIONS_ACTIONS: readonly string[] = Object.freeze([
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
]);

/**
 * What a principal reading a table encrypted with a customer-managed key needs on that key
 * (DynamoDB uses it on the caller's behalf; granted with `kms:ViaService` = DynamoDB).
 */
export const TABLE_KEY_READ_ACTIONS: readonly string[] = Object.freeze(['kms:Decrypt', 'kms:DescribeKey']);

/** The same for a principal that writes (without CDK's `kms:ReEncrypt*` and `*` suffixes). */
export const TABLE_KEY_WRITE_ACTIONS: readonly string[] = Object.freeze([
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey',
]);

/** Sending to a KMS-encrypted SQS queue, or publishing to a KMS-encrypted SNS topic. */
export const ENCRYPTED_MESSAGE_KEY_ACTIONS: readonly string[] = Object.freeze([
  'kms:Decrypt',
  'kms:GenerateDataKey',
]);

/**
 * `FlushStageAuthorizersCache` is `DELETE /restapis/{id}/stages/{stage}/cache/authorizers` on
 * the API Gateway management API, whose IAM actions are the HTTP verbs; the resource is
 * `arn:<partition>:apigateway:<region>::<that path>` (no account in API Gateway ARNs).
 */
export const AUTHORIZER_CACHE_FLUSH_ACTION = 'apigateway:DELETE';

/** What EventBridge needs on a key to deliver into an encrypted queue or topic. */
export const EVENTBRIDGE_DELIVERY_KEY_ACTIONS: readonly string[] = Object.freeze([
  'kms:Decrypt',
  'kms:GenerateDataKey',
]);

/**
 * What EventBridge needs on a key to encrypt an archive (and replay from it), per its
 * documentation; granted in the key policy for the suite bus's encryption context only.
 */
export const EVENTBRIDGE_ARCHIVE_KEY_ACTIONS: readonly string[] = Object.freeze([
  'kms:Decrypt',
  'kms:GenerateDataKey',
  'kms:ReEncrypt*',
]);

// ── Workload tokens ───────────────────────────────────────────────────────────────────────────
/*
 * The workload-token service (issue 4: `POST /token`, the JWKS route, key
 * rotation), each matching exactly the SDK calls its runtime adapter makes, so a reviewer can
 * check one against the other: `functions/signing/kms-signer.ts`,
 * `functions/key-rotation/kms-keys.ts`, `functions/workload-keys/state-store.ts`.
 */

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
