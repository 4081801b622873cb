import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS, everyEnvironmentStack, resourcesOfType } from './helpers.ts';

// Construct ids are contract: CloudFormation replaces a resource whose logical id changes, and
// for these that loses what they hold (a table's revocations, a key's ciphertexts, a queue's
// dead letters, the archive's events, the topic's subscriptions, an API's URL). A rename, a
// moved construct or a feature flag that changes one of these ids must fail here first; change
// the list only with a migration (e.g. `cdk refactor`, or a retained copy and an import).
const { template } = everyEnvironmentStack();

const STATEFUL: Record<string, readonly string[]> = {
  'AWS::DynamoDB::Table': [
    'DecisionPipelineSpikeDetectionDenialCountersTable3B9C31D9',
    'DecisionPipelineStreamPublishedDecisionsTable2AC70F31',
    'RevocationsStoreTable5FA3D150',
    'WorkloadTokensRotationStateTableB675CC9A',
  ],
  'AWS::KMS::Key': ['PlatformKey1C4A1A63'],
  'AWS::Logs::LogGroup': [
    'AuthorizerHandlerLogGroup9F552E81',
    'DecisionPipelineAutoRevocationRevokerHandlerLogGroup7C2154F6',
    'DecisionPipelineRevocationAdminFunctionHandlerLogGroup26B6A603',
    'DecisionPipelineSpikeDetectionDetectorHandlerLogGroupED57B897',
    'DecisionPipelineStreamForwarderHandlerLogGroupBF7E778D',
    'DemoApiAccessLogsF9B672F1',
    'NetworkDynamoDbPrefixListLogGroup47E781AE',
    'NetworkFlowLogGroup4F8CEEEF',
    'WorkloadTokensApiAccessLogs6B889E79',
    'WorkloadTokensJwksHandlerLogGroupE6CDC93E',
    'WorkloadTokensKeyRotationOnDemandLogGroupEA1B1458',
    'WorkloadTokensKeyRotationScheduledLogGroup9989D8B9',
    'WorkloadTokensTokenHandlerLogGroup41E08DB5',
  ],
  'AWS::S3::Bucket': [],
  'AWS::SNS::Topic': ['MonitoringAlarmTopicAF62D4F1'],
  'AWS::SQS::Queue': [
    'DecisionPipelineAutoRevocationRevokerFailuresQueue19A3A750',
    'DecisionPipelineSpikeDetectionDetectorFailuresQueue49BF8BE9',
    'DecisionPipelineStreamDeadLettersQueue68E654BE',
    'DecisionPipelineStreamForwarderFailuresQueue4F4B898C',
    'DecisionPipelineStreamUndeliverableQueue23E46A70',
    'WorkloadTokensKeyRotationFailuresQueue43F0C29A',
  ],
  'AWS::Events::EventBus': ['DecisionPipelineStreamBus613C49D4'],
  'AWS::Events::Archive': ['DecisionPipelineStreamArchive2DE9819E'],
  // The APIs' ids are in their URLs (clients, and the authorizer's JWKS URI for the token API).
  'AWS::ApiGateway::RestApi': ['DemoApi48A1D1CD', 'WorkloadTokensApi132B9039'],
};

describe.each(ENVIRONMENTS)('%s: logical ids of stateful resources', (env) => {
  it.each(Object.entries(STATEFUL))('%s', (type, ids) => {
    expect(Object.keys(resourcesOfType(template(env), type)).sort()).toEqual(ids);
  });
});
