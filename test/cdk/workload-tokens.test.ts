import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseAuthorizerConfig } from '../../functions/core/config/authorizer-config.ts';
import { withDeployedIssuers } from '../../functions/runtime/deployed-issuers.ts';
import { parseTokenServiceConfig } from '../../functions/workload-keys/config.ts';
import { signingKeyPolicy } from '../../functions/workload-keys/key-policy.ts';
import {
  allPolicyStatements,
  ENVIRONMENTS,
  type EnvironmentName,
  everyEnvironmentStack,
  resourcesOfType,
} from './helpers.ts';
import {
  actionsOf,
  allowedActions,
  allowing,
  dependencyCycles,
  functionRoleId,
  logicalId,
  roleStatements,
  type Statement,
} from './pipeline-helpers.ts';

// Issue 4's resources in every environment's stack: the rotation state table, the rotator
// (schedule, concurrency, failure handling, KMS permissions), the signer, the token API and
// the authorizer's trust in the suite's own issuer.
const { stacks, template } = everyEnvironmentStack();
const tokenConfig = (env: EnvironmentName) => stacks[env].config.tokenService;
const id = (env: EnvironmentName, type: string, prefix: string) => logicalId(template(env), type, prefix);
const fn = (env: EnvironmentName, prefix: string) => id(env, 'AWS::Lambda::Function', prefix);
const resource = (env: EnvironmentName, logical: string) =>
  (template(env).toJSON() as { Resources: Record<string, Record<string, unknown>> }).Resources[logical] as {
    Properties: Record<string, unknown>;
    DeletionPolicy?: string;
  };
const getAtt = (logical: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [logical, attribute] });
const kmsArn = (rest: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':kms:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:${rest}`,
    ],
  ],
});
const rotatorRole = (env: EnvironmentName) => id(env, 'AWS::IAM::Role', 'WorkloadTokensRotatorRole');
const signerRole = (env: EnvironmentName) => id(env, 'AWS::IAM::Role', 'WorkloadTokensSignerRole');
const statementsOf = (document: unknown): Statement[] =>
  (document as { Statement?: Statement[] } | undefined)?.Statement ?? [];
const bySid = (statements: Statement[], sid: string) =>
  statements.filter((s) => (s as { Sid?: string }).Sid === sid);

/** A stand-in ARN for a role's `Fn::GetAtt`, so a `Fn::Join` can be read as the function will. */
const fakeRoleArn = (logical: string) => `arn:aws:iam::123456789012:role/${logical}`;
/** A `Ref` as `${Id}` by default; `deployed` reads it as CloudFormation would (a host-safe value). */
const asPlaceholder = (ref: string) => `\${${ref}}`;
const deployed = (ref: string) =>
  ({ 'AWS::Region': 'eu-west-1', 'AWS::URLSuffix': 'amazonaws.com' })[ref] ?? ref.toLowerCase();
function resolveJoin(value: unknown, ref: (id: string) => string = asPlaceholder): string {
  if (typeof value === 'string') return value;
  const parts = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const getAtt = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
      if (getAtt) return fakeRoleArn(getAtt[0]);
      return ref((part as { Ref: string }).Ref);
    })
    .join('');
}
function variable(env: EnvironmentName, functionId: string, name: string): unknown {
  const env_ = resource(env, functionId).Properties.Environment as { Variables: Record<string, unknown> };
  return env_.Variables[name];
}

