/**
 * Strict readers for what crosses a trust boundary into the pipeline: decision records read
 * back from CloudWatch Logs, and event details delivered by a bus. A consumer acts only on a
 * value these accept; anything else is refused with the field named (never coerced), because
 * the revoker at the end of the chain locks people out.
 */
import { DECISION_RECORD_FIELDS, type DecisionFieldKinds, type DecisionRecord } from '../decision-record.ts';
import { assertUnreachable } from '../reasons.ts';
import type { AuthorizationDecisionDetail, SuspectedCompromiseDetail } from './schema.ts';

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): v is string => typeof v === 'string' && v !== '';

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

/**
 * Reads every field `DECISION_RECORD_FIELDS` defines, by its kind, and nothing else (the logger's
 * own members stay behind). A required field that is absent takes the field's `default`, or
 * refuses the record.
 */
function readRecordFields(source: Obj, schema: 'zta.decision/v1' | undefined): Parsed<DecisionRecord> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(DECISION_RECORD_FIELDS) as [string, FieldSpec][]) {
    if (field.kind === 'schema') {
      if (schema !== undefined) out.schema = schema;
      continue;
    }
    let value = Object.hasOwn(source, key) ? source[key] : undefined;
    if (value === undefined && field.default !== undefined) value = field.default;
    if (value === undefined) {
      if (field.required) return { ok: false, problem: `${key}: is required` };
      continue;
    }
    const problem = fieldProblem(field.kind, value, field.required === true);
    if (problem) return { ok: false, problem: `${key}: ${problem}` };
    out[key] = Array.isArray(value) ? [...value] : value;
  }
  if ((out.status === 200) !== (out.decision === 'ALLOW'))
    return { ok: false, problem: 'status: does not match decision' };
  return { ok: true, value: out as unknown as DecisionRecord };
}

type FieldSpec = {
  readonly kind: keyof DecisionFieldKinds;
  readonly required?: boolean;
  readonly default?: unknown;
};

/** What is wrong with `value` for a field of `kind`, or undefined when nothing is. */
function fieldProblem(kind: keyof DecisionFieldKinds, value: unknown, required: boolean): string | undefined {
  switch (kind) {
    case 'schema':
      return undefined;
    case 'string':
      if (typeof value !== 'string') return 'expected a string';
      return required && value === '' ? 'is required' : undefined;
    case 'time':
      if (!text(value)) return typeof value === 'string' ? 'is required' : 'expected a string';
      return Number.isFinite(Date.parse(value)) ? undefined : 'not an ISO-8601 time';
    case 'decision':
      return value === 'ALLOW' || value === 'DENY' ? undefined : 'expected "ALLOW" or "DENY"';
    case 'status':
      return value === 200 || value === 401 || value === 403 ? undefined : 'expected 200, 401 or 403';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'expected a boolean';
    case 'strings':
      return Array.isArray(value) && value.every((x) => typeof x === 'string')
        ? undefined
        : 'expected an array of strings';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'expected a number';
    default:
      return assertUnreachable(kind);
  }
}
