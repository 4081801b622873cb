import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { LOGS_KEY_ACTIONS } from './private/iam-actions.ts';

export interface PlatformKeyProps {
  /**
   * Alias for the key, without the `alias/` prefix.
   * @default - no alias
   */
  readonly alias?: string;
  /**
   * What happens to the key when it leaves the stack. Deleting a key makes every log and
   * message it encrypted unreadable, so anything holding data should keep the default.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The customer-managed KMS key that encrypts the platform's logs, topics, queues, tables and
 * buses. Symmetric, with yearly automatic rotation. Its key policy lets CloudWatch Logs use it
 * for log groups of this account and region only, and refuses grants not made for an AWS
 * resource.
 */
export class PlatformKey extends Construct {
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: PlatformKeyProps = {}) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Zero-trust authorizer platform key: logs, topics, queues, tables, buses',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      // The longest waiting period: a scheduled deletion can be cancelled for 30 days.
      pendingWindow: Duration.days(30),
      ...(props.alias === undefined ? {} : { alias: props.alias }),
    });
    // Why the condition: without it any log group in any account could be encrypted with this
    // key through the regional Logs principal; the encryption context names the log group ARN.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: [...LOGS_KEY_ACTIONS],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
          },
        },
      }),
    );
    // Grants are how a principal hands its key access to someone else; only AWS services
    // acting for an AWS resource (Lambda, Logs...) may create them, never a person or role.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'GrantsOnlyForAwsResources',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: {
          BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
        },
      }),
    );
  }
}
