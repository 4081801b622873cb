/**
 * The request → Cedar mapping (documented for policy authors in `policies/README.md`).
 *
 * principal  ZTA::User::"<iss>|<sub>"  attrs { issuer, subject }, parents ZTA::Role::"<role>"…, ZTA::Issuer::"<iss>"
 * action     ZTA::Action::"<HTTP method>"  (exact, as API Gateway gives it)
 * resource   ZTA::Route::"<matched path>"  attrs { template, path, apiId?, stage? }
 * context    { mfa, now, scopes, claims { <typed claims>… }, authTime?, authAgeSeconds?, sourceIp? }
 *
 * SECURITY: request data only ever travels as JSON values (entity ids, attribute values), never as
 * Cedar text, so quotes, newlines, `::` or unicode in a subject, role or path cannot change a policy.
 */
import { isIP } from 'node:net';
import type { Context, Entities, TypeAndId } from './cedar.ts';
import type { PolicyInput, PrincipalFacts, RequestTarget } from './types.ts';

/** The Cedar namespace every entity type and action of the mapping lives in. */
export const NAMESPACE = 'ZTA';

/** Entity types the mapping produces; the schema must declare them (checked at load). */
export const ENTITY_TYPES = {
  user: `${NAMESPACE}::User`,
  role: `${NAMESPACE}::Role`,
  issuer: `${NAMESPACE}::Issuer`,
  route: `${NAMESPACE}::Route`,
  action: `${NAMESPACE}::Action`,
} as const;

/** What `statefulIsAuthorized` needs besides the pre-parsed ids. */
export interface CedarRequest {
  readonly principal: TypeAndId;
  readonly action: TypeAndId;
  readonly resource: TypeAndId;
  readonly context: Context;
  readonly entities: Entities;
}

/**
 * The path policies match (product contract): the route template, except the concrete path when
 * the template is a greedy proxy (`{proxy+}`, any `+}`) or `$default`, which say nothing about
 * what is reached. Exact and case-sensitive: no decoding, no slash or case normalization.
 */
export function matchedPath(request: RequestTarget): string {
  return request.route === '$default' || request.route.includes('+}') ? request.path : request.route;
}

/**
 * `<iss>|<sub>`, as Amazon Verified Permissions names token principals: a bare `sub` from one
 * trusted issuer must never equal the same `sub` from another.
 */
export function principalId(principal: PrincipalFacts): string {
  return `${principal.issuer}|${principal.subject}`;
}

/** Builds the Cedar request for `input`; throws `TypeError` on facts Cedar cannot represent. */
export function toCedarRequest(input: PolicyInput): CedarRequest {
  const { principal, request } = input;
  const now = wholeSeconds(input.now);
  if (now === undefined) throw new TypeError(`now must be a finite epoch-seconds number, got ${input.now}`);
  wellFormed('issuer', principal.issuer);
  wellFormed('subject', principal.subject);
  for (const [i, role] of principal.roles.entries()) wellFormed(`roles[${i}]`, role);
  // Sorted and de-duplicated: Cedar reads sets, and the decision cache keys on this very value.
  const scopes = [...new Set(principal.scopes ?? [])].sort();
  for (const [i, scope] of scopes.entries()) wellFormed(`scopes[${i}]`, scope);
  const claims = typedClaims(principal);
  wellFormed('route', request.route);
  wellFormed('path', request.path);
  wellFormed('apiId', request.apiId);
  wellFormed('stage', request.stage);
  const user: TypeAndId = { type: ENTITY_TYPES.user, id: principalId(principal) };
  const resource: TypeAndId = { type: ENTITY_TYPES.route, id: matchedPath(request) };
  const parents: TypeAndId[] = [...new Set(principal.roles)].map((role) => ({
    type: ENTITY_TYPES.role,
    id: role,
  }));
  parents.push({ type: ENTITY_TYPES.issuer, id: principal.issuer });

  const context: Record<string, Context[string]> = { mfa: principal.mfa === true, now, scopes, claims };
  const authTime = wholeSeconds(principal.authTime);
  if (authTime !== undefined) {
    context.authTime = authTime;
    // A future auth_time gets no age, so "authenticated within N seconds" rules fail closed.
    if (authTime <= now) context.authAgeSeconds = now - authTime;
  }
  const sourceIp = cedarIp(request.sourceIp);
  if (sourceIp !== undefined) context.sourceIp = { __extn: { fn: 'ip', arg: sourceIp } };

  const routeAttrs: Record<string, string> = { template: request.route, path: request.path };
  if (request.apiId !== undefined) routeAttrs.apiId = request.apiId;
  if (request.stage !== undefined) routeAttrs.stage = request.stage;

  return {
    principal: user,
    action: { type: ENTITY_TYPES.action, id: request.method },
    resource,
    context,
    entities: [
      { uid: user, attrs: { issuer: principal.issuer, subject: principal.subject }, parents },
      { uid: resource, attrs: routeAttrs, parents: [] },
    ],
  };
}

/**
 * `context.claims`: members in name order, sets sorted, so equal claims give an equal record
 * (the decision cache keys on it). A Long must be a safe integer: beyond that JSON has already
 * lost digits.
 */
function typedClaims(principal: PrincipalFacts): Record<string, string | number | boolean | string[]> {
  const claims: Record<string, string | number | boolean | string[]> = {};
  const given = principal.claims ?? {};
  for (const name of Object.keys(given).sort()) {
    const value = given[name];
    if (typeof value === 'string') {
      wellFormed(`claims.${name}`, value);
      claims[name] = value;
    } else if (typeof value === 'boolean') claims[name] = value;
    else if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) throw new TypeError(`claims.${name} is not a safe integer`);
      claims[name] = value;
    } else if (Array.isArray(value)) {
      const set = [...new Set(value)].sort();
      for (const item of set) wellFormed(`claims.${name}`, item);
      claims[name] = set;
    } else throw new TypeError(`claims.${name} is not a String, Long, Bool or Set<String>`);
  }
  return claims;
}

// JSON.parse accepts "\ud800" in a token, but Cedar's JSON reader refuses a lone surrogate. Say
// which fact it was (never its value) rather than mapping it to U+FFFD, which would make
// different strings equal.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function wellFormed(name: string, value: string | undefined): void {
  if (value !== undefined && LONE_SURROGATE.test(value)) {
    throw new TypeError(`${name} contains a lone UTF-16 surrogate, which Cedar cannot represent`);
  }
}

function wholeSeconds(value: number | undefined): number | undefined {
  if (typeof value !== 'number') return undefined;
  const seconds = Math.floor(value);
  return Number.isSafeInteger(seconds) ? seconds : undefined;
}

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * A single address Cedar's `ip()` accepts, or undefined. CIDR ranges are refused (Cedar would take
 * `10.0.0.0/8` as an address value); IPv4-mapped IPv6 becomes its IPv4 address so an IPv4 range
 * rule sees it; zone ids and other embedded-IPv4 forms, which Cedar rejects, are left out.
 */
export function cedarIp(raw: string | undefined): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const kind = isIP(raw);
  if (kind === 4) return raw;
  if (kind !== 6) return undefined;
  const mapped = IPV4_MAPPED.exec(raw)?.[1];
  if (mapped !== undefined) return isIP(mapped) === 4 ? mapped : undefined;
  return raw.includes('%') || raw.includes('.') ? undefined : raw;
}
