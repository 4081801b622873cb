import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  ROTATION_STATE_READ_ACTIONS,
  ROTATION_STATE_WRITE_ACTIONS,
  TABLE_KEY_READ_ACTIONS,
  TABLE_KEY_WRITE_ACTIONS,
} from './private/iam-actions.ts';
import { grantKeyViaService } from './private/key-grants.ts';

export interface RotationStateTableProps {
  /** Encrypts the table (customer-managed key). */
  readonly encryptionKey: kms.IKey;
  /**
   * The state *is* the JWKS: losing the table unpublishes every key (the signer keeps signing
   * with keys no verifier can find). Any policy but `DESTROY` also turns on deletion protection.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The signing-key rotation state (`functions/key-rotation/state-store.ts`): one item per
 * rotation, key `pk` (S), written with a conditional put on its `version`. On-demand capacity,
 * customer-managed KMS encryption, point-in-time recovery; no TTL, no stream, no sort key.
 */
export class RotationStateTable extends Construct {
  public readonly table: dynamodb.Table;
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: RotationStateTableProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.encryptionKey = props.encryptionKey;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: removalPolicy !== RemovalPolicy.DESTROY,
      removalPolicy,
    });
  }

  /** `GetItem` and the key's read actions through DynamoDB: the JWKS route. */
  public grantReadState(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ROTATION_STATE_READ_ACTIONS, TABLE_KEY_READ_ACTIONS);
  }

  /** `GetItem` and `PutItem` (conditional writes), and the key's write actions: the rotator. */
  public grantWriteState(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ROTATION_STATE_WRITE_ACTIONS, TABLE_KEY_WRITE_ACTIONS);
  }

  private grant(
    grantee: iam.IGrantable,
    actions: readonly string[],
    keyActions: readonly string[],
  ): iam.Grant {
    grantKeyViaService(this.encryptionKey, grantee, keyActions, 'dynamodb');
    return iam.Grant.addToPrincipal({ grantee, actions: [...actions], resourceArns: [this.table.tableArn] });
  }
}
