import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS, type EnvironmentName, everyEnvironmentStack, resourcesOfType } from './helpers.ts';
import { logicalId, type Statement } from './pipeline-helpers.ts';

// A topic policy replaces SNS's default policy: with only the TLS deny, CloudWatch could not
// publish and no alarm would reach anyone. Every alarm of the stack must reach a topic that
// lets CloudWatch publish, with a key CloudWatch may use, for this account's alarms only.
const { template } = everyEnvironmentStack();

const topicId = (env: EnvironmentName) => logicalId(template(env), 'AWS::SNS::Topic', 'MonitoringAlarmTopic');
const account = { Ref: 'AWS::AccountId' };
const alarmsOfThisAccount = {
  StringEquals: { 'aws:SourceAccount': account },
  ArnLike: {
    'aws:SourceArn': {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', account, ':alarm:*'],
      ],
    },
  },
};
const cloudWatch = { Service: 'cloudwatch.amazonaws.com' };

/** A resource property that must be there (the test fails with its name otherwise). */
function property<T>(resource: { Properties?: Record<string, unknown> } | undefined, name: string): T {
  const value = resource?.Properties?.[name];
  if (value === undefined) throw new Error(`no ${name}`);
  return value as T;
}

function topicPolicyStatements(env: EnvironmentName): Statement[] {
  const policies = Object.values(resourcesOfType(template(env), 'AWS::SNS::TopicPolicy')).filter((p) =>
    JSON.stringify(p.Properties?.Topics).includes(`"${topicId(env)}"`),
  );
  expect(policies).toHaveLength(1);
  return property<{ Statement: Statement[] }>(policies[0], 'PolicyDocument').Statement;
}

describe.each(ENVIRONMENTS)('%s: alarm notifications', (env) => {
  it('lets CloudWatch publish to the alarm topic, only for alarms of this account and region', () => {
    const allows = topicPolicyStatements(env).filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Sid: 'CloudWatchAlarmsOfThisAccount',
        Effect: 'Allow',
        Principal: cloudWatch,
        Action: 'sns:Publish',
        Resource: { Ref: topicId(env) },
        Condition: alarmsOfThisAccount,
      },
    ]);
  });

  it('still refuses publishing without TLS', () => {
    expect(topicPolicyStatements(env)).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'sns:Publish',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it("lets CloudWatch use the topic's key to encrypt the notification, for those alarms only", () => {
    const topic = resourcesOfType(template(env), 'AWS::SNS::Topic')[topicId(env)];
    const keyId = property<{ 'Fn::GetAtt': [string, string] }>(topic, 'KmsMasterKeyId')['Fn::GetAtt'][0];
    const key = resourcesOfType(template(env), 'AWS::KMS::Key')[keyId];
    const statements = property<{ Statement: Statement[] }>(key, 'KeyPolicy').Statement;
    const forCloudWatch = statements.filter((s) => JSON.stringify(s).includes('cloudwatch.amazonaws.com'));
    expect(forCloudWatch).toEqual([
      {
        Sid: 'CloudWatchAlarmsOfThisAccount',
        Effect: 'Allow',
        Principal: cloudWatch,
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: alarmsOfThisAccount,
      },
    ]);
  });

  it('sends every alarm of the stack to that topic', () => {
    const alarms = Object.entries(resourcesOfType(template(env), 'AWS::CloudWatch::Alarm'));
    // failures, latency, throttles, deny rate, key rotation errors, six dead-letter queues, and
    // the seven pipeline and token alarms (lib/pipeline-monitoring.ts)
    expect(alarms).toHaveLength(18);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties?.ActionsEnabled ?? true, id).toBe(true);
      expect(alarm.Properties?.AlarmActions, id).toEqual([{ Ref: topicId(env) }]);
    }
  });
});
