/**
 * The scenario file format (`policies/scenarios/*.json`), parsed strictly: an unknown key, a wrong
 * type or a missing field is a `ScenarioFormatError` naming the file, the scenario and the field,
 * because a typo such as `"mfa_": true` silently ignored would make a scenario test nothing.
 *
 * ```json
 * { "description": "optional",
 *   "scenarios": [
 *     { "name": "admin with MFA reads /api/sensitive",
 *       "principal": { "roles": ["admin"], "mfa": true },
 *       "request": { "method": "GET", "route": "/api/sensitive" },
 *       "expect": { "decision": "allow" } } ] }
 * ```
 */
import { isPolicyReason, type PolicyReason } from '../reasons.ts';
import { ScenarioFormatError } from './errors.ts';
import type { PolicyInput, PrincipalFacts, RequestTarget, TypedClaimValue } from './types.ts';

/** What a scenario expects. `reason` is present exactly when `decision` is `deny`. */
export interface ScenarioExpectation {
  readonly decision: 'allow' | 'deny';
  readonly reason?: PolicyReason;
  /** When given, the determining policy ids must be exactly these (order ignored). */
  readonly policies?: readonly string[];
}

/** One parsed scenario: a complete engine input and its expected outcome. */
export interface Scenario {
  readonly file: string;
  /** Position in the file's `scenarios` array, from 0. */
  readonly index: number;
  readonly name: string;
  readonly input: PolicyInput;
  readonly expect: ScenarioExpectation;
}

/** Defaults for facts a scenario leaves out; fixed so every run gives the same answer. */
export const SCENARIO_DEFAULTS = {
  issuer: 'https://idp.example.com',
  subject: 'scenario-user',
  /** 2026-01-01T00:00:00Z */
  now: 1_767_225_600,
} as const;

type Json = Record<string, unknown>;

/** Parses a scenario file's text (JSON); throws `ScenarioFormatError`. */
export function parseScenarioText(file: string, text: string): Scenario[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ScenarioFormatError(
      `${file}: not valid JSON: ${error instanceof Error ? error.message : error}`,
    );
  }
  return parseScenarios(file, value);
}

/** Parses an already-decoded scenario file; throws `ScenarioFormatError`. */
export function parseScenarios(file: string, value: unknown): Scenario[] {
  const fail = (field: string, message: string): never => {
    throw new ScenarioFormatError(`${file}: ${field}: ${message}`);
  };
  const top = record(value, 'top level', ['description', 'scenarios'], fail);
  optionalString(top, 'description', 'description', fail);
  const list = top.scenarios;
  if (!Array.isArray(list)) return fail('scenarios', `expected an array of scenarios, got ${show(list)}`);
  const names = new Set<string>();
  return list.map((item, index) => {
    const at = `scenarios[${index}]`;
    const raw = record(item, at, ['name', 'principal', 'request', 'now', 'expect'], fail);
    const name = requiredString(raw, 'name', `${at}.name`, fail);
    if (name.trim() === '') fail(`${at}.name`, 'must not be blank');
    if (names.has(name)) fail(`${at}.name`, `duplicate scenario name ${show(name)} in this file`);
    names.add(name);
    const now = optionalNumber(raw, 'now', `${at}.now`, fail) ?? SCENARIO_DEFAULTS.now;
    const input: PolicyInput = {
      principal: principal(raw.principal, `${at}.principal`, fail),
      request: request(raw.request, `${at}.request`, fail),
      now,
    };
    return { file, index, name, input, expect: expectation(raw.expect, `${at}.expect`, fail) };
  });
}

type Fail = (field: string, message: string) => never;

function principal(value: unknown, at: string, fail: Fail): PrincipalFacts {
  const raw = record(
    value ?? {},
    at,
    ['issuer', 'subject', 'roles', 'mfa', 'authTime', 'scopes', 'claims'],
    fail,
  );
  const roles = strings(raw.roles ?? [], `${at}.roles`, fail);
  const scopes = strings(raw.scopes ?? [], `${at}.scopes`, fail);
  const mfa = raw.mfa ?? false;
  if (typeof mfa !== 'boolean') return fail(`${at}.mfa`, `expected true or false, got ${show(mfa)}`);
  const authTime = optionalNumber(raw, 'authTime', `${at}.authTime`, fail);
  return {
    issuer: optionalString(raw, 'issuer', `${at}.issuer`, fail) ?? SCENARIO_DEFAULTS.issuer,
    subject: optionalString(raw, 'subject', `${at}.subject`, fail) ?? SCENARIO_DEFAULTS.subject,
    roles: [...new Set(roles)],
    mfa,
    scopes,
    claims: typedClaims(raw.claims ?? {}, `${at}.claims`, fail),
    ...(authTime === undefined ? {} : { authTime }),
  };
}