describe.each(ENVIRONMENTS)('%s: the rotation state table', (env) => {
  const table = () => id(env, 'AWS::DynamoDB::Table', 'WorkloadTokensRotationState');

  it('is keyed by pk alone, on demand, encrypted with the platform key, with point-in-time recovery', () => {
    template(env).hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: getAtt(id(env, 'AWS::KMS::Key', 'PlatformKey')),
      },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    const properties = resource(env, table()).Properties;
    expect(properties.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(properties.TimeToLiveSpecification).toBeUndefined();
    expect(properties.StreamSpecification).toBeUndefined();
  });

  it('follows the environment removal policy (retained and deletion-protected in prod)', () => {
    const retain = stacks[env].config.removalPolicy === 'retain';
    expect(resource(env, table()).DeletionPolicy).toBe(retain ? 'RetainExceptOnCreate' : 'Delete');
    expect(resource(env, table()).Properties.DeletionProtectionEnabled).toBe(retain);
  });

  it('is read by the JWKS function (GetItem only) and written by the rotator (GetItem, PutItem)', () => {
    const arn = getAtt(table());
    const jwks = roleStatements(template(env), functionRoleId(template(env), 'WorkloadTokensJwksHandler'));
    expect(allowing(jwks, 'dynamodb:GetItem')).toEqual([
      { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: arn },
    ]);
    expect(allowedActions(jwks).filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:GetItem']);
    const rotator = roleStatements(template(env), rotatorRole(env));
    expect(allowedActions(rotator).filter((a) => a.startsWith('dynamodb:'))).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
    ]);
    expect(allowing(rotator, 'dynamodb:PutItem').map((s) => s.Resource)).toEqual([arn]);
  });
});

