import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS, everyEnvironmentStack, getAttOf, resourcesOfType } from './helpers.ts';
import {
  allowedActions,
  allowing,
  dependencyCycles,
  functionRoleId,
  logicalId,
  roleStatements,
} from './pipeline-helpers.ts';

// Decisions on EventBridge and denial-spike detection (issue 5), in every environment.
const { stacks, template } = everyEnvironmentStack();
const platformKeyArn = getAttOf('PlatformKey');

describe.each(ENVIRONMENTS)('%s: decision stream', (env) => {
  it('subscribes the forwarder to decision records only, in the authorizer log group', () => {
    template(env).hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: { Ref: Match.stringLikeRegexp('^AuthorizerHandlerLogGroup') },
      FilterPattern: '{ $.schema = "zta.decision/v1" }',
      DestinationArn: getAttOf('DecisionPipelineStreamForwarderHandlerFunction'),
    });
    template(env).hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'logs.amazonaws.com',
      FunctionName: getAttOf('DecisionPipelineStreamForwarderHandlerFunction'),
      SourceArn: getAttOf('AuthorizerHandlerLogGroup'),
    });
  });

  it('has the suite bus, KMS-encrypted with the platform key, with a dead-letter queue', () => {
    template(env).resourceCountIs('AWS::Events::EventBus', 1);
    template(env).hasResourceProperties('AWS::Events::EventBus', {
      Name: `zta-${env}-decisions`,
      KmsKeyIdentifier: platformKeyArn,
      DeadLetterConfig: { Arn: getAttOf('DecisionPipelineStreamUndeliverableQueue') },
    });
  });

  it('archives every event of the bus, encrypted, for the configured retention', () => {
    template(env).hasResourceProperties('AWS::Events::Archive', {
      SourceArn: getAttOf('DecisionPipelineStreamBus'),
      EventPattern: { account: [{ Ref: 'AWS::AccountId' }] },
      RetentionDays: stacks[env].config.decisionEvents.archiveRetentionDays,
      KmsKeyIdentifier: platformKeyArn,
    });
  });

  it('lets EventBridge use the key for the bus archive only through its encryption context', () => {
    template(env).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'EventBridgeArchiveOfTheSuiteBus',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: {
              StringEquals: {
                'kms:EncryptionContext:aws:events:event-bus:arn': {
                  'Fn::Join': ['', Match.arrayWith([`:event-bus/zta-${env}-decisions`])],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  it('gives the forwarder its environment, a 60 s timeout and an on-failure queue', () => {
    template(env).hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Decision forwarder'),
      Timeout: 60,
      Runtime: 'nodejs24.x',
      Environment: {
        Variables: {
          EVENT_BUS_NAME: { Ref: Match.stringLikeRegexp('^DecisionPipelineStreamBus') },
          DEAD_LETTER_QUEUE_URL: { Ref: Match.stringLikeRegexp('^DecisionPipelineStreamDeadLettersQueue') },
          PUBLISHED_TABLE_NAME: {
            Ref: Match.stringLikeRegexp('^DecisionPipelineStreamPublishedDecisionsTable'),
          },
          POWERTOOLS_SERVICE_NAME: 'zta-decision-forwarder',
        },
      },
    });
  });

  it('lets the forwarder put only Authorization Decision events from zta.authorizer, on the suite bus only', () => {
    const statements = roleStatements(
      template(env),
      functionRoleId(template(env), 'DecisionPipelineStreamForwarder'),
    );
    expect(allowing(statements, 'events:PutEvents')).toEqual([
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: {
          'Fn::GetAtt': [
            logicalId(template(env), 'AWS::Events::EventBus', 'DecisionPipelineStreamBus'),
            'Arn',
          ],
        },
        Condition: {
          StringEquals: { 'events:source': 'zta.authorizer', 'events:detail-type': 'Authorization Decision' },
        },
      },
    ]);
    expect(allowedActions(statements).filter((a) => !/^(ec2|logs|xray|kms):/.test(a))).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'events:PutEvents',
      'sqs:SendMessage',
    ]);
  });
});

describe.each(ENVIRONMENTS)('%s: tables', (env) => {
  it.each([
    ['RevocationsStore', true],
    ['DecisionPipelineStreamPublishedDecisions', false],
    ['DecisionPipelineSpikeDetectionDenialCounters', false],
  ] as const)('%s: pk/sk, on demand, KMS with the platform key, PITR, TTL on expiresAt', (prefix, named) => {
    const retain = stacks[env].config.removalPolicy === 'retain';
    template(env).hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: platformKeyArn },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        DeletionProtectionEnabled: retain,
        TableName: named ? `zta-${env}-revocations` : Match.absent(),
      },
      DeletionPolicy: retain ? 'RetainExceptOnCreate' : 'Delete',
    });
    expect(logicalId(template(env), 'AWS::DynamoDB::Table', prefix)).toBeDefined();
  });
});

