import type {
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  IPolicyValidationPluginBeta1,
  PolicyValidationPluginReport,
} from 'aws-cdk-lib';

/**
 * Wraps a validation plugin so that every violation it reports is an error.
 *
 * Why: after acknowledgements are applied, aws-cdk-lib 2.276 recomputes a report's success as
 * "no remaining violation has severity error or fatal". cdk-validator-cfnguard sets no severity,
 * so one acknowledged Guard finding made every other Guard finding pass silently; and cdk-nag
 * reports some findings (e.g. AwsSolutions-APIG3) as warnings, which never fail a synth. Here an
 * unacknowledged finding of any kind fails it. The plugin name is kept, so acknowledgement ids
 * (`<plugin>::<rule>`) are unchanged.
 */
export class FailClosedPlugin implements IPolicyValidationPlugin {
  public readonly name: string;
  public readonly version?: string;
  public readonly ruleIds?: string[];

  constructor(private readonly inner: IPolicyValidationPlugin | IPolicyValidationPluginBeta1) {
    this.name = inner.name;
    if (inner.version !== undefined) this.version = inner.version;
    if (inner.ruleIds !== undefined) this.ruleIds = inner.ruleIds;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const report = this.inner.validate(context) as PolicyValidationPluginReport;
    const violations = report.violations.map((violation) => ({ ...violation, severity: 'error' }));
    return { ...report, violations, success: report.success && violations.length === 0 };
  }
}
