import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  allPolicyStatements,
  ENVIRONMENTS,
  type EnvironmentName,
  everyEnvironmentStack,
  getAttOf,
  resourcesOfType,
} from './helpers.ts';
import {
  actionsOf,
  allowedActions,
  allowing,
  functionRoleId,
  logicalId,
  roleStatements,
} from './pipeline-helpers.ts';

// The revocation store, who may read and write it, auto-revocation and the admin route.
const { stacks, template } = everyEnvironmentStack();
const revocationTable = (env: EnvironmentName) =>
  logicalId(template(env), 'AWS::DynamoDB::Table', 'RevocationsStore');
const nonPlatform = (actions: string[]) => actions.filter((a) => !/^(ec2|logs|xray):/.test(a));
/** The demo stage's authorizer cache, as IAM names it. */
const cacheArn = (env: EnvironmentName) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':apigateway:',
      { Ref: 'AWS::Region' },
      '::/restapis/',
      { Ref: logicalId(template(env), 'AWS::ApiGateway::RestApi', 'DemoApi') },
      `/stages/${stacks[env].config.api.stageName}/cache/authorizers`,
    ],
  ],
});

describe.each(ENVIRONMENTS)('%s: the authorizer reads the revocation table', (env) => {
  it('is told the table by ZTA_REVOCATIONS_TABLE (a reference, so the table comes first)', () => {
    template(env).hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Zero-trust authorizer'),
      Environment: { Variables: Match.objectLike({ ZTA_REVOCATIONS_TABLE: { Ref: revocationTable(env) } }) },
    });
  });

  it('may only BatchGetItem on it, and decrypt through DynamoDB', () => {
    const statements = roleStatements(template(env), functionRoleId(template(env), 'AuthorizerHandler'));
    expect(nonPlatform(allowedActions(statements))).toEqual([
      'dynamodb:BatchGetItem',
      'kms:Decrypt',
      'kms:DescribeKey',
    ]);
    expect(allowing(statements, 'dynamodb:BatchGetItem')).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:BatchGetItem',
        Resource: { 'Fn::GetAtt': [revocationTable(env), 'Arn'] },
      },
    ]);
    expect(allowing(statements, 'kms:Decrypt')[0]?.Condition).toEqual({
      StringEquals: {
        'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
      },
    });
  });

  it('reaches DynamoDB through the gateway endpoint: HTTPS to its prefix list, looked up at deployment', () => {
    template(env).hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: getAttOf('AuthorizerHandlerSecurityGroup', 'GroupId'),
      DestinationPrefixListId: getAttOf('NetworkDynamoDbPrefixListLookup', 'PrefixLists.0.PrefixListId'),
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
    });
    // The SDK call is a JSON document joined around the region.
    const lookup = Object.values(resourcesOfType(template(env), 'Custom::AWS'))[0]?.Properties as {
      Create: { 'Fn::Join': [string, unknown[]] };
      InstallLatestAwsSdk: boolean;
    };
    const parts = lookup.Create['Fn::Join'][1];
    const call = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : '<region>')).join(''));
    expect(call).toMatchObject({
      service: 'EC2',
      action: 'DescribePrefixLists',
      parameters: { Filters: [{ Name: 'prefix-list-name', Values: ['com.amazonaws.<region>.dynamodb'] }] },
      outputPaths: ['PrefixLists.0.PrefixListId'],
    });
    expect(lookup.InstallLatestAwsSdk).toBe(false); // no download from the internet at deployment
  });

  it('lets the gateway endpoint carry every DynamoDB call the pipeline makes', () => {
    template(env).hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: Match.arrayWith([
              'dynamodb:BatchGetItem',
              'dynamodb:BatchWriteItem',
              'dynamodb:UpdateItem',
            ]),
          }),
        ],
      },
    });
  });

  it('has SQS and SNS interface endpoints that only send and publish to this account', () => {
    for (const [service, action] of [
      ['sqs', 'sqs:SendMessage'],
      ['sns', 'sns:Publish'],
    ]) {
      template(env).hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        ServiceName: Match.objectLike({
          'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, `.${service}`]],
        }),
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Action: action,
              Resource: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([`:${service}:`, ':*'])] }),
              Condition: { StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } },
            }),
          ],
        },
      });
    }
  });
});