describe.each(ENVIRONMENTS)('%s: dead-letter queues', (env) => {
  // The key rotator's queue is the token service's (workload-tokens.test.ts).
  const queues = () =>
    Object.entries(resourcesOfType(template(env), 'AWS::SQS::Queue')).filter(([id]) =>
      id.startsWith('DecisionPipeline'),
    );

  it('keeps every failure: five KMS-encrypted queues, 14 days, TLS only, alarmed on', () => {
    expect(
      queues()
        .map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))
        .sort(),
    ).toEqual([
      'DecisionPipelineAutoRevocationRevokerFailuresQueue',
      'DecisionPipelineSpikeDetectionDetectorFailuresQueue',
      'DecisionPipelineStreamDeadLettersQueue',
      'DecisionPipelineStreamForwarderFailuresQueue',
      'DecisionPipelineStreamUndeliverableQueue',
    ]);
    for (const [id, queue] of queues()) {
      expect(queue.Properties).toMatchObject({
        KmsMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^PlatformKey/), 'Arn'] },
        MessageRetentionPeriod: 1_209_600,
      });
      template(env).hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
      template(env).hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id, 'QueueName'] } }],
        Threshold: 1,
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^MonitoringAlarmTopic') }],
      });
    }
  });

  it.each(['Forwarder', 'Detector', 'Revoker'])(
    'sends the %s’s failed asynchronous invocations to its failure queue after 2 retries',
    (name) => {
      template(env).hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: Match.stringLikeRegexp(`${name}HandlerFunction`) },
        MaximumRetryAttempts: 2,
        DestinationConfig: {
          OnFailure: { Destination: getAttOf(`DecisionPipeline\\w+${name}FailuresQueue`) },
        },
      });
    },
  );

  it('lets EventBridge deliver into the encrypted queues for this account only', () => {
    template(env).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'EventBridgeDeliveriesOfThisAccount',
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });
});

describe.each(ENVIRONMENTS)('%s: denial-spike detection', (env) => {
  it('sends only policy denials (403) of verified principals to the spike detector, with retries and a DLQ', () => {
    template(env).hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^DecisionPipelineStreamBus') },
      EventPattern: {
        source: ['zta.authorizer'],
        'detail-type': ['Authorization Decision'],
        detail: { status: [403], claimsVerified: [true] },
      },
      Targets: [
        {
          Id: 'Target0',
          Arn: getAttOf('DecisionPipelineSpikeDetectionDetectorHandlerFunction'),
          DeadLetterConfig: { Arn: getAttOf('DecisionPipelineSpikeDetectionDetectorFailuresQueue') },
          RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 8 },
        },
      ],
    });
  });

  it('runs the detector with the environment’s threshold and window', () => {
    const { autoRevocation } = stacks[env].config;
    template(env).hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Spike detector'),
      Timeout: 10,
      Environment: {
        Variables: {
          EVENT_BUS_NAME: { Ref: Match.stringLikeRegexp('^DecisionPipelineStreamBus') },
          COUNTER_TABLE_NAME: {
            Ref: Match.stringLikeRegexp('^DecisionPipelineSpikeDetectionDenialCountersTable'),
          },
          DENY_THRESHOLD: String(autoRevocation.denyThreshold),
          WINDOW_SECONDS: String(autoRevocation.windowSeconds),
          POWERTOOLS_SERVICE_NAME: 'zta-spike-detector',
        },
      },
    });
  });

  it('lets the detector count in its table and put only Principal Suspected Compromise', () => {
    const statements = roleStatements(
      template(env),
      functionRoleId(template(env), 'DecisionPipelineSpikeDetection'),
    );
    const counters = logicalId(
      template(env),
      'AWS::DynamoDB::Table',
      'DecisionPipelineSpikeDetectionDenialCounters',
    );
    expect(allowing(statements, 'dynamodb:UpdateItem')).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:Query', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::GetAtt': [counters, 'Arn'] },
      }),
    ]);
    expect(allowing(statements, 'events:PutEvents')).toEqual([
      expect.objectContaining({
        Condition: {
          StringEquals: {
            'events:source': 'zta.spike-detector',
            'events:detail-type': 'Principal Suspected Compromise',
          },
        },
      }),
    ]);
  });

  it('alarms on the deny rate from the EMF metrics, notifying the SNS topic', () => {
    const { alarms } = stacks[env].config;
    const metric = (outcome: string) =>
      Match.objectLike({
        MetricStat: {
          Metric: {
            Namespace: 'ZeroTrustAuthorizer',
            MetricName: 'Decisions',
            Dimensions: Match.arrayWith([
              { Name: 'Outcome', Value: outcome },
              { Name: 'service', Value: 'zta-authorizer' },
            ]),
          },
          Period: alarms.periodSeconds,
          Stat: 'Sum',
        },
      });
    template(env).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: alarms.denyRatePercent,
      EvaluationPeriods: alarms.evaluationPeriods,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Metrics: Match.arrayWith([
        Match.objectLike({
          Expression: Match.stringLikeRegexp(
            `^IF\\(FILL\\(denied, 0\\) \\+ FILL\\(allowed, 0\\) >= ${alarms.denyRateMinDecisions}, 100 \\* FILL\\(denied, 0\\)`,
          ),
        }),
        metric('DENY'),
        metric('ALLOW'),
      ]),
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^MonitoringAlarmTopic') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^MonitoringAlarmTopic') }],
    });
    // The handler's EMF namespace is the one the alarm reads.
    template(env).hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Zero-trust authorizer'),
      Environment: { Variables: Match.objectLike({ POWERTOOLS_METRICS_NAMESPACE: 'ZeroTrustAuthorizer' }) },
    });
  });

  it('forwards the deny-rate alarm’s state changes from the default bus to the suite bus', () => {
    const alarm = logicalId(
      template(env),
      'AWS::CloudWatch::Alarm',
      'DecisionPipelineSpikeDetectionDenyRateAlarm',
    );
    template(env).hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.absent(),
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        resources: [{ 'Fn::GetAtt': [alarm, 'Arn'] }],
      },
      Targets: [
        Match.objectLike({
          Arn: getAttOf('DecisionPipelineStreamBus'),
          RoleArn: getAttOf('DecisionPipelineSpikeDetectionDenyRateStateChangesEventsRole'),
          DeadLetterConfig: { Arn: getAttOf('DecisionPipelineStreamUndeliverableQueue') },
        }),
      ],
    });
  });

  it('has no dependency cycle CloudFormation would refuse', () => {
    expect(dependencyCycles(template(env))).toEqual([]);
  });
});
