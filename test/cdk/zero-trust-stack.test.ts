import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LAMBDA_VPC_NETWORK_INTERFACE_ACTIONS } from '../../lib/private/iam-actions.ts';
import { allPolicyStatements, ENVIRONMENTS, everyEnvironmentStack, resourcesOfType } from './helpers.ts';

// Each security property is checked in every environment: a difference between them must be a
// deliberate, configured one.
const { stacks, template } = everyEnvironmentStack();
const endpointService = (service: string) =>
  Match.objectLike({ 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, `.${service}`]] });

describe.each(ENVIRONMENTS)('%s: network', (env) => {
  it('is a 10.0.0.0/16 VPC with private subnets in two AZs, and no public IPs handed out', () => {
    template(env).hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    const subnets = Object.values(resourcesOfType(template(env), 'AWS::EC2::Subnet'));
    const withNat = stacks[env].config.network.natGateways > 0;
    expect(subnets).toHaveLength(withNat ? 4 : 2); // private (+ public for the NAT gateways) x 2 AZs
    for (const subnet of subnets) expect(subnet.Properties?.MapPublicIpOnLaunch).toBe(false);
    const isolated = subnets.filter((s) => JSON.stringify(s.Properties?.Tags).includes('"Isolated"'));
    expect(isolated).toHaveLength(withNat ? 0 : 2);
  });

  it('has NAT only when the config asks for it, and no IGW otherwise', () => {
    const nat = stacks[env].config.network.natGateways;
    template(env).resourceCountIs('AWS::EC2::NatGateway', nat);
    template(env).resourceCountIs('AWS::EC2::InternetGateway', nat > 0 ? 1 : 0);
  });

  it('logs all VPC traffic to an encrypted log group', () => {
    template(env).hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
  });

  it('gives the interface endpoints an HTTPS-only security group: TCP 443 from the literal VPC CIDR', () => {
    template(env).hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Interface endpoints: HTTPS from inside the VPC only',
      SecurityGroupIngress: [
        {
          CidrIp: '10.0.0.0/16',
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          Description: Match.anyValue(),
        },
      ],
      // CDK's placeholder for "no egress at all".
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32', IpProtocol: 'icmp' })],
    });
  });

  it('allows ingress from nowhere but the VPC, and all-traffic egress to nowhere', () => {
    const groups = Object.values(resourcesOfType(template(env), 'AWS::EC2::SecurityGroup'));
    const standaloneEgress = Object.values(resourcesOfType(template(env), 'AWS::EC2::SecurityGroupEgress'));
    const ingress = groups.flatMap(
      (g) => (g.Properties?.SecurityGroupIngress as Array<Record<string, unknown>>) ?? [],
    );
    const egress = [
      ...groups.flatMap((g) => (g.Properties?.SecurityGroupEgress as Array<Record<string, unknown>>) ?? []),
      ...standaloneEgress.map((e) => e.Properties ?? {}),
    ];
    expect(ingress.map((rule) => rule.CidrIp)).toEqual(['10.0.0.0/16']);
    template(env).resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    for (const rule of egress) {
      expect(rule.IpProtocol === '-1' && (rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 === '::/0')).toBe(
        false,
      );
    }
  });

  it.each(['kms', 'logs', 'events', 'sts', 'xray'])(
    'has an interface endpoint for %s, with private DNS and an account-only policy',
    (service) => {
      template(env).hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        ServiceName: endpointService(service),
        PrivateDnsEnabled: true,
        PolicyDocument: {
          // KMS also serves the key rotator's CreateKey, ListKeys and alias calls, to its role only
          // (test/cdk/workload-tokens.test.ts).
          Statement: (service === 'kms' ? Match.arrayWith : (s: unknown[]) => s)([
            Match.objectLike({
              Condition: { StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } },
            }),
          ]),
        },
      });
    },
  );

  it('has an execute-api endpoint exactly when the API is PRIVATE', () => {
    const wanted = stacks[env].config.api.endpointType === 'PRIVATE';
    const found = Object.values(resourcesOfType(template(env), 'AWS::EC2::VPCEndpoint')).filter((e) =>
      JSON.stringify(e.Properties?.ServiceName).includes('.execute-api'),
    );
    expect(found).toHaveLength(wanted ? 1 : 0);
  });

  it('has a DynamoDB gateway endpoint limited to this account and its tables', () => {
    template(env).hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: endpointService('dynamodb'),
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: Match.arrayWith(['dynamodb:GetItem', 'dynamodb:Query']),
            Condition: { StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } },
            Resource: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':table/*'])] }),
          }),
        ],
      },
    });
  });
});

