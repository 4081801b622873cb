/**
 * Reads a policy folder from disk: `schema.cedarschema`, every `*.cedar` file directly inside it
 * (sub-folders such as `scenarios/` and `infra/` are not policy text), and `scenarios/*.json`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createPolicyEngine, type LoadedPolicyEngine, type PolicySource } from '../core/policy/engine.ts';
import { PolicyLoadError } from '../core/policy/errors.ts';
import {
  parseScenarioText,
  runScenarios,
  type Scenario,
  type ScenarioExpectation,
  type ScenarioOutcome,
} from '../core/policy/scenarios.ts';

/** File name of the Cedar schema inside a policy folder. */
export const SCHEMA_FILE = 'schema.cedarschema';
/** Folder (inside the policy folder) holding scenario files. */
export const SCENARIO_DIR = 'scenarios';

/** Reads `dir` into a `PolicySource`; throws an `Error` naming the folder when it is not a usable policy folder. */
export function readPolicySource(dir: string): PolicySource {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`policy folder ${dir}: does not exist or is not a folder`);
  }
  const schemaPath = join(dir, SCHEMA_FILE);
  if (!existsSync(schemaPath)) {
    throw new Error(
      `policy folder ${dir}: no ${SCHEMA_FILE}; policies are validated against it and cannot load without it`,
    );
  }
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.cedar'))
    .map((entry) => entry.name)
    .sort();
  if (files.length === 0)
    throw new Error(`policy folder ${dir}: no *.cedar files; every request would be denied`);
  const policies: Record<string, string> = {};
  for (const file of files) policies[file] = readFileSync(join(dir, file), 'utf8');
  return { schema: readFileSync(schemaPath, 'utf8'), policies };
}

/** One scenario's line in a validation report. */
export interface ScenarioReport {
  /** Relative to the policy folder, e.g. `scenarios/sensitive.json`. */
  readonly file: string;
  readonly name: string;
  readonly passed: boolean;
  readonly expected: ScenarioExpectation;
  readonly actual: ScenarioOutcome;
}

/** What `zta validate` prints. `ok` is true only when the set loads, every scenario file parses and every scenario passes. */
export interface PolicyDirReport {
  readonly ok: boolean;
  /** Present when the set loaded. */
  readonly revision?: string;
  readonly policyIds: string[];
  /** Load problems and scenario-file format errors, one line each. */
  readonly errors: string[];
  readonly scenarios: ScenarioReport[];
}

/** Loads the folder's policy set and runs its scenarios. Never throws: every problem lands in `errors`. */
export function validatePolicyDir(dir: string): PolicyDirReport {
  const errors: string[] = [];
  let engine: LoadedPolicyEngine | undefined;
  try {
    engine = createPolicyEngine(readPolicySource(dir));
  } catch (error) {
    if (error instanceof PolicyLoadError) errors.push(...error.problems);
    else errors.push(error instanceof Error ? error.message : String(error));
  }
  const scenarios = readScenarios(dir, errors);
  const results = engine ? runScenarios(engine, scenarios) : [];
  return {
    ok: errors.length === 0 && results.every((result) => result.passed),
    ...(engine ? { revision: engine.revision } : {}),
    policyIds: engine ? [...engine.policyIds] : [],
    errors,
    scenarios: results,
  };
}

function readScenarios(dir: string, errors: string[]): Scenario[] {
  const scenarioDir = join(dir, SCENARIO_DIR);
  if (!existsSync(scenarioDir) || !statSync(scenarioDir).isDirectory()) return [];
  const scenarios: Scenario[] = [];
  const files = readdirSync(scenarioDir)
    .filter((name) => name.endsWith('.json'))
    .sort();
  for (const name of files) {
    const file = `${SCENARIO_DIR}/${name}`;
    try {
      scenarios.push(...parseScenarioText(file, readFileSync(join(scenarioDir, name), 'utf8')));
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    }
  }
  return scenarios;
}
