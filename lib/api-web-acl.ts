import { Names } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface ApiWebAclProps {
  /**
   * Requests one client IP may send in any 5 minutes; above it the IP is blocked until its
   * rate drops. AWS WAF accepts 100 to 2,000,000,000.
   * @default 2000
   */
  readonly requestsPerIpPer5Minutes?: number;
}

/**
 * The AWS managed rule groups, in evaluation order: known-bad source IPs first (cheapest),
 * then the common rule set (OWASP-style request checks, bodies over 8 KB, missing User-Agent)
 * and known bad inputs (Log4j, Java deserialization, `localhost` Host headers).
 */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
] as const;

/**
 * An AWS WAF web ACL for REGIONAL API Gateway stages: a per-IP rate rule and the AWS managed
 * rule groups above, everything else allowed through to the stage (whose authorizer decides).
 * WAF runs before the resource policy and the authorizer, so floods and known exploit shapes
 * never cost a Lambda invocation. Each rule publishes CloudWatch metrics and sampled requests.
 *
 * `associate(id, stage)` protects a stage; one web ACL may protect several.
 */
export class ApiWebAcl extends Construct {
  public readonly webAcl: wafv2.CfnWebACL;
  /** Requests per IP in any 5 minutes before the rate rule blocks. */
  public readonly requestsPerIpPer5Minutes: number;

  constructor(scope: Construct, id: string, props: ApiWebAclProps = {}) {
    super(scope, id);
    this.requestsPerIpPer5Minutes = props.requestsPerIpPer5Minutes ?? 2000;
    const name = Names.uniqueResourceName(this, { maxLength: 100 });
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const rateRule: wafv2.CfnWebACL.RuleProperty = {
      name: 'RateLimitPerIp',
      priority: 0,
      action: { block: {} },
      statement: { rateBasedStatement: { limit: this.requestsPerIpPer5Minutes, aggregateKeyType: 'IP' } },
      visibilityConfig: visibility(`${name}-RateLimitPerIp`),
    };
    const managedRules = MANAGED_RULE_GROUPS.map(
      (group, i): wafv2.CfnWebACL.RuleProperty => ({
        name: `AWS-${group}`,
        priority: i + 1,
        // `none`: the group's own actions (block) apply; `count` would only watch.
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: group } },
        visibilityConfig: visibility(`${name}-${group}`),
      }),
    );
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      description: 'Zero-trust authorizer suite: rate limit per IP and AWS managed rules before API Gateway',
      defaultAction: { allow: {} },
      rules: [rateRule, ...managedRules],
      visibilityConfig: visibility(name),
    });
  }

  /**
   * Puts the web ACL in front of `stage` (a REGIONAL REST API stage). The association also waits
   * for the stage explicitly: its ARN may not reference the stage resource.
   */
  public associate(id: string, stage: apigateway.Stage): wafv2.CfnWebACLAssociation {
    const association = new wafv2.CfnWebACLAssociation(this, id, {
      resourceArn: stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
    association.node.addDependency(stage);
    return association;
  }
}