function strings(value: unknown, at: string, fail: Fail): string[] {
  if (!Array.isArray(value)) return fail(at, `expected an array of strings, got ${show(value)}`);
  value.forEach((item, i) => {
    if (typeof item !== 'string') fail(`${at}[${i}]`, `expected a string, got ${show(item)}`);
  });
  return value as string[];
}

/** `claims` as the token mapping would give them: String, Long (safe integer), Bool, Set<String>. */
function typedClaims(value: unknown, at: string, fail: Fail): Record<string, TypedClaimValue> {
  const raw = record(value, at, undefined, fail);
  const claims: Record<string, TypedClaimValue> = {};
  for (const [name, claim] of Object.entries(raw)) {
    if (typeof claim === 'string' || typeof claim === 'boolean' || Number.isSafeInteger(claim)) {
      claims[name] = claim as string | boolean | number;
    } else if (Array.isArray(claim)) {
      claims[name] = strings(claim, `${at}.${name}`, fail);
    } else {
      fail(
        `${at}.${name}`,
        `expected a string, a whole number, true/false or an array of strings, got ${show(claim)}`,
      );
    }
  }
  return claims;
}

function request(value: unknown, at: string, fail: Fail): RequestTarget {
  const raw = record(value, at, ['method', 'route', 'path', 'apiId', 'stage', 'sourceIp'], fail);
  const method = requiredString(raw, 'method', `${at}.method`, fail);
  const route = requiredString(raw, 'route', `${at}.route`, fail);
  let path = optionalString(raw, 'path', `${at}.path`, fail);
  if (path === undefined) {
    if (route === '$default' || route.includes('{')) {
      return fail(`${at}.path`, `required when route is "$default" or has parameters (route ${show(route)})`);
    }
    path = route;
  }
  const target: { -readonly [K in keyof RequestTarget]: RequestTarget[K] } = { method, route, path };
  for (const key of ['apiId', 'stage', 'sourceIp'] as const) {
    const field = optionalString(raw, key, `${at}.${key}`, fail);
    if (field !== undefined) target[key] = field;
  }
  return target;
}

function expectation(value: unknown, at: string, fail: Fail): ScenarioExpectation {
  const raw = record(value, at, ['decision', 'reason', 'policies'], fail);
  const decision = raw.decision;
  if (decision !== 'allow' && decision !== 'deny') {
    return fail(`${at}.decision`, `expected "allow" or "deny", got ${show(decision)}`);
  }
  const verdict: ScenarioExpectation['decision'] = decision;
  let policies: string[] | undefined;
  if (raw.policies !== undefined) {
    if (!Array.isArray(raw.policies) || raw.policies.some((id) => typeof id !== 'string')) {
      return fail(`${at}.policies`, `expected an array of policy ids, got ${show(raw.policies)}`);
    }
    policies = raw.policies as string[];
  }
  const base: ScenarioExpectation =
    policies === undefined ? { decision: verdict } : { decision: verdict, policies };
  if (decision === 'allow') {
    if (raw.reason !== undefined) fail(`${at}.reason`, 'only a deny has a reason');
    return base;
  }
  const reason = raw.reason;
  if (typeof reason !== 'string' || !isPolicyReason(reason)) {
    return fail(
      `${at}.reason`,
      `a deny needs a policy reason code (see policies/README.md), got ${show(reason)}`,
    );
  }
  return { ...base, reason };
}

function record(value: unknown, at: string, keys: readonly string[] | undefined, fail: Fail): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(at, `expected an object, got ${show(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (keys !== undefined && !keys.includes(key))
      fail(`${at}.${key}`, `unknown field; expected one of ${keys.join(', ')}`);
  }
  return value as Json;
}

function requiredString(raw: Json, key: string, at: string, fail: Fail): string {
  const value = raw[key];
  return typeof value === 'string' ? value : fail(at, `expected a string, got ${show(value)}`);
}

function optionalString(raw: Json, key: string, at: string, fail: Fail): string | undefined {
  return raw[key] === undefined ? undefined : requiredString(raw, key, at, fail);
}

function optionalNumber(raw: Json, key: string, at: string, fail: Fail): number | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  return typeof value === 'number' && Number.isFinite(value)
    ? value
    : fail(at, `expected epoch seconds (a number), got ${show(value)}`);
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value)).slice(0, 80);
}
