/**
 * The token contract of issue 2, written down independently of the implementation, for the
 * property tests to compare against: given the raw header and claims members of a token signed
 * by the world's `es-1` key, would the contract ALLOW it for `GET /api/profile` at NOW?
 */
import { AUDIENCE, ISSUER, NOW } from '../support/world.ts';

/** Members of a JSON object in the order written, duplicates kept. */
export type Members = ReadonlyArray<readonly [string, unknown]>;

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const REFUSED_HEADER = ['jku', 'x5u', 'jwk', 'x5c', 'zip', 'b64', 'crit', 'cty'];
const TOLERANCE = 30;
const MAX_LIFETIME = 86_400;

/** JSON object text from members, duplicates and `__proto__` included; `undefined` values skipped. */
export function objectText(members: Members): string {
  const parts = members
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  return `{${parts.join(',')}}`;
}

function forbiddenInside(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(forbiddenInside);
  if (typeof value !== 'object' || value === null) return false;
  return Object.keys(value).some(
    (k) => FORBIDDEN.has(k) || forbiddenInside((value as Record<string, unknown>)[k]),
  );
}

/** No duplicate or prototype-named member at any depth. */
function structureOk(members: Members): boolean {
  const present = members.filter(([, v]) => v !== undefined);
  const names = present.map(([k]) => k);
  if (new Set(names).size !== names.length) return false;
  return !present.some(([k, v]) => FORBIDDEN.has(k) || forbiddenInside(JSON.parse(JSON.stringify(v))));
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function headerAllowed(members: Members): boolean {
  if (!structureOk(members)) return false;
  const h = JSON.parse(objectText(members)) as Record<string, unknown>;
  if (REFUSED_HEADER.some((m) => Object.hasOwn(h, m))) return false;
  // es-1 signed it; kid must name it, since the JWKS holds two ES256 keys.
  if (h.alg !== 'ES256' || h.kid !== 'es-1') return false;
  if (h.typ === undefined) return true;
  return (
    typeof h.typ === 'string' && ['jwt', 'at+jwt'].includes(h.typ.toLowerCase().replace(/^application\//, ''))
  );
}

export function claimsAllowed(members: Members, now = NOW): boolean {
  if (!structureOk(members)) return false;
  const c = JSON.parse(objectText(members)) as Record<string, unknown>;
  const { iss, sub, aud, exp, iat, nbf, jti } = c;
  if (iss !== ISSUER) return false;
  if (typeof sub !== 'string' || sub === '') return false;
  if (!finite(exp) || !finite(iat) || (nbf !== undefined && !finite(nbf))) return false;
  if (jti !== undefined && (typeof jti !== 'string' || jti === '')) return false;
  const audiences = typeof aud === 'string' ? [aud] : aud;
  if (!Array.isArray(audiences) || !audiences.every((a) => typeof a === 'string')) return false;
  if (!audiences.includes(AUDIENCE)) return false;
  if (now > exp + TOLERANCE) return false;
  if (nbf !== undefined && now < nbf - TOLERANCE) return false;
  if (iat > now + TOLERANCE) return false;
  return exp >= iat && exp - iat <= MAX_LIFETIME;
}
