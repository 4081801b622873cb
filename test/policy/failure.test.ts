import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { expect, it, vi } from 'vitest';
import { createPolicyEngine } from '../../functions/core/policy/engine.ts';
import { defaultSource, input } from './helpers.ts';

// Cedar answering `failure`, or throwing, cannot be provoked with valid inputs: stand in for it.
vi.mock('@cedar-policy/cedar-wasm/nodejs', async (importOriginal) => {
  const real = await importOriginal<typeof import('@cedar-policy/cedar-wasm/nodejs')>();
  return { ...real, statefulIsAuthorized: vi.fn(real.statefulIsAuthorized) };
});

// Uncached, so every evaluate reaches the stand-in.
const engine = createPolicyEngine(defaultSource(), { decisionCacheSize: 0 });
const allowed = input({ roles: ['admin'], mfa: true }, { route: '/api/sensitive' });

it.each([
  [
    'Cedar answers failure',
    () => ({
      type: 'failure' as const,
      errors: [{ message: 'entity parse failed', help: null, code: null, url: null, severity: null }],
      warnings: [],
    }),
    ['entity parse failed'],
  ],
  [
    'Cedar throws',
    () => {
      throw new Error('wasm trap: unreachable');
    },
    ['wasm trap: unreachable'],
  ],
  [
    'Cedar throws a non-Error',
    () => {
      throw 'boom';
    },
    ['boom'],
  ],
])('a request that would be allowed is denied with policy_error when %s', (_, impl, errors) => {
  expect(engine.evaluate(allowed).decision).toBe('allow');
  vi.mocked(cedar.statefulIsAuthorized).mockImplementationOnce(impl);
  expect(engine.evaluate(allowed)).toEqual({
    decision: 'deny',
    reason: 'policy_error',
    determiningPolicies: [],
    errors,
  });
  expect(engine.evaluate(allowed).decision).toBe('allow');
});

it('a Cedar failure is never cached: the same request asks Cedar again and is then cached', () => {
  // Prepare
  const cached = createPolicyEngine(defaultSource(), { decisionCacheSize: 16 });
  const calls = () => vi.mocked(cedar.statefulIsAuthorized).mock.calls.length;
  vi.mocked(cedar.statefulIsAuthorized).mockImplementationOnce(() => {
    throw new Error('wasm trap: unreachable');
  });
  // Act
  const first = cached.evaluate(allowed);
  const before = calls();
  const second = cached.evaluate(allowed);
  const third = cached.evaluate(allowed);
  // Assess
  expect(first).toMatchObject({ decision: 'deny', reason: 'policy_error' });
  expect(second.decision).toBe('allow');
  expect(third).toEqual(second);
  expect(calls()).toBe(before + 1);
  expect(cached.cacheStats()).toMatchObject({ hits: 1, size: 1 });
});
