import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

export interface AwsManagedPrefixListProps {
  /**
   * The prefix list's name: an AWS gateway endpoint service's, e.g.
   * `GatewayVpcEndpointAwsService.DYNAMODB.name` (`com.amazonaws.<region>.dynamodb`).
   */
  readonly prefixListName: string;
  /** Encrypts the lookup function's log group. */
  readonly encryptionKey: kms.IKey;
  /**
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Applied to the lookup function's log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The id (`pl-…`) of an AWS-managed prefix list, looked up at deployment time.
 *
 * Why a lookup: a security group can allow egress to a gateway endpoint (DynamoDB, S3) only
 * through the service's prefix list, whose id differs per region and account partition, and
 * CloudFormation exposes it nowhere (a gateway `AWS::EC2::VPCEndpoint` has no such attribute;
 * aws-cloudformation/cloudformation-coverage-roadmap#453). `PrefixList.fromLookup` would need
 * AWS credentials at synth time; this custom resource keeps synthesis offline and calls
 * `ec2:DescribePrefixLists` when the stack deploys.
 */
export class AwsManagedPrefixList extends Construct {
  /** The prefix list id, a deploy-time value. */
  public readonly prefixListId: string;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AwsManagedPrefixListProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // Its own role: CDK's default would attach the AWSLambdaBasicExecutionRole managed policy.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Looks up the ${id} prefix list id at deployment`,
    });
    this.logGroup.grantWrite(role);

    const call: cr.AwsSdkCall = {
      service: 'EC2',
      action: 'DescribePrefixLists',
      parameters: { Filters: [{ Name: 'prefix-list-name', Values: [props.prefixListName] }] },
      physicalResourceId: cr.PhysicalResourceId.of(props.prefixListName),
      outputPaths: ['PrefixLists.0.PrefixListId'],
    };
    const lookup = new cr.AwsCustomResource(this, 'Lookup', {
      onCreate: call,
      onUpdate: call,
      // DescribePrefixLists has no resource-level permissions.
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['ec2:DescribePrefixLists'], resources: ['*'] }),
      ]),
      role,
      logGroup: this.logGroup,
      // The runtime's SDK has DescribePrefixLists; fetching a newer one would need the internet.
      installLatestAwsSdk: false,
      timeout: Duration.minutes(1),
      memorySize: 256,
    });
    this.prefixListId = lookup.getResponseField('PrefixLists.0.PrefixListId');

    const policy = lookup.node.tryFindChild('CustomResourcePolicy');
    if (policy) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'ec2:DescribePrefixLists supports no resource-level permissions, so it takes "*"; it is a read-only ' +
          'describe call and the only EC2 action of this role.',
      });
    }
    // CDK's one provider function for every AwsCustomResource of the stack.
    const provider = Stack.of(this).node.tryFindChild(
      `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`,
    );
    if (provider) {
      const once =
        'It runs once per deployment, called by CloudFormation, and only calls ec2:DescribePrefixLists';
      Validations.of(provider).acknowledge(
        {
          id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
          reason:
            `${once}; inside the isolated VPC it would need an EC2 interface endpoint for no gain (like CDK's ` +
            'default-security-group provider).',
        },
        {
          id: 'Serverless::Serverless-LambdaDLQ',
          reason: `${once}. CloudFormation waits for its answer and fails the deployment on an error: nothing is lost.`,
        },
        {
          id: 'Serverless::Serverless-LambdaTracing',
          reason: `${once}; its log group keeps every call, and tracing would add X-Ray permissions on "*".`,
        },
      );
    }
  }
}
