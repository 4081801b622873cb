import { Aws, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AwsManagedPrefixList } from './aws-managed-prefix-list.ts';
import { DYNAMODB_ENDPOINT_ACTIONS } from './private/iam-actions.ts';

export interface ZeroTrustNetworkProps {
  /**
   * IPv4 CIDR of the VPC, as a literal string. Security group rules use it verbatim: a token
   * would hide the range from reviewers and from cdk-nag (rule EC23 throws on one).
   */
  readonly cidr: string;
  /** Encrypts the flow log group. */
  readonly encryptionKey: kms.IKey;
  /**
   * @default 2
   */
  readonly maxAzs?: number;
  /**
   * NAT gateways. With 0 every subnet is isolated (no route out of the VPC; AWS APIs are reached
   * through endpoints). More than 0 adds public subnets and gives the private subnets a route
   * to the internet, for identity providers whose keys must be fetched (`jwksUri`).
   * @default 0
   */
  readonly natGateways?: number;
  /**
   * Also create the `execute-api` interface endpoint, through which PRIVATE APIs are reached.
   * @default false
   */
  readonly privateApiEndpoint?: boolean;
  /**
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * Applied to the flow log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Interface endpoints for the AWS APIs the functions call, by construct ID. */
const INTERFACE_ENDPOINTS: ReadonlyArray<readonly [string, ec2.InterfaceVpcEndpointAwsService]> = [
  ['Kms', ec2.InterfaceVpcEndpointAwsService.KMS],
  ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
  ['EventBridge', ec2.InterfaceVpcEndpointAwsService.EVENTBRIDGE],
  ['Sts', ec2.InterfaceVpcEndpointAwsService.STS],
  ['XRay', ec2.InterfaceVpcEndpointAwsService.XRAY],
  ['Sqs', ec2.InterfaceVpcEndpointAwsService.SQS],
  ['Sns', ec2.InterfaceVpcEndpointAwsService.SNS],
];

/**
 * Endpoint policies narrower than "this account's principals, any action": the functions only
 * send to this account's queues and publish to its topics, so nothing read or received through
 * these endpoints, and nothing sent to another account's queue or topic (exfiltration).
 */
const NARROW_ENDPOINT_POLICIES: Readonly<
  Record<string, { actions: string[]; service: string; resource: string }>
> = {
  Kms: { actions: ['kms:*'], service: 'kms', resource: 'key/*' },
  Sqs: { actions: ['sqs:SendMessage'], service: 'sqs', resource: '*' },
  Sns: { actions: ['sns:Publish'], service: 'sns', resource: '*' },
};

/**
 * The VPC the authorizer runs in: private subnets in two AZs, flow logs of all traffic into an
 * encrypted log group, interface endpoints behind one HTTPS-only security group, a DynamoDB
 * gateway endpoint, and endpoint policies that only serve principals of this account.
 */
export class ZeroTrustNetwork extends Construct {
  public readonly vpc: ec2.Vpc;
  /** The literal VPC CIDR. */
  public readonly cidr: string;
  /** Subnets that workloads (functions) belong in. */
  public readonly workloadSubnets: ec2.SubnetSelection;
  /** The HTTPS security group of every interface endpoint: TCP 443 in from the VPC, nothing out. */
  public readonly endpointSecurityGroup: ec2.SecurityGroup;
  public readonly interfaceEndpoints: Readonly<Record<string, ec2.InterfaceVpcEndpoint>>;
  public readonly dynamoDbEndpoint: ec2.GatewayVpcEndpoint;
  /** Present when `privateApiEndpoint` is set. */
  public readonly executeApiEndpoint?: ec2.InterfaceVpcEndpoint;
  public readonly flowLogGroup: logs.LogGroup;

  private readonly encryptionKey: kms.IKey;
  private readonly logRetention: logs.RetentionDays;
  private readonly removalPolicy: RemovalPolicy;
  private dynamoDbPrefixList?: AwsManagedPrefixList;

  constructor(scope: Construct, id: string, props: ZeroTrustNetworkProps) {
    super(scope, id);
    const natGateways = props.natGateways ?? 0;
    const prefix = Number(props.cidr.split('/')[1]);
    const workloadType =
      natGateways > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED;
    this.cidr = props.cidr;
    this.workloadSubnets = { subnetType: workloadType };

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      maxAzs: props.maxAzs ?? 2,
      natGateways,
      subnetConfiguration: [
        ...(natGateways > 0
          ? [
              {
                name: 'Public',
                subnetType: ec2.SubnetType.PUBLIC,
                cidrMask: Math.min(prefix + 6, 28),
                // Only the NAT gateways live here, on their own Elastic IPs; nothing else gets one.
                mapPublicIpOnLaunch: false,
              },
            ]
          : []),
        { name: 'Private', subnetType: workloadType, cidrMask: Math.min(prefix + 4, 28) },
      ],
      // The default security group allows all egress; strip its rules so nothing can use it.
      restrictDefaultSecurityGroup: true,
    });
    const restrictProvider = Stack.of(this).node.tryFindChild(
      'Custom::VpcRestrictDefaultSGCustomResourceProvider',
    );
    if (restrictProvider) {
      Validations.of(restrictProvider).acknowledge({
        id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
        reason:
          "CDK's provider that strips the default security group's rules runs once per deployment, called by " +
          'CloudFormation, and only calls the EC2 API; placing it in the isolated VPC would need an EC2 endpoint ' +
          'for no gain.',
      });
    }

    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      encryptionKey: props.encryptionKey,
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Interface endpoints: HTTPS from inside the VPC only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup.addIngressRule(
      ec2.Peer.ipv4(props.cidr),
      ec2.Port.tcp(443),
      'HTTPS from the VPC',
    );

