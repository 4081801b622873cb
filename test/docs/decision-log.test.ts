/**
 * One definition of the decision record (`DECISION_RECORD_FIELDS`): the records the builder makes
 * read back unchanged through the reader that guards the pipeline, and docs/decision-log.md
 * documents exactly those fields.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DECISION_RECORD_FIELDS } from '../../functions/core/decision-record.ts';
import { decisionRecordFrom } from '../../functions/core/events/parse.ts';
import { indexRevocations } from '../../functions/core/revocation.ts';
import { adminClaims, bearerEvent, createWorld, NOW } from '../support/world.ts';

const w = createWorld();
const authorizer = w.authorizer({
  revocations: indexRevocations([{ kind: 'jti', jti: 'revoked', revokedAt: NOW - 5 }]),
});

describe('the decision record has one definition', () => {
  it.each([
    { name: 'an ALLOW', event: () => bearerEvent(w.token({ claims: adminClaims() }), '/api/sensitive') },
    { name: 'a policy DENY', event: () => bearerEvent(w.token(), '/api/sensitive') },
    { name: 'a revoked token', event: () => bearerEvent(w.token({ claims: { jti: 'revoked' } })) },
    { name: 'a forged token', event: () => bearerEvent(w.token({ key: w.keys.attacker })) },
    {
      name: 'no token',
      event: () => ({
        type: 'REQUEST',
        methodArn: 'arn:aws:execute-api:r:1:a/s/GET/x',
        resource: '/x',
        path: '/x',
        httpMethod: 'GET',
      }),
    },
    { name: 'not an event', event: () => 'nonsense' },
  ])('$name: the built record reads back unchanged, and holds only defined fields', async ({ event }) => {
    const { record } = await authorizer.decide(event(), NOW);
    const json = JSON.parse(JSON.stringify(record));
    expect(Object.keys(json).filter((k) => !Object.hasOwn(DECISION_RECORD_FIELDS, k))).toEqual([]);
    expect(decisionRecordFrom(json)).toEqual({ ok: true, value: json });
  });

  it('docs/decision-log.md documents exactly the defined fields', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../docs/decision-log.md'), 'utf8');
    const table = doc.slice(doc.indexOf('| field |'), doc.indexOf('\n\n', doc.indexOf('| field |')));
    const documented = table
      .split('\n')
      .slice(2)
      .flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]));
    expect(documented.sort()).toEqual(Object.keys(DECISION_RECORD_FIELDS).sort());
  });
});
