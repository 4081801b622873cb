/**
 * IAM action lists of the decision pipeline (issue 5: revocation table, forwarder, spike
 * detector, revoker, admin route), each matching exactly the SDK calls its runtime adapter
 * makes (`functions/runtime/dynamodb/*`, `functions/runtime/aws/*`), so a reviewer can check
 * one against the other. The general lists (VPC, logs, alarms) stay in `iam-actions.ts`.
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
