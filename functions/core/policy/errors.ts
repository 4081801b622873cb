/**
 * Errors of the policy layer. A policy set that cannot be loaded is a `PolicyLoadError` thrown at
 * construction (cold start); a scenario file that does not parse is a `ScenarioFormatError`.
 * Neither is ever thrown by `PolicyEngine.evaluate`, which fails closed instead.
 */

/** The policy source was refused. `problems` holds one line per problem, each naming its file and policy. */
export class PolicyLoadError extends Error {
  override readonly name = 'PolicyLoadError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`policy set refused (${count}):\n- ${problems.join('\n- ')}`);
    this.problems = Object.freeze([...problems]);
  }
}

/** A scenario file is not valid; the message names the file, the scenario index and the field. */
export class ScenarioFormatError extends Error {
  override readonly name = 'ScenarioFormatError';
}