describe.each(ENVIRONMENTS)('%s: encryption and logs', (env) => {
  it('has one customer-managed key, symmetric, rotating, with the retention the config asks for', () => {
    template(env).resourceCountIs('AWS::KMS::Key', 1);
    template(env).hasResource('AWS::KMS::Key', {
      Properties: {
        EnableKeyRotation: true,
        RotationPeriodInDays: 365,
        PendingWindowInDays: 30,
        KeySpec: Match.absent(),
      },
      DeletionPolicy: stacks[env].config.removalPolicy === 'retain' ? 'RetainExceptOnCreate' : 'Delete',
    });
  });

  it('lets CloudWatch Logs use the key only for log groups of this account and region', () => {
    template(env).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'CloudWatchLogsOfThisAccount',
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
          }),
          Match.objectLike({
            Sid: 'GrantsOnlyForAwsResources',
            Effect: 'Deny',
            Action: 'kms:CreateGrant',
            Condition: {
              BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
            },
          }),
        ]),
      },
    });
  });

  it('encrypts every log group with the key and keeps it for the configured retention', () => {
    const groups = template(env).findResources('AWS::Logs::LogGroup');
    // flow logs, authorizer, API access logs; forwarder, spike detector, revoker, admin route,
    // and the deploy-time DynamoDB prefix-list lookup; token, JWKS, two rotators, token API access
    expect(Object.keys(groups)).toHaveLength(13);
    const retention = stacks[env].config.logs.retentionDays;
    const deletion = stacks[env].config.removalPolicy === 'retain' ? 'RetainExceptOnCreate' : 'Delete';
    for (const group of Object.values(groups)) {
      expect(group).toMatchObject({
        Properties: {
          RetentionInDays: retention,
          KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^PlatformKey/), 'Arn'] },
        },
        DeletionPolicy: deletion,
      });
    }
  });

  it('encrypts the alarm topic and refuses plain-HTTP publishing', () => {
    template(env).hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PlatformKey'), 'Arn'] },
    });
    template(env).hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe.each(ENVIRONMENTS)('%s: authorizer function', (env) => {
  it('runs Node.js 24 on arm64 with tracing, JSON logs into its own group, in the private subnets', () => {
    const { config } = stacks[env];
    template(env).hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      MemorySize: config.authorizer.memorySize,
      Timeout: config.authorizer.timeoutSeconds,
      LoggingConfig: {
        LogFormat: 'JSON',
        LogGroup: { Ref: Match.stringLikeRegexp('^AuthorizerHandlerLogGroup') },
      },
      VpcConfig: {
        SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('PrivateSubnet1Subnet') }]),
        SecurityGroupIds: [
          { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuthorizerHandlerSecurityGroup'), 'GroupId'] },
        ],
      },
      ReservedConcurrentExecutions: config.reservedConcurrency.authorizer ?? Match.absent(),
    });
  });

  it('has its own role with no managed policies', () => {
    template(env).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      },
      ManagedPolicyArns: Match.absent(),
      Description: Match.stringLikeRegexp('Authorizer/Handler$'),
    });
  });

  it('reaches the endpoints over HTTPS, and the internet only when an issuer publishes keys there', () => {
    template(env).hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuthorizerHandlerSecurityGroup'), 'GroupId'] },
      DestinationSecurityGroupId: {
        'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkEndpointSecurityGroup'), 'GroupId'],
      },
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
    });
    const jwksUri = stacks[env].config.authorizer.runtime.issuers.some((i) => typeof i.jwksUri === 'string');
    const inline = Object.values(resourcesOfType(template(env), 'AWS::EC2::SecurityGroup')).find((g) =>
      String(g.Properties?.GroupDescription).includes('Authorizer/Handler'),
    )?.Properties?.SecurityGroupEgress;
    if (jwksUri) {
      expect(inline).toEqual([
        {
          CidrIp: '0.0.0.0/0',
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          Description: 'HTTPS to identity providers (JWKS, OpenID discovery)',
        },
      ]);
    } else {
      expect(inline).toBeUndefined(); // only the standalone rule to the endpoints
    }
  });

  it('grants "*" resources only for actions that have no resource-level permissions', () => {
    const withoutResources = new Set([
      ...LAMBDA_VPC_NETWORK_INTERFACE_ACTIONS,
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'ec2:DescribePrefixLists',
      // The key rotator: keys are created at run time (CreateKey is narrowed by conditions).
      'kms:CreateKey',
      'kms:ListKeys',
    ]);
    const policies = resourcesOfType(template(env), 'AWS::IAM::Policy');
    // Except the API Gateway account's logging role: AmazonAPIGatewayPushToCloudWatchLogs, as API
    // Gateway checks it (test/cdk/first-deploy.test.ts pins exactly those actions).
    const apiGatewayLogging = (policy: (typeof policies)[string]) =>
      JSON.stringify(policy.Properties?.Roles).includes('"ApiGatewayAccountRole');
    for (const policy of Object.values(policies).filter((p) => !apiGatewayLogging(p))) {
      const document = policy.Properties?.PolicyDocument as
        | { Statement: Array<Record<string, unknown>> }
        | undefined;
      const statements = document?.Statement ?? [];
      for (const statement of statements.filter((s) => s.Resource === '*' && s.Effect === 'Allow')) {
        for (const action of [statement.Action].flat()) expect(withoutResources).toContain(action);
      }
    }
  });

  it('never allows a wildcard action in any policy', () => {
    for (const statement of allPolicyStatements(template(env))) {
      if (statement.Effect !== 'Allow') continue;
      const actions = [statement.Action].flat() as string[];
      // Endpoint policies may allow "*" because their condition pins the principal's account.
      const endpointOrKeyPolicy = statement.Principal !== undefined;
      if (!endpointOrKeyPolicy) expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
    }
  });

  it('turns the decision log into Decisions, Denials and DecisionLatency metrics', () => {
    for (const [metricName, value, dimension] of [
      ['Decisions', '1', 'Status'],
      ['Denials', '1', 'Reason'],
      ['DecisionLatency', '$.latencyMs', undefined],
    ] as const) {
      template(env).hasResourceProperties('AWS::Logs::MetricFilter', {
        FilterPattern: Match.stringLikeRegexp('zta\\.decision/v1'),
        MetricTransformations: [
          Match.objectLike({
            MetricName: metricName,
            MetricValue: value,
            Dimensions: dimension
              ? [{ Key: dimension, Value: `$.${dimension.toLowerCase()}` }]
              : Match.absent(),
          }),
        ],
      });
    }
  });
});