    const endpoints: Record<string, ec2.InterfaceVpcEndpoint> = {};
    for (const [name, service] of INTERFACE_ENDPOINTS) {
      const endpoint = this.addInterfaceEndpoint(name, service);
      const narrow = NARROW_ENDPOINT_POLICIES[name];
      endpoint.addToPolicy(
        narrow
          ? this.thisAccountOnly(narrow.actions, [this.arn(narrow.service, narrow.resource)])
          : this.thisAccountOnly(['*'], ['*']),
      );
      endpoints[name] = endpoint;
    }
    if (props.privateApiEndpoint) {
      const endpoint = this.addInterfaceEndpoint('ExecuteApi', ec2.InterfaceVpcEndpointAwsService.APIGATEWAY);
      // Callers of a private API are usually anonymous to IAM (the authorizer checks them), so
      // narrow by resource instead: only APIs of this account are reachable through it.
      endpoint.addToPolicy(
        new iam.PolicyStatement({
          principals: [new iam.AnyPrincipal()],
          actions: ['execute-api:Invoke'],
          resources: [this.arn('execute-api', '*')],
        }),
      );
      endpoints.ExecuteApi = endpoint;
      this.executeApiEndpoint = endpoint;
    }
    this.interfaceEndpoints = endpoints;

    this.dynamoDbEndpoint = this.vpc.addGatewayEndpoint('DynamoDb', {
      service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
      subnets: [this.workloadSubnets],
    });
    this.dynamoDbEndpoint.addToPolicy(
      this.thisAccountOnly([...DYNAMODB_ENDPOINT_ACTIONS], [this.arn('dynamodb', 'table/*')]),
    );
    this.encryptionKey = props.encryptionKey;
    this.logRetention = props.flowLogRetention ?? logs.RetentionDays.ONE_MONTH;
    this.removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
  }

  /**
   * Opens TCP 443 from `securityGroup` to DynamoDB through the gateway endpoint: an egress
   * rule to the regional DynamoDB prefix list, whose id is looked up at deployment (see
   * `AwsManagedPrefixList`; one lookup per network, made on first use).
   */
  public allowHttpsToDynamoDb(securityGroup: ec2.ISecurityGroup): void {
    this.dynamoDbPrefixList ??= new AwsManagedPrefixList(this, 'DynamoDbPrefixList', {
      prefixListName: ec2.GatewayVpcEndpointAwsService.DYNAMODB.name,
      encryptionKey: this.encryptionKey,
      logRetention: this.logRetention,
      removalPolicy: this.removalPolicy,
    });
    securityGroup.addEgressRule(
      ec2.Peer.prefixList(this.dynamoDbPrefixList.prefixListId),
      ec2.Port.tcp(443),
      'HTTPS to DynamoDB (gateway endpoint)',
    );
  }

  /** Opens TCP 443 from `securityGroup` to the interface endpoints (an egress rule only). */
  public allowHttpsToEndpoints(securityGroup: ec2.ISecurityGroup): void {
    securityGroup.addEgressRule(
      this.endpointSecurityGroup,
      ec2.Port.tcp(443),
      'HTTPS to the VPC interface endpoints',
    );
  }

  private addInterfaceEndpoint(
    id: string,
    service: ec2.InterfaceVpcEndpointAwsService,
  ): ec2.InterfaceVpcEndpoint {
    return this.vpc.addInterfaceEndpoint(id, {
      service,
      privateDnsEnabled: true,
      subnets: this.workloadSubnets,
      securityGroups: [this.endpointSecurityGroup],
      // `open: true` would add an ingress rule from the VPC CIDR as a token; ours is literal.
      open: false,
    });
  }

  /** A data-perimeter statement: the endpoint serves principals of this account only. */
  private thisAccountOnly(actions: string[], resources: string[]): iam.PolicyStatement {
    return new iam.PolicyStatement({
      principals: [new iam.AnyPrincipal()],
      actions,
      resources,
      conditions: { StringEquals: { 'aws:PrincipalAccount': Aws.ACCOUNT_ID } },
    });
  }

  private arn(service: string, resource: string): string {
    return `arn:${Aws.PARTITION}:${service}:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
  }
}
