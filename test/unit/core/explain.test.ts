/**
 * The decision observer behind `zta explain`: the steps come from the very code that decides,
 * in order; an observed decision equals an unobserved one; and no step ever holds the token or
 * its signature.
 */
import { describe, expect, it } from 'vitest';
import type { ExplainStep } from '../../../functions/core/explain.ts';
import { indexRevocations } from '../../../functions/core/revocation.ts';
import { adminClaims, bearerEvent, createWorld, ISSUER, NOW, verdict } from '../../support/world.ts';

const w = createWorld();
const revocations = indexRevocations([{ kind: 'jti', jti: 'revoked-jti', revokedAt: NOW - 10 }]);
const authorizer = w.authorizer({ revocations });

const tamper = (token: string) => `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
const CASES = [
  {
    name: 'an allowed request',
    token: w.token(),
    route: '/api/profile',
    steps: [
      'event',
      'credential',
      'header',
      'issuer',
      'key',
      'signature',
      'claims',
      'revocation',
      'identity',
      'policy',
    ],
    matched: ['profile.any-authenticated'],
  },
  {
    name: 'an admin without MFA on a route two forbids guard',
    token: w.token({ claims: { ...adminClaims(), amr: ['pwd'] } }),
    route: '/api/sensitive',
    steps: [
      'event',
      'credential',
      'header',
      'issuer',
      'key',
      'signature',
      'claims',
      'revocation',
      'identity',
      'policy',
    ],
    matched: ['sensitive.require-mfa'],
  },
  {
    name: 'a tampered signature',
    token: tamper(w.token()),
    route: '/api/profile',
    steps: ['event', 'credential', 'header', 'issuer', 'key', 'signature'],
    matched: undefined,
  },
  {
    name: 'a revoked jti',
    token: w.token({ claims: { jti: 'revoked-jti' } }),
    route: '/api/profile',
    steps: ['event', 'credential', 'header', 'issuer', 'key', 'signature', 'claims', 'revocation'],
    matched: undefined,
  },
  {
    name: 'an untrusted issuer',
    token: w.token({ claims: { iss: 'https://evil.example.test' } }),
    route: '/api/profile',
    steps: ['event', 'credential', 'header'],
    matched: undefined,
  },
];

describe('the decision observer', () => {
  it.each(CASES)('reports the steps of $name in order, and decides as without it', async (c) => {
    // Prepare
    const steps: ExplainStep[] = [];
    const event = bearerEvent(c.token, c.route);

    // Act
    const observed = await authorizer.authorize(event, NOW * 1000, (step) => steps.push(step));
    const plain = await authorizer.decide(event, NOW);

    // Assess
    expect(steps.map((s) => s.step)).toEqual(c.steps);
    expect(verdict(observed)).toEqual(verdict(plain));
    const policy = steps.find((s) => s.step === 'policy');
    if (c.matched)
      expect(policy && policy.step === 'policy' && policy.matched.map((m) => m.id)).toEqual(c.matched);
    const text = JSON.stringify(steps);
    const [header, payload, signature] = c.token.split('.');
    for (const part of [c.token, signature, `${header}.${payload}`]) expect(text).not.toContain(part);
  });

  it('names the chosen issuer entry and key, and the matched policies with file and line', async () => {
    const steps: ExplainStep[] = [];
    await authorizer.authorize(
      bearerEvent(w.token({ claims: adminClaims() }), '/api/sensitive'),
      NOW * 1000,
      (s) => steps.push(s),
    );
    expect(steps).toContainEqual(expect.objectContaining({ step: 'issuer', iss: ISSUER }));
    expect(steps).toContainEqual({ step: 'key', kid: 'es-1', kty: 'EC', crv: 'P-256', alg: 'ES256' });
    const policy = steps.find((s) => s.step === 'policy');
    expect(policy).toMatchObject({
      step: 'policy',
      decision: 'allow',
      matched: [{ id: 'sensitive.admin-with-mfa', effect: 'permit', file: 'sensitive.cedar', line: 5 }],
      request: { principal: { type: 'ZTA::User', id: `${ISSUER}|user-1` }, action: { id: 'GET' } },
    });
  });
});