describe.each(ENVIRONMENTS)('%s: auto-revocation', (env) => {
  const revoker = () =>
    roleStatements(template(env), functionRoleId(template(env), 'DecisionPipelineAutoRevocationRevoker'));

  it('invokes the revoker on Principal Suspected Compromise from the spike detector only', () => {
    template(env).hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^DecisionPipelineStreamBus') },
      EventPattern: { source: ['zta.spike-detector'], 'detail-type': ['Principal Suspected Compromise'] },
      Targets: [
        {
          Id: 'Target0',
          Arn: getAttOf('DecisionPipelineAutoRevocationRevokerHandlerFunction'),
          DeadLetterConfig: { Arn: getAttOf('DecisionPipelineAutoRevocationRevokerFailuresQueue') },
          RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
        },
      ],
    });
  });

  it('gives the revoker the table, bus, topic and the protected stage', () => {
    const api = logicalId(template(env), 'AWS::ApiGateway::RestApi', 'DemoApi');
    template(env).hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Revoker'),
      Timeout: 30,
      Environment: {
        Variables: {
          REVOCATIONS_TABLE_NAME: { Ref: revocationTable(env) },
          EVENT_BUS_NAME: { Ref: Match.stringLikeRegexp('^DecisionPipelineStreamBus') },
          ALERT_TOPIC_ARN: { Ref: Match.stringLikeRegexp('^MonitoringAlarmTopic') },
          PROTECTED_STAGES: { 'Fn::Join': ['', [{ Ref: api }, `/${stacks[env].config.api.stageName}`]] },
          POWERTOOLS_SERVICE_NAME: 'zta-revoker',
        },
      },
    });
  });

  it('outputs the protected stages for operators, exactly as the revoker flushes them', () => {
    const api = logicalId(template(env), 'AWS::ApiGateway::RestApi', 'DemoApi');
    const outputs = template(env).toJSON().Outputs as Record<string, { Value: unknown }>;

    expect(outputs.ProtectedStages?.Value).toEqual({
      'Fn::Join': ['', [{ Ref: api }, `/${stacks[env].config.api.stageName}`]],
    });
  });

  it('may write revocations, put Credential Revoked, publish to the topic and flush the protected stage only', () => {
    const statements = revoker();
    expect(nonPlatform(allowedActions(statements))).toEqual([
      'apigateway:DELETE',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'events:PutEvents',
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:Encrypt',
      'kms:GenerateDataKey',
      'sns:Publish',
      'sqs:SendMessage',
    ]);
    expect(allowing(statements, 'apigateway:DELETE')).toEqual([
      { Effect: 'Allow', Action: 'apigateway:DELETE', Resource: cacheArn(env) },
    ]);
    expect(allowing(statements, 'events:PutEvents')[0]?.Condition).toEqual({
      StringEquals: { 'events:source': 'zta.revoker', 'events:detail-type': 'Credential Revoked' },
    });
    expect(allowing(statements, 'sns:Publish')[0]?.Resource).toEqual({
      Ref: logicalId(template(env), 'AWS::SNS::Topic', 'MonitoringAlarmTopic'),
    });
    expect(allowing(statements, 'dynamodb:PutItem')[0]?.Resource).toEqual({
      'Fn::GetAtt': [revocationTable(env), 'Arn'],
    });
  });

  it('grants API Gateway management actions nowhere else, and never on "*"', () => {
    const apigateway = allPolicyStatements(template(env)).filter(
      (s) => s.Effect === 'Allow' && actionsOf(s as never).some((a) => a.startsWith('apigateway:')),
    );
    expect(apigateway).toHaveLength(2); // the revoker and the admin route
    for (const statement of apigateway) {
      expect(statement).toEqual({ Effect: 'Allow', Action: 'apigateway:DELETE', Resource: cacheArn(env) });
    }
  });

  it('lets only the revoker and the admin route write revocations; the authorizer only reads', () => {
    const writers = allPolicyStatements(template(env))
      .filter(
        (s) =>
          s.Effect === 'Allow' && String(JSON.stringify(s.Resource)).includes(`"${revocationTable(env)}"`),
      )
      .filter((s) =>
        actionsOf(s as never).some((a) => /PutItem|UpdateItem|DeleteItem|BatchWriteItem/.test(a)),
      );
    expect(writers).toHaveLength(2);
  });

  it('opens HTTPS to the internet (the flush has no VPC endpoint) exactly when the network has NAT', () => {
    const withNat = stacks[env].config.network.natGateways > 0;
    for (const prefix of [
      'DecisionPipelineAutoRevocationRevoker',
      'DecisionPipelineRevocationAdminFunction',
    ]) {
      const group = Object.entries(resourcesOfType(template(env), 'AWS::EC2::SecurityGroup')).find(([id]) =>
        id.startsWith(`${prefix}HandlerSecurityGroup`),
      )?.[1];
      expect(group?.Properties?.SecurityGroupEgress).toEqual(
        withNat
          ? [
              {
                CidrIp: '0.0.0.0/0',
                IpProtocol: 'tcp',
                FromPort: 443,
                ToPort: 443,
                Description: expect.stringContaining('FlushStageAuthorizersCache'),
              },
            ]
          : undefined,
      );
    }
  });
});

