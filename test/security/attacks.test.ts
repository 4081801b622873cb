/**
 * The attack suite: one table of named attacks, each asserting DENY with its exact status and
 * reason code, decided by the real authorizer (real JWS checks, real Cedar policies) with keys
 * generated at test time. Boundaries that must stay ALLOWED live in `boundaries.test.ts`, so
 * this table cannot pass by denying everything.
 */
import { describe, expect, it } from 'vitest';
import { toApiGatewayResponse, UNAUTHORIZED } from '../../functions/core/api-gateway-response.ts';
import { isCredentialReason, isPolicyReason } from '../../functions/core/reasons.ts';
import { type DenyCase, decideCase } from '../support/cases.ts';
import { createWorld, verdict } from '../support/world.ts';
import { claimsCases } from './cases/claims.ts';
import { requestCases } from './cases/request.ts';
import { tokenCases } from './cases/token.ts';

const world = createWorld();
const tables: Record<string, DenyCase[]> = {
  token: tokenCases(world),
  claims: claimsCases(world),
  request: requestCases(world),
};
const all = Object.values(tables).flat();

describe('attack table', () => {
  it('has at least 60 uniquely named cases, each with a reason of its status', () => {
    expect(all.length).toBeGreaterThanOrEqual(60);
    expect(new Set(all.map((c) => c.name)).size).toBe(all.length);
    for (const {
      expect: [status, reason],
    } of all) {
      expect(status === 401 ? isCredentialReason(reason) : isPolicyReason(reason)).toBe(true);
    }
  });

  for (const [group, cases] of Object.entries(tables)) {
    describe(group, () => {
      it.each(cases)('$name', async (c) => {
        const outcome = await decideCase(world, c);
        const [status, reason] = c.expect;
        expect(verdict(outcome)).toEqual({ effect: 'deny', status, reason });
        expect(outcome.record).toMatchObject({ decision: 'DENY', status, reason });
        const response = toApiGatewayResponse(outcome);
        if (status === 401) expect(response).toBe(UNAUTHORIZED);
        else expect(response).not.toBe(UNAUTHORIZED);
      });
    });
  }
});
