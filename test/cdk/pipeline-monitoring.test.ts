import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_METRICS } from '../../functions/runtime/aws/metric-catalogue.ts';
import { PipelineMonitoring } from '../../lib/pipeline-monitoring.ts';
import {
  type EnvironmentStack,
  environmentStack,
  fastApp,
  removeOutdirs,
  resourcesOfType,
} from './helpers.ts';

let dev: EnvironmentStack;
beforeAll(() => {
  dev = environmentStack('dev');
});
afterAll(removeOutdirs);

const topicRef = { Ref: Match.stringLikeRegexp('^MonitoringAlarmTopic') };
const service = (name: string) => ({ Name: 'service', Value: name });

describe('pipeline and token alarms in an environment stack', () => {
  it.each([
    {
      alarm: 'DeadLettered',
      metric: 'DecisionsDeadLettered',
      dimensions: [service('zta-decision-forwarder')],
    },
    {
      alarm: 'SigningUnavailable',
      metric: 'TokenRefusals',
      dimensions: [{ Name: 'Reason', Value: 'signing_unavailable' }, service('zta-token-service')],
    },
    { alarm: 'JwksUnavailable', metric: 'JwksUnavailable', dimensions: [service('zta-token-jwks')] },
    { alarm: 'RotationFailures', metric: 'RotationFailures', dimensions: [service('zta-key-rotation')] },
    { alarm: 'EmergencyRotation', metric: 'EmergencyRotations', dimensions: [service('zta-key-rotation')] },
  ])('$alarm: $metric ≥ 1 in one period notifies the alarm topic', ({ metric, dimensions }) => {
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ZeroTrustAuthorizer',
      MetricName: metric,
      Dimensions: dimensions,
      Statistic: 'Sum',
      Period: dev.config.alarms.periodSeconds,
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
  });

  it.each([
    {
      alarm: 'CacheFlushFailures',
      parts: [
        ['CacheFlushFailures', 'zta-revoker'],
        ['CacheFlushFailures', 'zta-revocation-admin'],
      ],
    },
    {
      alarm: 'RevocationFailures',
      parts: [
        ['RevocationFailures', 'zta-revoker'],
        ['RevocationFailures', 'zta-revocation-admin'],
        ['AnnouncementFailures', 'zta-revoker'],
        ['AnnouncementFailures', 'zta-revocation-admin'],
      ],
    },
  ])('$alarm sums the revoker and the admin route', ({ alarm, parts }) => {
    const alarms = Object.values(resourcesOfType(dev.template, 'AWS::CloudWatch::Alarm')).filter(
      (a) =>
        (String(a.Properties?.AlarmDescription).length > 0 &&
          JSON.stringify(a).includes(`"label":"${alarm}Alarm"`)) ||
        JSON.stringify(a).includes(`"Label":"${alarm}Alarm"`),
    );
    expect(alarms).toHaveLength(1);
    const metrics = (alarms[0]?.Properties?.Metrics ?? []) as {
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string; Dimensions: { Value: string }[] } };
    }[];
    const stats = metrics.flatMap((m) =>
      m.MetricStat ? [[m.MetricStat.Metric.MetricName, m.MetricStat.Metric.Dimensions[0]?.Value]] : [],
    );
    expect(stats).toEqual(parts);
    expect(metrics.find((m) => m.Expression)?.Expression).toBe(parts.map((_, i) => `m${i}`).join(' + '));
    expect(alarms[0]?.Properties).toMatchObject({ Threshold: 1, AlarmActions: [expect.anything()] });
  });

  it('adds the widgets to the authorizer dashboard, one graph per stage, with every catalogue metric', () => {
    const dashboards = Object.values(resourcesOfType(dev.template, 'AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties?.DashboardBody);
    for (const title of [
      'Decision stream (forwarder)',
      'Denial spikes',
      'Revocations',
      'Revocation failures',
      'Workload tokens',
      'Key rotation',
      'Pipeline and token alarms',
    ]) {
      expect(body).toContain(title);
    }
    for (const [svc, metrics] of Object.entries(FUNCTION_METRICS)) {
      for (const name of Object.keys(metrics)) {
        expect(body, `${svc} ${name}`).toMatch(new RegExp(`${name}.{0,80}${svc}|${svc}.{0,80}${name}`));
      }
    }
  });

  it('every metered service is a deployed function in the namespace the dashboards read', () => {
    const functions = Object.values(resourcesOfType(dev.template, 'AWS::Lambda::Function'));
    const variables = functions.map(
      (f) => (f.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables ?? {},
    );
    for (const svc of Object.keys(FUNCTION_METRICS)) {
      const deployed = variables.filter((v) => v.POWERTOOLS_SERVICE_NAME === svc);
      expect(deployed.length, svc).toBeGreaterThanOrEqual(1);
      for (const v of deployed) expect(v.POWERTOOLS_METRICS_NAMESPACE).toBe('ZeroTrustAuthorizer');
    }
  });
});

describe('PipelineMonitoring on its own', () => {
  const standalone = (props: Partial<ConstructorParameters<typeof PipelineMonitoring>[2]> = {}) => {
    const stack = new Stack(fastApp(), 'Monitoring');
    const monitoring = new PipelineMonitoring(stack, 'PipelineMonitoring', {
      alarmTopic: new sns.Topic(stack, 'Topic'),
      ...props,
    });
    return { monitoring, template: Template.fromStack(stack) };
  };

  it('creates its own dashboard, and leaves the token alarms out when asked', () => {
    const { template } = standalone({ workloadTokens: false });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    expect(JSON.stringify(template.toJSON())).not.toContain('zta-token-service');
  });

  it.each([
    { name: 'an unknown metric', call: (m: PipelineMonitoring) => m.metric('zta-revoker', 'Nope' as never) },
    {
      name: 'a dimensioned metric without its value',
      call: (m: PipelineMonitoring) => m.metric('zta-token-service', 'TokenRefusals'),
    },
    {
      name: 'a dimension value on a plain metric',
      call: (m: PipelineMonitoring) => m.metric('zta-revoker', 'Revocations', 'x'),
    },
  ])('refuses $name, naming it', ({ call }) => {
    const { monitoring } = standalone();
    expect(() => call(monitoring)).toThrow(/zta-(revoker|token-service) /);
  });
});