describe.each(ENVIRONMENTS)('%s: the revocation admin route', (env) => {
  it.each(['POST', 'DELETE', 'GET'])(
    '%s /revocations is AWS_IAM-authorized and proxied to the admin function',
    (verb) => {
      const resource = Object.entries(resourcesOfType(template(env), 'AWS::ApiGateway::Resource')).find(
        ([, r]) => r.Properties?.PathPart === 'revocations',
      )?.[0];
      template(env).hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: verb,
        ResourceId: { Ref: resource },
        AuthorizationType: 'AWS_IAM',
        AuthorizerId: Match.absent(),
        Integration: {
          Type: 'AWS_PROXY',
          IntegrationHttpMethod: 'POST',
          Uri: Match.objectLike({
            'Fn::Join': [
              '',
              Match.arrayWith([getAttOf('DecisionPipelineRevocationAdminFunctionHandlerFunction')]),
            ],
          }),
        },
      });
    },
  );

  it('lets the admin role invoke exactly those three methods, and nothing else', () => {
    const roleId = logicalId(template(env), 'AWS::IAM::Role', 'DecisionPipelineRevocationAdminAdminRole');
    const statements = roleStatements(template(env), roleId);
    expect(allowedActions(statements)).toEqual(['execute-api:Invoke']);
    const resources = JSON.stringify(statements[0]?.Resource);
    for (const verb of ['POST', 'DELETE', 'GET']) {
      expect(resources).toContain(`/${stacks[env].config.api.stageName}/${verb}/revocations`);
    }
    template(env).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({ Principal: { AWS: Match.objectLike({ 'Fn::Join': Match.anyValue() }) } }),
        ],
      },
      MaxSessionDuration: 3600,
    });
  });

  it('runs the admin function with the revoker’s powers plus the audit history (Query)', () => {
    const statements = roleStatements(
      template(env),
      functionRoleId(template(env), 'DecisionPipelineRevocationAdmin'),
    );
    const table = { 'Fn::GetAtt': [revocationTable(env), 'Arn'] };
    expect(allowing(statements, 'dynamodb:Query')).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        Resource: table,
      }),
    ]);
    expect(allowing(statements, 'apigateway:DELETE')).toHaveLength(1);
    expect(allowing(statements, 'sqs:SendMessage')).toEqual([]); // synchronous: no failure queue
  });
});
