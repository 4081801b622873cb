import { describe, expect, it } from 'vitest';
import {
  indexRevocations,
  isRevoked,
  type RevocationQuery,
  type RevocationRecord,
} from '../../../functions/core/revocation.ts';

const A = 'https://a.example.test';
const B = 'https://b.example.test';
const T = 1_767_225_600;

const RECORDS: RevocationRecord[] = [
  { kind: 'jti', jti: 'any-issuer-jti', revokedAt: T },
  { kind: 'jti', jti: 'a-only-jti', issuer: A, revokedAt: T },
  { kind: 'subject', issuer: A, subject: 'alice', revokedAt: T },
  { kind: 'subject', issuer: A, subject: 'bob', revokedAt: T - 100 },
  { kind: 'subject', issuer: A, subject: 'bob', revokedAt: T },
  { kind: 'subject', issuer: A, subject: 'bob', revokedAt: T - 50 },
  { kind: 'subject', issuer: 'x', subject: 'y:z', revokedAt: T },
];

describe('revocation index and isRevoked', () => {
  const store = indexRevocations(RECORDS);
  const query = (over: Partial<RevocationQuery>): RevocationQuery => ({
    issuer: A,
    subject: 'carol',
    jti: undefined,
    ...over,
  });
  it.each([
    {
      name: 'a jti revoked without issuer, at issuer A',
      q: query({ jti: 'any-issuer-jti' }),
      iat: T + 9,
      revoked: true,
    },
    {
      name: 'a jti revoked without issuer, at issuer B',
      q: query({ issuer: B, jti: 'any-issuer-jti' }),
      iat: T + 9,
      revoked: true,
    },
    {
      name: 'a jti revoked for issuer A, at issuer A',
      q: query({ jti: 'a-only-jti' }),
      iat: T + 9,
      revoked: true,
    },
    {
      name: 'a jti revoked for issuer A, at issuer B',
      q: query({ issuer: B, jti: 'a-only-jti' }),
      iat: T - 9,
      revoked: false,
    },
    { name: 'another jti', q: query({ jti: 'other' }), iat: T - 9, revoked: false },
    { name: 'a token without jti', q: query({}), iat: T - 9, revoked: false },
    {
      name: 'a subject revoked at T, token issued before T',
      q: query({ subject: 'alice' }),
      iat: T - 1,
      revoked: true,
    },
    {
      name: 'a subject revoked at T, token issued at T',
      q: query({ subject: 'alice' }),
      iat: T,
      revoked: true,
    },
    {
      name: 'a subject revoked at T, token issued after T',
      q: query({ subject: 'alice' }),
      iat: T + 1,
      revoked: false,
    },
    {
      name: 'the same subject at another issuer',
      q: query({ issuer: B, subject: 'alice' }),
      iat: T - 1,
      revoked: false,
    },
    {
      name: 'a subject revoked three times, the latest counts',
      q: query({ subject: 'bob' }),
      iat: T - 10,
      revoked: true,
    },
    {
      name: 'a subject revoked three times, issued after the latest',
      q: query({ subject: 'bob' }),
      iat: T + 1,
      revoked: false,
    },
    {
      name: 'issuer and subject that concatenate alike',
      q: query({ issuer: 'x:y', subject: 'z' }),
      iat: T - 1,
      revoked: false,
    },
  ])('$name: revoked=$revoked', async ({ q, iat, revoked }) => {
    // Act
    const facts = await store.lookup(q);

    // Assess
    expect(isRevoked(facts, iat, 0)).toBe(revoked);
  });

  it('reports the latest subject revocation time', async () => {
    // Act
    const facts = await store.lookup(query({ subject: 'bob', jti: 'any-issuer-jti' }));

    // Assess
    expect(facts).toEqual({ jtiRevoked: true, subjectRevokedAt: T });
  });
});
