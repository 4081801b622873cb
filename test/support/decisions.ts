import type { DecisionRecord } from '../../functions/core/decision-record.ts';
import type { AuthorizationDecisionDetail } from '../../functions/core/events/schema.ts';

export const VICTIM = { issuer: 'https://idp.example.test', subject: 'alice' } as const;

let counter = 0;

/** A decision record as the authorizer writes it; a verified 403 unless `overrides` say otherwise. */
export function record(overrides: Partial<Record<keyof DecisionRecord, unknown>> = {}): DecisionRecord {
  counter++;
  return {
    schema: 'zta.decision/v1',
    decisionId: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    time: '2026-01-01T00:00:00.000Z',
    decision: 'DENY',
    status: 403,
    reason: 'policy_denied',
    detail: 'policy did not allow',
    eventFormat: 'rest-request',
    apiId: 'a1b2c3d4e5',
    stage: 'prod',
    method: 'GET',
    route: '/api/other',
    path: '/api/other',
    requestId: `req-${counter}`,
    sourceIp: '203.0.113.7',
    issuer: VICTIM.issuer,
    subject: VICTIM.subject,
    jti: `jti-${counter}`,
    kid: 'k1',
    alg: 'ES256',
    claimsVerified: true,
    mfa: false,
    roles: [],
    policies: [],
    policyRevision: 'rev-1',
    latencyMs: 1.25,
    ...overrides,
  } as DecisionRecord;
}

/** The `Authorization Decision` detail of `record(overrides)`. */
export function decisionDetail(
  overrides: Partial<Record<keyof DecisionRecord, unknown>> = {},
): AuthorizationDecisionDetail {
  const { schema: _schema, ...fields } = record(overrides);
  return { version: 1, ...fields };
}

/** A forged-token decision naming `subject`: 401, claims not verified. */
export const forged = (overrides: Partial<Record<keyof DecisionRecord, unknown>> = {}) =>
  decisionDetail({
    decision: 'DENY',
    status: 401,
    reason: 'invalid_signature',
    claimsVerified: false,
    mfa: undefined,
    roles: undefined,
    ...overrides,
  });

/** ISO time `seconds` after 2026-01-01T00:00:00Z. */
export const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000).toISOString();
export const atMs = (seconds: number) => Date.UTC(2026, 0, 1) + seconds * 1000;
