import { describe, expect, it } from 'vitest';
import {
  decisionRecordFrom,
  parseDecisionDetail,
  parseSuspectedCompromise,
} from '../../../../functions/core/events/parse.ts';
import { decisionEvent } from '../../../../functions/core/events/schema.ts';
import { record } from '../../../support/decisions.ts';

describe('decision records read back from logs', () => {
  it('keeps the record fields and drops what the logger added', () => {
    const original = record();
    const line = {
      level: 'INFO',
      message: 'authorization decision',
      service: 'zta-authorizer',
      cold_start: true,
      xray_trace_id: 'x',
      ...original,
    };
    expect(decisionRecordFrom(line)).toEqual({ ok: true, value: original });
  });

  it('is not a record without the schema', () => {
    expect(decisionRecordFrom({ level: 'WARN', message: 'decision log failures' })).toBeUndefined();
    expect(decisionRecordFrom('text')).toBeUndefined();
  });

  it.each([
    { name: 'a status that is not 200/401/403', over: { status: 500 }, problem: 'status' },
    { name: 'ALLOW with 403', over: { decision: 'ALLOW' }, problem: 'status: does not match' },
    { name: 'claimsVerified as a string', over: { claimsVerified: 'true' }, problem: 'claimsVerified' },
    { name: 'a subject that is not a string', over: { subject: 42 }, problem: 'subject' },
    { name: 'no decisionId', over: { decisionId: undefined }, problem: 'decisionId' },
    { name: 'a bad time', over: { time: 'yesterday' }, problem: 'time' },
    { name: 'roles that are not strings', over: { roles: [1] }, problem: 'roles' },
  ])('refuses a record with $name', ({ over, problem }) => {
    const parsed = decisionRecordFrom({ ...record(), ...over });
    expect(parsed?.ok).toBe(false);
    expect(parsed?.ok === false && parsed.problem).toContain(problem);
  });

  it('round-trips a record through the Authorization Decision event detail', () => {
    const original = record();
    const event = decisionEvent(original);
    expect(event).toMatchObject({ source: 'zta.authorizer', detailType: 'Authorization Decision' });
    expect(parseDecisionDetail(JSON.parse(JSON.stringify(event.detail)))).toEqual({
      ok: true,
      value: event.detail,
    });
  });
});

describe('Principal Suspected Compromise details', () => {
  const valid = {
    version: 1,
    alertId: 'spike:d',
    issuer: 'https://idp.example.test',
    subject: 'alice',
    denials: 5,
    threshold: 5,
    windowSeconds: 60,
    detectedAt: '2026-01-01T00:00:40.000Z',
    decisionId: 'd',
  };

  it('accepts a valid detail, and only its fields', () => {
    expect(parseSuspectedCompromise({ ...valid, extra: 'x' })).toEqual({ ok: true, value: valid });
  });

  it.each([
    ['version', { version: 2 }],
    ['issuer', { issuer: '' }],
    ['subject', { subject: ['alice'] }],
    ['denials', { denials: 0 }],
    ['detectedAt', { detectedAt: 'soon' }],
  ])('refuses a bad %s', (field, over) => {
    const parsed = parseSuspectedCompromise({ ...valid, ...over });
    expect(parsed.ok === false && parsed.problem).toContain(field);
  });
});
