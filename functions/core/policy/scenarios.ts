/**
 * Runs policy scenarios (request facts → expected decision and reason) against an engine. Pure:
 * reading the files is the caller's job (`functions/runtime/policy-dir.ts`).
 */
import type { PolicyReason } from '../reasons.ts';
import type { Scenario, ScenarioExpectation } from './scenario-format.ts';
import type { PolicyEngine } from './types.ts';

export type { Scenario, ScenarioExpectation } from './scenario-format.ts';
export { parseScenarios, parseScenarioText, SCENARIO_DEFAULTS } from './scenario-format.ts';

/** What the engine answered, in the scenario's vocabulary. */
export interface ScenarioOutcome {
  readonly decision: 'allow' | 'deny';
  readonly reason?: PolicyReason;
  readonly determiningPolicies: readonly string[];
  /** Evaluation errors, present only for a `policy_error` deny. */
  readonly errors?: readonly string[];
}

/** One scenario's verdict. */
export interface ScenarioResult {
  readonly file: string;
  readonly name: string;
  readonly passed: boolean;
  readonly expected: ScenarioExpectation;
  readonly actual: ScenarioOutcome;
}

/** Evaluates every scenario in order; a scenario passes when decision, reason and (if given) policies match. */
export function runScenarios(engine: PolicyEngine, scenarios: readonly Scenario[]): ScenarioResult[] {
  return scenarios.map((scenario) => {
    const result = engine.evaluate(scenario.input);
    const actual: ScenarioOutcome =
      result.decision === 'allow'
        ? { decision: 'allow', determiningPolicies: result.determiningPolicies }
        : {
            decision: 'deny',
            reason: result.reason,
            determiningPolicies: result.determiningPolicies,
            ...(result.errors.length > 0 ? { errors: result.errors } : {}),
          };
    return {
      file: scenario.file,
      name: scenario.name,
      passed: matches(scenario.expect, actual),
      expected: scenario.expect,
      actual,
    };
  });
}

function matches(expected: ScenarioExpectation, actual: ScenarioOutcome): boolean {
  if (expected.decision !== actual.decision || expected.reason !== actual.reason) return false;
  if (expected.policies === undefined) return true;
  const want = [...expected.policies].sort();
  const got = [...actual.determiningPolicies].sort();
  return want.length === got.length && want.every((id, i) => id === got[i]);
}
