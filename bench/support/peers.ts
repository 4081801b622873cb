/**
 * What users would pick instead of this suite, each doing the same job on the same inputs:
 * (a) a bare node:crypto ES256 verify (the floor), (b) jose `jwtVerify`, (c) aws-jwt-verify with
 * a pre-loaded JWKS, (d) aws-jwt-verify + Cedar `statefulIsAuthorized` on the same policies (the
 * closest composed peer), (e) jose + Cedar `isAuthorized` with the policy text per call.
 * Every peer is checked to accept a valid token before it is timed.
 */
import { createPublicKey, verify } from 'node:crypto';
import type { EntityJson } from '@cedar-policy/cedar-wasm/nodejs';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { JwtVerifier } from 'aws-jwt-verify';
import { importJWK, type JWTPayload, jwtVerify } from 'jose';
import type { PolicySource } from '../../functions/core/policy/engine.ts';
import { AUDIENCE, type BenchKey, ISSUER } from './world.ts';

export interface Peers {
  readonly bareVerify: (token: string) => boolean;
  readonly jose: (token: string) => Promise<unknown>;
  readonly awsJwtVerify: (token: string) => unknown;
  /** (d): header → token → aws-jwt-verify → Cedar on pre-parsed policies. True for ALLOW. */
  readonly composed: (event: RestEventLike) => boolean;
  /** (e): jose, then Cedar with the policy text parsed on every call. True for ALLOW. */
  readonly naive: (event: RestEventLike) => Promise<boolean>;
}

export interface RestEventLike {
  readonly headers: Record<string, string | undefined>;
  readonly httpMethod: string;
  readonly resource: string;
  readonly path: string;
}

export async function createPeers(key: BenchKey, policies: PolicySource): Promise<Peers> {
  const publicKey = createPublicKey({ key: key.jwk as never, format: 'jwk' });
  const joseKey = await importJWK(key.jwk, 'ES256');
  const verifier = JwtVerifier.create({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri: 'https://idp.bench.test/.well-known/jwks.json',
  });
  verifier.cacheJwks({ keys: [key.jwk] } as never);
  const policyText = Object.keys(policies.policies)
    .sort()
    .map((name) => policies.policies[name])
    .join('\n');
  const id = `peer-${process.pid}-${Math.random()}`;
  const parsed = cedar.preparsePolicySet(id, { staticPolicies: policyText });
  if (parsed.type !== 'success') throw new Error('peer: Cedar could not parse the policies');

  const bearer = (event: RestEventLike) => {
    const header = event.headers.Authorization ?? '';
    if (!header.startsWith('Bearer ')) throw new Error('no bearer token');
    return header.slice(7);
  };

  return {
    bareVerify(token) {
      const [header, payload, signature] = token.split('.');
      return verify(
        'sha256',
        Buffer.from(`${header}.${payload}`),
        { key: publicKey, dsaEncoding: 'ieee-p1363' },
        Buffer.from(signature ?? '', 'base64url'),
      );
    },
    jose: (token) => jwtVerify(token, joseKey, { algorithms: ['ES256'], issuer: ISSUER, audience: AUDIENCE }),
    awsJwtVerify: (token) => verifier.verifySync(token),
    composed(event) {
      const payload = verifier.verifySync(bearer(event)) as JWTPayload;
      const answer = cedar.statefulIsAuthorized({
        ...cedarRequest(payload, event),
        preparsedPolicySetId: id,
      });
      return answer.type === 'success' && answer.response.decision === 'allow';
    },
    async naive(event) {
      const { payload } = await jwtVerify(bearer(event), joseKey, {
        algorithms: ['ES256'],
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      const answer = cedar.isAuthorized({
        ...cedarRequest(payload, event),
        policies: { staticPolicies: policyText },
      });
      return answer.type === 'success' && answer.response.decision === 'allow';
    },
  };
}

/** The Cedar request a peer would build itself: same entities and context shape as ours. */
function cedarRequest(payload: JWTPayload, event: RestEventLike) {
  const principal = { type: 'ZTA::User', id: `${payload.iss}|${payload.sub}` };
  const resource = { type: 'ZTA::Route', id: event.resource };
  const roles = typeof payload.role === 'string' ? [payload.role] : [];
  const mfa = Array.isArray(payload.amr) && payload.amr.includes('mfa');
  const entities: EntityJson[] = [
    {
      uid: principal,
      attrs: { issuer: String(payload.iss), subject: String(payload.sub) },
      parents: [
        ...roles.map((id) => ({ type: 'ZTA::Role', id })),
        { type: 'ZTA::Issuer', id: String(payload.iss) },
      ],
    },
    { uid: resource, attrs: { template: event.resource, path: event.path }, parents: [] },
  ];
  return {
    principal,
    action: { type: 'ZTA::Action', id: event.httpMethod },
    resource,
    context: { mfa, now: Math.floor(Date.now() / 1000) },
    entities,
  };
}
