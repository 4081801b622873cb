import type { Decision } from './decision.ts';
import type { RequestFacts } from './event.ts';

/** Token facts worth logging. Everything here may come from an unverified token. */
export interface TokenFacts {
  readonly iss?: string;
  readonly sub?: string;
  readonly jti?: string;
  readonly kid?: string;
  readonly alg?: string;
  /** True once the signature and claims checks passed: until then these are claims, not facts. */
  readonly verified: boolean;
}

/**
 * One decision log record (schema version 1), documented in docs/decision-log.md. It never
 * holds the token, a signature or a key; strings that come from the request are truncated
 * so a hostile request cannot inflate the log.
 */
export interface DecisionRecord {
  readonly schema: 'zta.decision/v1';
  readonly decisionId: string;
  readonly time: string;
  readonly decision: 'ALLOW' | 'DENY';
  readonly status: 200 | 401 | 403;
  readonly reason: string;
  readonly detail?: string;
  readonly eventFormat?: string;
  readonly apiId?: string;
  readonly stage?: string;
  readonly method?: string;
  readonly route?: string;
  readonly path?: string;
  readonly requestId?: string;
  readonly traceId?: string;
  readonly sourceIp?: string;
  readonly issuer?: string;
  readonly subject?: string;
  readonly jti?: string;
  readonly kid?: string;
  readonly alg?: string;
  readonly claimsVerified: boolean;
  readonly mfa?: boolean;
  readonly roles?: readonly string[];
  readonly policies: readonly string[];
  readonly policyRevision: string;
  readonly latencyMs: number;
}

const MAX_FIELD = 256;
const clip = (v: string | undefined) =>
  v === undefined || v.length <= MAX_FIELD ? v : `${v.slice(0, MAX_FIELD)}…`;

export function decisionRecord(input: {
  decisionId: string;
  nowMs: number;
  decision: Decision;
  facts: RequestFacts | undefined;
  token: TokenFacts;
  policyRevision: string;
  latencyMs: number;
}): DecisionRecord {
  const { decision, facts, token } = input;
  const target = facts?.target;
  const principal = decision.effect === 'allow' || decision.status === 403 ? decision.principal : undefined;
  // Absent fields are left out (not set to undefined), so records stay small and every present
  // field means something. Built by assignment: this runs on every request.
  const record: Record<string, unknown> = {
    schema: 'zta.decision/v1',
    decisionId: input.decisionId,
    time: new Date(input.nowMs).toISOString(),
    decision: decision.effect === 'allow' ? 'ALLOW' : 'DENY',
    status: decision.status,
    reason: decision.reason,
  };
  const put = (name: keyof DecisionRecord, value: unknown) => {
    if (value !== undefined) record[name] = value;
  };
  put('detail', decision.effect === 'deny' ? decision.detail : undefined);
  put('eventFormat', facts?.format);
  put('apiId', clip(target?.apiId));
  put('stage', clip(target?.stage));
  put('method', clip(target?.method));
  put('route', clip(target?.route));
  put('path', clip(target?.path));
  put('requestId', clip(facts?.requestId));
  put('traceId', clip(facts?.traceId));
  put('sourceIp', clip(target?.sourceIp));
  put('issuer', clip(token.iss));
  put('subject', clip(token.sub));
  put('jti', clip(token.jti));
  put('kid', clip(token.kid));
  put('alg', clip(token.alg));
  record.claimsVerified = token.verified;
  put('mfa', principal?.mfa);
  put(
    'roles',
    principal?.roles.map((r) => clip(r) as string),
  );
  record.policies = decision.effect === 'allow' || decision.status === 403 ? decision.policies : [];
  record.policyRevision = input.policyRevision;
  record.latencyMs = Math.round(input.latencyMs * 1000) / 1000;
  return record as unknown as DecisionRecord;
}