describe.each(ENVIRONMENTS)('%s: demo API', (env) => {
  it('uses a REQUEST authorizer keyed on the token, the method, the path and the caller address, with the configured TTL', () => {
    template(env).hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource:
        'method.request.header.Authorization,context.httpMethod,context.path,context.identity.sourceIp',
      AuthorizerResultTtlInSeconds: stacks[env].config.authorizer.cacheTtlSeconds,
    });
  });

  it.each(['sensitive', 'profile'])(
    'protects GET /api/%s with the custom authorizer and validates requests',
    (path) => {
      const resources = resourcesOfType(template(env), 'AWS::ApiGateway::Resource');
      const resourceId = Object.entries(resources).find(([, r]) => r.Properties?.PathPart === path)?.[0];
      expect(resourceId).toBeDefined();
      template(env).hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'GET',
        ResourceId: { Ref: resourceId },
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: Match.stringLikeRegexp('^AuthorizerRestApiAuthorizer') },
        RequestValidatorId: { Ref: Match.stringLikeRegexp('RequestValidator') },
      });
    },
  );

  it('has no method without the authorizer, except the IAM-authorized admin route', () => {
    const resources = resourcesOfType(template(env), 'AWS::ApiGateway::Resource');
    const admin = Object.entries(resources).find(([, r]) => r.Properties?.PathPart === 'revocations')?.[0];
    // The token API (workload-tokens.test.ts) is not behind the authorizer by design.
    const methods = Object.values(resourcesOfType(template(env), 'AWS::ApiGateway::Method')).filter((m) =>
      JSON.stringify(m.Properties?.RestApiId).startsWith('{"Ref":"DemoApi'),
    );
    const byType = (m: (typeof methods)[number]) =>
      JSON.stringify(m.Properties?.ResourceId) === JSON.stringify({ Ref: admin }) ? 'admin' : 'demo';
    expect(methods.map((m) => `${byType(m)}:${m.Properties?.AuthorizationType}`).sort()).toEqual([
      'admin:AWS_IAM',
      'admin:AWS_IAM',
      'admin:AWS_IAM',
      'demo:CUSTOM',
      'demo:CUSTOM',
    ]);
  });

  it('traces, throttles and writes JSON access logs with the decision id', () => {
    const { config } = stacks[env];
    template(env).hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: config.api.stageName,
      TracingEnabled: true,
      AccessLogSetting: {
        // The log group's ARN without the trailing `:*` (cdk.json's
        // @aws-cdk/aws-apigateway:logGroupDestinationArnWithoutWildcard).
        DestinationArn: {
          'Fn::Join': [
            '',
            Match.arrayWith([':log-group:', { Ref: Match.stringLikeRegexp('^DemoApiAccessLogs') }]),
          ],
        },
        Format: Match.stringLikeRegexp('"decisionId":"\\$context\\.authorizer\\.decisionId"'),
      },
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: config.api.throttling.rateLimit,
          ThrottlingBurstLimit: config.api.throttling.burstLimit,
        }),
      ],
    });
  });

  it('has the configured endpoint type, and a PRIVATE API only answers through its VPC endpoint', () => {
    const type = stacks[env].config.api.endpointType;
    // Every API also denies its admin route to all but the revocation admin role.
    const adminOnly = Match.objectLike({
      Effect: 'Deny',
      Resource: 'execute-api:/*/*/revocations',
      Condition: {
        StringNotEquals: {
          'aws:PrincipalArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('AdminRole'), 'Arn'] },
        },
      },
    });
    template(env).hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: [type] },
      Policy: {
        Statement:
          type === 'PRIVATE'
            ? [
                Match.objectLike({
                  Effect: 'Deny',
                  Condition: {
                    StringNotEquals: { 'aws:SourceVpce': { Ref: Match.stringLikeRegexp('ExecuteApi') } },
                  },
                }),
                Match.objectLike({ Effect: 'Allow' }),
                adminOnly,
              ]
            : [adminOnly],
        Version: '2012-10-17',
      },
    });
  });

  it('answers 401 with WWW-Authenticate: Bearer and no detail', () => {
    template(env).hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      StatusCode: '401',
      ResponseParameters: { 'gatewayresponse.header.WWW-Authenticate': "'Bearer'" },
    });
  });
});