describe.each(ENVIRONMENTS)('%s: the rotator', (env) => {
  const scheduled = () => fn(env, 'WorkloadTokensKeyRotationScheduled');
  const onDemand = () => fn(env, 'WorkloadTokensKeyRotationOnDemand');
  const queue = () => id(env, 'AWS::SQS::Queue', 'WorkloadTokensKeyRotationFailures');

  it('runs on an EventBridge Scheduler rate from the config, with retries and a dead-letter queue', () => {
    const minutes = tokenConfig(env).rotationCheckMinutes;
    const hours = minutes / 60;
    const rate = Number.isInteger(hours)
      ? `rate(${hours} hour${hours > 1 ? 's' : ''})`
      : `rate(${minutes} minutes)`;
    template(env).hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: rate,
      State: 'ENABLED',
      Target: {
        Arn: getAtt(scheduled()),
        RoleArn: getAtt(id(env, 'AWS::IAM::Role', 'WorkloadTokensKeyRotationSchedulerRole')),
        DeadLetterConfig: { Arn: getAtt(queue()) },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: minutes * 60 },
      },
    });
  });

  it('lets the scheduler invoke exactly the scheduled function and deliver to the queue, nothing else', () => {
    const statements = roleStatements(
      template(env),
      id(env, 'AWS::IAM::Role', 'WorkloadTokensKeyRotationSchedulerRole'),
    );
    expect(allowedActions(statements)).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'lambda:InvokeFunction',
      'sqs:SendMessage',
    ]);
    expect(allowing(statements, 'lambda:InvokeFunction').map((s) => s.Resource)).toEqual([
      getAtt(scheduled()),
    ]);
  });

  it('has the configured reserved concurrency, one role for both entry points, and an on-failure destination', () => {
    const reserved = stacks[env].config.reservedConcurrency.keyRotator;
    for (const logical of [scheduled(), onDemand()]) {
      expect(resource(env, logical).Properties).toMatchObject({
        Role: getAtt(rotatorRole(env)),
        Handler: 'index.handler',
      });
      expect(resource(env, logical).Properties.ReservedConcurrentExecutions).toBe(reserved ?? undefined);
    }
    template(env).hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: scheduled() },
      DestinationConfig: { OnFailure: { Destination: getAtt(queue()) } },
    });
  });

  it('keeps failures in a KMS-encrypted queue for 14 days', () => {
    expect(resource(env, queue()).Properties).toMatchObject({
      KmsMasterKeyId: getAtt(id(env, 'AWS::KMS::Key', 'PlatformKey')),
      MessageRetentionPeriod: 1_209_600,
    });
  });

  it('alarms on a failed scheduled run, to the alarm topic', () => {
    template(env).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: scheduled() } }],
      Threshold: 1,
      AlarmActions: [{ Ref: id(env, 'AWS::SNS::Topic', 'MonitoringAlarmTopic') }],
    });
  });

  it('may create only P-256 signing keys tagged with its rotation id, and no other tag keys', () => {
    const rotationId = `zta-token-${env}`;
    const statements = roleStatements(template(env), rotatorRole(env));
    expect(bySid(statements, 'CreateSigningKeysOnly')).toEqual([
      {
        Sid: 'CreateSigningKeysOnly',
        Effect: 'Allow',
        Action: 'kms:CreateKey',
        Resource: '*',
        Condition: {
          StringEquals: {
            'kms:KeySpec': 'ECC_NIST_P256',
            'kms:KeyUsage': 'SIGN_VERIFY',
            'aws:RequestTag/zta:rotation-id': rotationId,
          },
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['zta:rotation-id', 'zta:generation'] },
        },
      },
    ]);
    expect(allowing(statements, 'kms:CreateKey')).toHaveLength(1);
    expect(allowing(statements, 'kms:TagResource')).toEqual([
      {
        Sid: 'TagNewKeysForThisRotation',
        Effect: 'Allow',
        Action: 'kms:TagResource',
        Resource: kmsArn('key/*'),
        Condition: {
          StringEquals: { 'aws:RequestTag/zta:rotation-id': rotationId },
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['zta:rotation-id', 'zta:generation'] },
        },
      },
    ]);
  });

  it('may disable, schedule deletion of and re-policy only keys tagged with its rotation id', () => {
    const statements = roleStatements(template(env), rotatorRole(env));
    for (const action of [
      'kms:DisableKey',
      'kms:ScheduleKeyDeletion',
      'kms:PutKeyPolicy',
      'kms:GetPublicKey',
    ]) {
      expect(allowing(statements, action)).toEqual([
        expect.objectContaining({
          Resource: kmsArn('key/*'),
          Condition: { StringEquals: { 'aws:ResourceTag/zta:rotation-id': `zta-token-${env}` } },
        }),
      ]);
    }
  });

  it('may move only its own alias, and only onto its own keys', () => {
    const statements = roleStatements(template(env), rotatorRole(env));
    for (const action of ['kms:CreateAlias', 'kms:UpdateAlias']) {
      const resources = allowing(statements, action).map((s) => [s.Resource, s.Condition]);
      expect(resources).toEqual([
        [kmsArn('key/*'), { StringEquals: { 'aws:ResourceTag/zta:rotation-id': `zta-token-${env}` } }],
        [kmsArn(`alias/zta-token-${env}`), undefined],
      ]);
    }
  });

  it('has exactly the KMS actions the rotation code calls, and never kms:Sign', () => {
    const kms = allowedActions(roleStatements(template(env), rotatorRole(env))).filter((a) =>
      a.startsWith('kms:'),
    );
    expect(kms).toEqual(
      [
        'kms:CreateAlias',
        'kms:CreateKey',
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:DisableKey',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'kms:GetPublicKey',
        'kms:ListKeys',
        'kms:ListResourceTags',
        'kms:PutKeyPolicy',
        'kms:ScheduleKeyDeletion',
        'kms:TagResource',
        'kms:UpdateAlias',
      ].sort(),
    );
  });

  it('gets CreateKey, ListKeys and its alias through the KMS endpoint, and no other principal does', () => {
    const endpoint = id(env, 'AWS::EC2::VPCEndpoint', 'NetworkVpcKms');
    const statements = (resource(env, endpoint).Properties.PolicyDocument as { Statement: Statement[] })
      .Statement;
    const onlyRotator = { ArnEquals: { 'aws:PrincipalArn': getAtt(rotatorRole(env)) } };
    expect(allowing(statements, 'kms:CreateKey')).toEqual([
      expect.objectContaining({ Resource: '*', Condition: onlyRotator }),
    ]);
    expect(allowing(statements, 'kms:UpdateAlias')).toEqual([
      expect.objectContaining({ Resource: kmsArn(`alias/zta-token-${env}`), Condition: onlyRotator }),
    ]);
  });

  it('leaves the signing keys and their alias out of the stack (the rotator creates them)', () => {
    const keys = Object.values(resourcesOfType(template(env), 'AWS::KMS::Key'));
    expect(keys.filter((k) => k.Properties?.KeySpec !== undefined)).toEqual([]);
    const aliases = Object.values(resourcesOfType(template(env), 'AWS::KMS::Alias'));
    expect(aliases.map((a) => a.Properties?.AliasName)).not.toContain(`alias/zta-token-${env}`);
  });
});

