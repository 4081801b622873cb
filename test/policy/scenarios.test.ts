import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPolicyEngine } from '../../functions/core/policy/engine.ts';
import { ScenarioFormatError } from '../../functions/core/policy/errors.ts';
import { parseScenarios, parseScenarioText, runScenarios } from '../../functions/core/policy/scenarios.ts';
import { defaultSource, POLICY_DIR } from './helpers.ts';

const engine = createPolicyEngine(defaultSource());
const scenarioDir = join(POLICY_DIR, 'scenarios');
const files = readdirSync(scenarioDir).filter((name) => name.endsWith('.json'));

describe.each(files)('policies/scenarios/%s', (name) => {
  const scenarios = parseScenarioText(name, readFileSync(join(scenarioDir, name), 'utf8'));
  it('has scenarios', () => expect(scenarios.length).toBeGreaterThan(0));
  it.each(runScenarios(engine, scenarios).map((result) => [result.name, result] as const))(
    '%s',
    (_, result) => {
      const { decision, reason } = result.actual;
      expect({ decision, reason }).toEqual({
        decision: result.expected.decision,
        reason: result.expected.reason,
      });
      expect(result.passed).toBe(true);
    },
  );
});

const valid = {
  name: 'x',
  principal: { roles: ['admin'], mfa: true },
  request: { method: 'GET', route: '/api/sensitive' },
  expect: { decision: 'allow' },
};
const withScenario = (patch: Record<string, unknown>) => ({
  scenarios: [valid, { ...valid, name: 'y', ...patch }],
});

describe('scenario format', () => {
  it('fills defaults a human would leave out', () => {
    const [scenario] = parseScenarios('f.json', { scenarios: [{ ...valid, principal: undefined }] });
    expect(scenario?.input).toEqual({
      principal: {
        issuer: 'https://idp.example.com',
        subject: 'scenario-user',
        roles: [],
        mfa: false,
        scopes: [],
        claims: {},
      },
      request: { method: 'GET', route: '/api/sensitive', path: '/api/sensitive' },
      now: 1_767_225_600,
    });
  });

  it('reads scopes and typed claims as the token mapping gives them', () => {
    const [scenario] = parseScenarios('f.json', {
      scenarios: [
        {
          ...valid,
          principal: {
            scopes: ['a', 'b'],
            claims: { tenant: 't', level: 2, compliant: true, groups: ['g'] },
          },
        },
      ],
    });
    expect(scenario?.input.principal).toMatchObject({
      scopes: ['a', 'b'],
      claims: { tenant: 't', level: 2, compliant: true, groups: ['g'] },
    });
  });

  it.each<[string, unknown, string]>([
    ['not an object', [], 'f.json: top level: expected an object, got []'],
    ['no scenarios array', {}, 'f.json: scenarios: expected an array of scenarios, got nothing'],
    ['unknown top-level key', { scenarios: [], scenario: [] }, 'f.json: top level.scenario: unknown field'],
    [
      'a typo in a principal field',
      withScenario({ principal: { mfa_: true } }),
      'f.json: scenarios[1].principal.mfa_: unknown field',
    ],
    [
      'a scope that is not a string',
      withScenario({ principal: { scopes: ['a', 1] } }),
      'f.json: scenarios[1].principal.scopes[1]: expected a string, got 1',
    ],
    [
      'a typed claim that is a fraction',
      withScenario({ principal: { claims: { level: 1.5 } } }),
      'f.json: scenarios[1].principal.claims.level: expected a string, a whole number, true/false or an array of strings, got 1.5',
    ],
    [
      'mfa as a string',
      withScenario({ principal: { mfa: 'true' } }),
      'f.json: scenarios[1].principal.mfa: expected true or false, got "true"',
    ],
    [
      'a role that is not a string',
      withScenario({ principal: { roles: ['a', 7] } }),
      'f.json: scenarios[1].principal.roles[1]: expected a string, got 7',
    ],
    [
      'missing method',
      withScenario({ request: { route: '/' } }),
      'f.json: scenarios[1].request.method: expected a string, got nothing',
    ],
    [
      'template without a path',
      withScenario({ request: { method: 'GET', route: '/{proxy+}' } }),
      'f.json: scenarios[1].request.path: required when route',
    ],
    [
      '$default without a path',
      withScenario({ request: { method: 'GET', route: '$default' } }),
      'f.json: scenarios[1].request.path: required when route',
    ],
    ['now as text', withScenario({ now: '2026-01-01' }), 'f.json: scenarios[1].now: expected epoch seconds'],
    [
      'unknown decision',
      withScenario({ expect: { decision: 'permit' } }),
      'f.json: scenarios[1].expect.decision: expected "allow" or "deny", got "permit"',
    ],
    [
      'deny without a reason',
      withScenario({ expect: { decision: 'deny' } }),
      'f.json: scenarios[1].expect.reason: a deny needs a policy reason code',
    ],
    [
      'deny with a credential reason',
      withScenario({ expect: { decision: 'deny', reason: 'token_expired' } }),
      'expect.reason: a deny needs a policy reason code',
    ],
    [
      'allow with a reason',
      withScenario({ expect: { decision: 'allow', reason: 'policy_denied' } }),
      'f.json: scenarios[1].expect.reason: only a deny has a reason',
    ],
    [
      'policies not a list of ids',
      withScenario({ expect: { decision: 'allow', policies: 'a' } }),
      'f.json: scenarios[1].expect.policies: expected an array of policy ids',
    ],
    ['duplicate name', withScenario({ name: 'x' }), 'f.json: scenarios[1].name: duplicate scenario name "x"'],
    ['blank name', withScenario({ name: ' ' }), 'f.json: scenarios[1].name: must not be blank'],
  ])('refuses %s', (_, value, message) => {
    expect(() => parseScenarios('f.json', value)).toThrow(ScenarioFormatError);
    expect(() => parseScenarios('f.json', value)).toThrow(message);
  });

  it('names the file when the text is not JSON', () => {
    expect(() => parseScenarioText('broken.json', '{ "scenarios": [ }')).toThrow(
      /^broken\.json: not valid JSON: /,
    );
  });
});

describe('runScenarios', () => {
  it.each([
    ['a wrong decision', { decision: 'deny', reason: 'policy_denied' }],
    ['a wrong reason', { decision: 'deny', reason: 'mfa_required' }],
    ['wrong determining policies', { decision: 'allow', policies: ['profile.any-authenticated'] }],
  ])('fails a scenario with %s', (_, expect_) => {
    const [scenario] = parseScenarios('f.json', { scenarios: [{ ...valid, expect: expect_ }] });
    const [result] = runScenarios(engine, scenario ? [scenario] : []);
    expect(result).toMatchObject({ file: 'f.json', name: 'x', passed: false, actual: { decision: 'allow' } });
  });
});
