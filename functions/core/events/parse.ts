/**
 * Strict readers for what crosses a trust boundary into the pipeline: decision records read
 * back from CloudWatch Logs, and event details delivered by a bus. A consumer acts only on a
 * value these accept; anything else is refused with the field named (never coerced), because
 * the revoker at the end of the chain locks people out.
 */
import type { DecisionRecord } from '../decision-record.ts';
import type { AuthorizationDecisionDetail, SuspectedCompromiseDetail } from './schema.ts';

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): v is string => typeof v === 'string' && v !== '';

const STRING_FIELDS = [
  'decisionId',
  'time',
  'reason',
  'detail',
  'eventFormat',
  'apiId',
  'stage',
  'method',
  'route',
  'path',
  'requestId',
  'traceId',
  'sourceIp',
  'issuer',
  'subject',
  'jti',
  'kid',
  'alg',
  'policyRevision',
] as const;
const REQUIRED = ['decisionId', 'time', 'reason', 'policyRevision'] as const;

/**
 * The decision record inside one log line's JSON (Powertools adds `level`, `message`,
 * `service`, … beside the record's fields): only the record's own fields are kept, so nothing
 * the logger adds leaks into the event. `undefined` when the line is not a decision record.
 */
export function decisionRecordFrom(value: unknown): Parsed<DecisionRecord> | undefined {
  if (!isObj(value) || value.schema !== 'zta.decision/v1') return undefined;
  return readRecordFields(value, 'zta.decision/v1');
}

/** The detail of an `Authorization Decision` event. */
export function parseDecisionDetail(detail: unknown): Parsed<AuthorizationDecisionDetail> {
  if (!isObj(detail)) return { ok: false, problem: 'detail is not an object' };
  if (detail.version !== 1) return { ok: false, problem: `detail.version: expected 1` };
  const read = readRecordFields(detail, undefined);
  if (!read.ok) return read;
  const { schema: _schema, ...fields } = read.value;
  return { ok: true, value: { version: 1, ...fields } };
}

/** The detail of a `Principal Suspected Compromise` event. */
export function parseSuspectedCompromise(detail: unknown): Parsed<SuspectedCompromiseDetail> {
  if (!isObj(detail)) return { ok: false, problem: 'detail is not an object' };
  if (detail.version !== 1) return { ok: false, problem: 'detail.version: expected 1' };
  for (const key of ['alertId', 'issuer', 'subject', 'detectedAt', 'decisionId'] as const) {
    if (!text(detail[key])) return { ok: false, problem: `detail.${key}: expected a non-empty string` };
  }
  for (const key of ['denials', 'threshold', 'windowSeconds'] as const) {
    const n = detail[key];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
      return { ok: false, problem: `detail.${key}: expected a positive integer` };
  }
  if (!Number.isFinite(Date.parse(detail.detectedAt as string)))
    return { ok: false, problem: 'detail.detectedAt: expected an ISO-8601 time' };
  return {
    ok: true,
    value: {
      version: 1,
      alertId: detail.alertId as string,
      issuer: detail.issuer as string,
      subject: detail.subject as string,
      denials: detail.denials as number,
      threshold: detail.threshold as number,
      windowSeconds: detail.windowSeconds as number,
      detectedAt: detail.detectedAt as string,
      decisionId: detail.decisionId as string,
    },
  };
}

function readRecordFields(source: Obj, schema: 'zta.decision/v1' | undefined): Parsed<DecisionRecord> {
  const out: Record<string, unknown> = { schema };
  for (const key of STRING_FIELDS) {
    const v = source[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') return { ok: false, problem: `${key}: expected a string` };
    out[key] = v;
  }
  for (const key of REQUIRED) if (!text(out[key])) return { ok: false, problem: `${key}: is required` };
  if (!Number.isFinite(Date.parse(out.time as string)))
    return { ok: false, problem: 'time: not an ISO-8601 time' };
  if (source.decision !== 'ALLOW' && source.decision !== 'DENY')
    return { ok: false, problem: 'decision: expected "ALLOW" or "DENY"' };
  const status = source.status;
  if (status !== 200 && status !== 401 && status !== 403)
    return { ok: false, problem: 'status: expected 200, 401 or 403' };
  if ((status === 200) !== (source.decision === 'ALLOW'))
    return { ok: false, problem: 'status: does not match decision' };
  if (typeof source.claimsVerified !== 'boolean')
    return { ok: false, problem: 'claimsVerified: expected a boolean' };
  if (source.mfa !== undefined && typeof source.mfa !== 'boolean')
    return { ok: false, problem: 'mfa: expected a boolean' };
  const lists = { roles: source.roles, policies: source.policies ?? [] };
  for (const [key, list] of Object.entries(lists)) {
    if (list === undefined) continue;
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string'))
      return { ok: false, problem: `${key}: expected an array of strings` };
  }
  const latency = source.latencyMs ?? 0;
  if (typeof latency !== 'number' || !Number.isFinite(latency))
    return { ok: false, problem: 'latencyMs: expected a number' };
  Object.assign(out, {
    decision: source.decision,
    status,
    claimsVerified: source.claimsVerified,
    ...(source.mfa === undefined ? {} : { mfa: source.mfa }),
    ...(lists.roles === undefined ? {} : { roles: [...(lists.roles as string[])] }),
    policies: [...(lists.policies as string[])],
    latencyMs: latency,
  });
  if (schema === undefined) delete out.schema;
  return { ok: true, value: out as unknown as DecisionRecord };
}