describe.each(ENVIRONMENTS)('%s: signing', (env) => {
  it('only the token service role may kms:Sign, ES256 only, on keys tagged with its rotation id', () => {
    const signing = (s: Statement) =>
      s.Effect === 'Allow' &&
      actionsOf(s).some((a) => a === 'kms:Sign' || a === 'kms:*' || a === '*' || a === 'kms:Sign*');
    const signers = Object.values(resourcesOfType(template(env), 'AWS::IAM::Policy'))
      .filter((p) => statementsOf(p.Properties?.PolicyDocument).some(signing))
      .map((p) => p.Properties?.Roles);
    expect(signers).toEqual([[{ Ref: signerRole(env) }]]);
    const inline = Object.values(resourcesOfType(template(env), 'AWS::IAM::Role')).flatMap((role) =>
      ((role.Properties?.Policies ?? []) as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap(
        (p) => p.PolicyDocument.Statement,
      ),
    );
    expect(inline.filter(signing)).toEqual([]);
    expect(allowing(roleStatements(template(env), signerRole(env)), 'kms:Sign')).toEqual([
      {
        Sid: 'SignEs256WithThisRotationsKeys',
        Effect: 'Allow',
        Action: 'kms:Sign',
        Resource: kmsArn('key/*'),
        Condition: {
          StringEquals: {
            'aws:ResourceTag/zta:rotation-id': `zta-token-${env}`,
            'kms:SigningAlgorithm': 'ECDSA_SHA_256',
          },
        },
      },
    ]);
  });

  it('the token function has no other KMS action than resolving the alias and reading public keys, and no table', () => {
    const statements = roleStatements(template(env), signerRole(env));
    expect(allowedActions(statements).filter((a) => !/^(ec2|logs|xray):/.test(a))).toEqual([
      'kms:DescribeKey',
      'kms:GetPublicKey',
      'kms:Sign',
    ]);
    const jwks = roleStatements(template(env), functionRoleId(template(env), 'WorkloadTokensJwksHandler'));
    expect(allowedActions(jwks).filter((a) => a.startsWith('kms:'))).toEqual([
      'kms:Decrypt',
      'kms:DescribeKey',
    ]);
    expect(allowing(jwks, 'kms:DescribeKey')[0]?.Condition).toEqual({
      StringEquals: {
        'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
      },
    });
  });

  it('gives every new key a policy where only the signer signs and only the rotator retires', () => {
    const signer = fakeRoleArn(signerRole(env));
    const rotator = fakeRoleArn(rotatorRole(env));
    const functions = [
      'WorkloadTokensTokenHandler',
      'WorkloadTokensJwksHandler',
      'WorkloadTokensKeyRotationScheduled',
      'WorkloadTokensKeyRotationOnDemand',
    ];
    for (const prefix of functions) {
      const config = parseTokenServiceConfig(
        JSON.parse(resolveJoin(variable(env, fn(env, prefix), 'ZTA_TOKEN_CONFIG'))),
      );
      expect(config).toMatchObject({
        issuer: tokenConfig(env).issuer,
        environment: env,
        signing: {
          keyAlias: `alias/zta-token-${env}`,
          keyPolicy: { signerRoleArns: [signer], rotatorRoleArn: rotator },
        },
        rotation: { id: `zta-token-${env}` },
      });
      // Who may ask for tokens is the token function's business alone.
      expect(config.workloads.length).toBe(
        prefix === 'WorkloadTokensTokenHandler' ? tokenConfig(env).workloadRoleArns.length : 0,
      );
      if (!config.signing.keyPolicy) throw new Error('no key policy');
      const policy = JSON.parse(signingKeyPolicy(config.signing.keyPolicy)) as {
        Statement: Array<Statement & { Principal: { AWS: unknown }; Sid: string }>;
      };
      const allowedToSign = policy.Statement.filter(
        (s) => s.Effect === 'Allow' && actionsOf(s).includes('kms:Sign'),
      );
      expect(allowedToSign.map((s) => s.Principal.AWS)).toEqual([[signer]]);
      expect(bySid(policy.Statement, 'NobodyElseSigns')[0]?.Condition).toEqual({
        ArnNotEquals: { 'aws:PrincipalArn': [signer] },
      });
      expect(bySid(policy.Statement, 'OnlyRotatorRetires')[0]?.Condition).toEqual({
        ArnNotEquals: { 'aws:PrincipalArn': rotator },
      });
    }
  });
});

describe.each(ENVIRONMENTS)('%s: the token API', (env) => {
  const api = () => id(env, 'AWS::ApiGateway::RestApi', 'WorkloadTokensApi');

  it('serves POST /token with AWS_IAM authorization, to the token function', () => {
    template(env).hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'AWS_IAM',
      ResourceId: { Ref: id(env, 'AWS::ApiGateway::Resource', 'WorkloadTokensApitoken') },
      Integration: {
        Type: 'AWS_PROXY',
        Uri: { 'Fn::Join': ['', Match.arrayWith([getAtt(fn(env, 'WorkloadTokensTokenHandler'))])] },
      },
      RequestModels: {
        'application/json': { Ref: Match.stringLikeRegexp('^WorkloadTokensApiTokenRequest') },
      },
    });
    template(env).hasResourceProperties('AWS::ApiGateway::Resource', {
      PathPart: 'token',
      ParentId: getAtt(api(), 'RootResourceId'),
    });
  });

  it('serves GET /.well-known/jwks.json without authorization, to the JWKS function', () => {
    const wellKnown = id(env, 'AWS::ApiGateway::Resource', 'WorkloadTokensApiwellknownC');
    template(env).hasResourceProperties('AWS::ApiGateway::Resource', {
      PathPart: '.well-known',
      ParentId: getAtt(api(), 'RootResourceId'),
    });
    template(env).hasResourceProperties('AWS::ApiGateway::Resource', {
      PathPart: 'jwks.json',
      ParentId: { Ref: wellKnown },
    });
    template(env).hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'NONE',
      ResourceId: { Ref: id(env, 'AWS::ApiGateway::Resource', 'WorkloadTokensApiwellknownjwksjson') },
      Integration: {
        Type: 'AWS_PROXY',
        Uri: { 'Fn::Join': ['', Match.arrayWith([getAtt(fn(env, 'WorkloadTokensJwksHandler'))])] },
      },
    });
    // No method of this API is behind the JWT authorizer.
    const methods = Object.entries(resourcesOfType(template(env), 'AWS::ApiGateway::Method')).filter(([m]) =>
      m.startsWith('WorkloadTokensApi'),
    );
    expect(methods.map(([, m]) => m.Properties?.AuthorizationType).sort()).toEqual(['AWS_IAM', 'NONE']);
  });

  it('denies POST /token to every principal but the configured workload roles', () => {
    const policy = resource(env, api()).Properties.Policy as { Statement: Statement[] };
    expect(policy.Statement).toContainEqual({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'execute-api:Invoke',
      Resource: 'execute-api:/*/*/token',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': [...tokenConfig(env).workloadRoleArns] } },
    });
  });

  it('has the environment endpoint type (PRIVATE: only through the execute-api endpoint) and throttling', () => {
    const privateApi = stacks[env].config.api.endpointType === 'PRIVATE';
    const properties = resource(env, api()).Properties;
    expect((properties.EndpointConfiguration as { Types: string[] }).Types).toEqual([
      privateApi ? 'PRIVATE' : 'REGIONAL',
    ]);
    const denyOthers = (properties.Policy as { Statement: Statement[] }).Statement.filter(
      (s) => s.Effect === 'Deny' && s.Resource === 'execute-api:/*',
    );
    expect(denyOthers.map((s) => Object.keys(s.Condition ?? {}))).toEqual(
      privateApi ? [['StringNotEquals']] : [],
    );
    const { rateLimit, burstLimit } = tokenConfig(env).throttling;
    template(env).hasResourceProperties('AWS::ApiGateway::Stage', {
      RestApiId: { Ref: api() },
      StageName: stacks[env].config.api.stageName,
      TracingEnabled: true,
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ThrottlingRateLimit: rateLimit, ThrottlingBurstLimit: burstLimit }),
      ]),
    });
  });

  it('outputs the token and JWKS URLs, the issuer, the rotator for operators and the bootstrap command', () => {
    const outputs = template(env).toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(resolveJoin(outputs.JwksUrl?.Value)).toBe(
      `https://\${${api()}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/${stacks[env].config.api.stageName}/.well-known/jwks.json`,
    );
    expect(resolveJoin(outputs.TokenEndpointUrl?.Value)).toMatch(/\/token$/);
    expect(outputs.TokenIssuer?.Value).toBe(tokenConfig(env).issuer);
    expect(outputs.KeyRotatorFunctionName?.Value).toEqual({
      Ref: fn(env, 'WorkloadTokensKeyRotationOnDemand'),
    });
    expect(resolveJoin(outputs.KeyRotationBootstrapCommand?.Value)).toBe(
      `aws lambda invoke --region \${AWS::Region} --function-name \${${fn(env, 'WorkloadTokensKeyRotationScheduled')}} out.json`,
    );
  });
});

