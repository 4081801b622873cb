/**
 * A policy input as flat facts, so that a test can change any single one of them: a random walk
 * step, or an example's change from `BASE`.
 */
import type { PolicyInput, TypedClaimValue } from '../../functions/core/policy/types.ts';
import { NOW } from './helpers.ts';

/** `auth_time` as seconds before `now` (negative: in the future) or as a fixed time. */
export type AuthTime = { readonly ago: number } | { readonly at: number } | undefined;

/** One input, flat, so a walk step can change any single fact. */
export interface Facts {
  readonly issuer: string;
  readonly subject: string;
  readonly roles: readonly string[];
  readonly mfa: boolean;
  readonly auth: AuthTime;
  readonly now: number;
  readonly method: string;
  readonly route: string;
  readonly path: string;
  readonly apiId: string | undefined;
  readonly stage: string | undefined;
  readonly sourceIp: string | undefined;
  readonly scopes: readonly string[];
  readonly claims: Readonly<Record<string, TypedClaimValue>>;
}

export function toInput(facts: Facts): PolicyInput {
  const { auth, now, apiId, stage, sourceIp } = facts;
  const authTime = auth === undefined ? undefined : 'ago' in auth ? now - auth.ago : auth.at;
  return {
    principal: {
      issuer: facts.issuer,
      subject: facts.subject,
      roles: facts.roles,
      mfa: facts.mfa,
      scopes: facts.scopes,
      claims: facts.claims,
      ...(authTime === undefined ? {} : { authTime }),
    },
    request: {
      method: facts.method,
      route: facts.route,
      path: facts.path,
      ...(apiId === undefined ? {} : { apiId }),
      ...(stage === undefined ? {} : { stage }),
      ...(sourceIp === undefined ? {} : { sourceIp }),
    },
    now,
  };
}

/** The facts an example starts from: alice of `https://a.test`, no roles, `GET /api/profile` at NOW. */
export const BASE: Facts = {
  issuer: 'https://a.test',
  subject: 'alice',
  roles: [],
  mfa: false,
  auth: undefined,
  now: NOW,
  method: 'GET',
  route: '/api/profile',
  path: '/api/profile',
  apiId: undefined,
  stage: undefined,
  sourceIp: undefined,
  scopes: [],
  claims: {},
};
export const SENSITIVE = { route: '/api/sensitive', path: '/api/sensitive' } as const;
