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
 * The decision log record (schema version 1), field by field: the ONE definition of the record.
 * Its type (`DecisionRecord`), the reader of records that cross a trust boundary
 * (`events/parse.ts`) and the check of docs/decision-log.md (`test/docs/decision-log.test.ts`)
 * derive from it; the builder below is held to it by the type. A record never holds the token,
 * a signature or a key; strings that come from the request are truncated so a hostile request
 * cannot inflate the log.
 *
 * `default`: what a reader takes for a required field a record omits (older writers).
 */
export const DECISION_RECORD_FIELDS = {
  schema: { kind: 'schema', required: true },
  decisionId: { kind: 'string', required: true },
  time: { kind: 'time', required: true },
  decision: { kind: 'decision', required: true },
  status: { kind: 'status', required: true },
  reason: { kind: 'string', required: true },
  detail: { kind: 'string' },
  eventFormat: { kind: 'string' },
  apiId: { kind: 'string' },
  stage: { kind: 'string' },
  method: { kind: 'string' },
  route: { kind: 'string' },
  path: { kind: 'string' },
  requestId: { kind: 'string' },
  traceId: { kind: 'string' },
  sourceIp: { kind: 'string' },
  issuer: { kind: 'string' },
  subject: { kind: 'string' },
  jti: { kind: 'string' },
  kid: { kind: 'string' },
  alg: { kind: 'string' },
  claimsVerified: { kind: 'boolean', required: true },
  mfa: { kind: 'boolean' },
  roles: { kind: 'strings' },
  policies: { kind: 'strings', required: true, default: [] as readonly string[] },
  policyRevision: { kind: 'string', required: true },
  latencyMs: { kind: 'number', required: true, default: 0 },
} as const;

/** The JSON type each field kind stands for. */
export interface DecisionFieldKinds {
  schema: 'zta.decision/v1';
  string: string;
  time: string;
  decision: 'ALLOW' | 'DENY';
  status: 200 | 401 | 403;
  boolean: boolean;
  strings: readonly string[];
  number: number;
}

type Fields = typeof DECISION_RECORD_FIELDS;
type RequiredField = { [K in keyof Fields]: Fields[K] extends { required: true } ? K : never }[keyof Fields];
type ValueOf<K extends keyof Fields> = DecisionFieldKinds[Fields[K]['kind']];

/** One decision log record, as `DECISION_RECORD_FIELDS` defines it. */
export type DecisionRecord = { readonly [K in RequiredField]: ValueOf<K> } & {
  readonly [K in Exclude<keyof Fields, RequiredField>]?: ValueOf<K>;
};

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
  // Absent fields are left out (never set to undefined), so records stay small and every present
  // field means something. Named stores in a fixed order keep the object in V8's fast mode, which
  // halves the cost of building and serializing it on every request.
  const r: Record<string, unknown> = {
    schema: 'zta.decision/v1',
    decisionId: input.decisionId,
    time: new Date(input.nowMs).toISOString(),
    decision: decision.effect === 'allow' ? 'ALLOW' : 'DENY',
    status: decision.status,
    reason: decision.reason,
  };
  if (decision.effect === 'deny' && decision.detail !== undefined) r.detail = decision.detail;
  if (facts !== undefined) r.eventFormat = facts.format;
  if (target?.apiId !== undefined) r.apiId = clip(target.apiId);
  if (target?.stage !== undefined) r.stage = clip(target.stage);
  if (target !== undefined) {
    r.method = clip(target.method);
    r.route = clip(target.route);
    r.path = clip(target.path);
  }
  if (facts?.requestId !== undefined) r.requestId = clip(facts.requestId);
  if (facts?.traceId !== undefined) r.traceId = clip(facts.traceId);
  if (target?.sourceIp !== undefined) r.sourceIp = clip(target.sourceIp);
  if (token.iss !== undefined) r.issuer = clip(token.iss);
  if (token.sub !== undefined) r.subject = clip(token.sub);
  if (token.jti !== undefined) r.jti = clip(token.jti);
  if (token.kid !== undefined) r.kid = clip(token.kid);
  if (token.alg !== undefined) r.alg = clip(token.alg);
  r.claimsVerified = token.verified;
  if (principal !== undefined) {
    r.mfa = principal.mfa;
    r.roles = principal.roles.map((role) => clip(role) as string);
  }
  r.policies = decision.effect === 'allow' || decision.status === 403 ? decision.policies : [];
  r.policyRevision = input.policyRevision;
  r.latencyMs = Math.round(input.latencyMs * 1000) / 1000;
  return r as unknown as DecisionRecord;
}