describe.each(ENVIRONMENTS)('%s: monitoring', (env) => {
  it('has a dashboard with decisions by outcome, latency, failures and throttles', () => {
    const dashboards = Object.values(resourcesOfType(template(env), 'AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties?.DashboardBody);
    for (const title of [
      'Decisions by outcome',
      'Denials by reason',
      'Authorizer latency (ms)',
      'Authorizer failures and throttles',
    ]) {
      expect(body).toContain(title);
    }
    expect(body).toContain('p99');
  });

  it('alarms on failures (errors minus deliberate 401s) at the configured threshold', () => {
    const { alarms } = stacks[env].config;
    template(env).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: alarms.errorsPerPeriod,
      EvaluationPeriods: alarms.evaluationPeriods,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Metrics: Match.arrayWith([
        Match.objectLike({
          Expression: Match.stringLikeRegexp('FILL\\(errors, 0\\) - FILL\\(unauthenticated, 0\\)'),
        }),
        Match.objectLike({
          Id: 'errors',
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'Errors' }) }),
        }),
        Match.objectLike({
          Id: 'unauthenticated',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({
              MetricName: 'Decisions',
              Dimensions: [{ Name: 'Status', Value: '401' }],
            }),
          }),
        }),
      ]),
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^MonitoringAlarmTopic') }],
    });
  });

  it('alarms on p99 latency and on throttles', () => {
    const { alarms } = stacks[env].config;
    template(env).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: alarms.latencyP99Ms,
      Metrics: [
        Match.objectLike({ MetricStat: Match.objectLike({ Stat: 'p99', Period: alarms.periodSeconds }) }),
      ],
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^MonitoringAlarmTopic') }],
    });
    template(env).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Throttles',
      Threshold: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^MonitoringAlarmTopic') }],
    });
  });
});