describe.each(ENVIRONMENTS)('%s: the authorizer and the suite issuer', (env) => {
  const authorizer = () => fn(env, 'AuthorizerHandler');

  it('trusts the suite issuer through ZTA_DEPLOYED_ISSUERS exactly when the config asks', () => {
    const trust = tokenConfig(env).authorizerTrust;
    const value = variable(env, authorizer(), 'ZTA_DEPLOYED_ISSUERS');
    if (trust === null) {
      expect(value).toBeUndefined();
      return;
    }
    const packaged = parseAuthorizerConfig(
      { issuers: stacks[env].config.authorizer.runtime.issuers, revocations: null },
      { baseDir: stacks[env].config.authorizer.baseDir, defaultPoliciesDir: '/policies' },
    );
    const config = withDeployedIssuers(packaged, resolveJoin(value, deployed));
    expect(config.issuers.at(-1)).toMatchObject({
      issuer: tokenConfig(env).issuer,
      audiences: trust.audience,
      algorithms: ['ES256'],
      maxLifetimeSeconds: tokenConfig(env).maxTtlSeconds,
      clockToleranceSeconds: tokenConfig(env).clockToleranceSeconds,
      jwks: {
        kind: 'uri',
        uri: `https://${id(env, 'AWS::ApiGateway::RestApi', 'WorkloadTokensApi').toLowerCase()}.execute-api.eu-west-1.amazonaws.com/${stacks[env].config.api.stageName}/.well-known/jwks.json`,
        maxAgeSeconds: trust.jwksCacheSeconds,
      },
    });
  });

  it('reaches the JWKS: through the execute-api endpoint for a PRIVATE API (HTTPS to the endpoints)', () => {
    if (tokenConfig(env).authorizerTrust === null) return;
    expect(stacks[env].config.api.endpointType).toBe('PRIVATE');
    const sg = id(env, 'AWS::EC2::SecurityGroup', 'AuthorizerHandlerSecurityGroup');
    template(env).hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: getAtt(sg, 'GroupId'),
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      DestinationSecurityGroupId: getAtt(
        id(env, 'AWS::EC2::SecurityGroup', 'NetworkEndpointSecurityGroup'),
        'GroupId',
      ),
    });
  });
});

describe.each(ENVIRONMENTS)('%s: the whole stack', (env) => {
  it('has no dependency cycle', () => {
    expect(dependencyCycles(template(env))).toEqual([]);
  });

  it('grants the token service no wildcard action', () => {
    const ours = Object.values(resourcesOfType(template(env), 'AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties?.Roles).includes('"WorkloadTokens'),
    );
    expect(ours.length).toBeGreaterThanOrEqual(5);
    const statements = ours.flatMap((p) => statementsOf(p.Properties?.PolicyDocument));
    expect(statements.flatMap(actionsOf).filter((a) => a.includes('*'))).toEqual([]);
    expect(allPolicyStatements(template(env)).length).toBeGreaterThan(statements.length);
  });
});
