import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { EVENTBRIDGE_DELIVERY_KEY_ACTIONS } from './iam-actions.ts';

/**
 * Grants `actions` on `key` to `grantee`, only when the call comes through `service` on the
 * grantee's behalf (`kms:ViaService`): one platform key encrypts logs, queues, topics and
 * tables, and a role that may decrypt for DynamoDB must not be able to decrypt log data or
 * messages by calling KMS itself.
 */
export function grantKeyViaService(
  key: kms.IKey,
  grantee: iam.IGrantable,
  actions: readonly string[],
  service: 'dynamodb' | 'sqs' | 'sns',
): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions: [...actions],
    resourceArns: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `${service}.${Aws.REGION}.amazonaws.com` } },
  });
}

const eventBridgeAllowed = new WeakSet<kms.IKey>();

/**
 * Lets EventBridge encrypt what it delivers into this account's encrypted queues (rule
 * dead-letter queues) and topics. Once per key. Conditioned on the source account rather than
 * on each queue: a queue ARN in the key policy would make the key depend on the queue, which
 * depends on the key.
 */
export function allowEventBridgeDeliveries(key: kms.IKey): void {
  if (eventBridgeAllowed.has(key)) return;
  eventBridgeAllowed.add(key);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'EventBridgeDeliveriesOfThisAccount',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: [...EVENTBRIDGE_DELIVERY_KEY_ACTIONS],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }),
  );
}
