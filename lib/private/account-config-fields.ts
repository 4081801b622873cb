import {
  ConfigError,
  type Json,
  join,
  objectAt,
  onlyKeys,
  show,
} from '../../functions/core/config/reader.ts';
import { integer, oneOf, section } from './config-fields.ts';

/**
 * The parts of `config/<env>.json` that decide whether a first deploy into an account can
 * succeed: account-wide settings the stack creates or relies on, and the account quotas it
 * consumes. Every refusal names the key path and shows the value.
 */

/**
 * Who provides API Gateway's account-level CloudWatch Logs role, without which no stage with
 * access logging can be created ("CloudWatch Logs role ARN must be set in account settings").
 * `create`: this stack creates the role and sets it (retained when the stack goes). `existing`:
 * the account already has one. The setting is one per account and region, so of two stacks
 * sharing both, exactly one may say `create`.
 */
export type ApiGatewayAccountRole = 'create' | 'existing';

export function apiGatewayAccountRole(root: Json): ApiGatewayAccountRole {
  return oneOf(root, 'apiGatewayAccountRole', '', ['create', 'existing'] as const);
}

/**
 * Reserved concurrency per function; `null` reserves nothing. Lambda keeps at least
 * `UNRESERVED_CONCURRENCY_FLOOR` of an account's concurrency unreserved, so any reservation
 * fails to deploy on an account whose quota is not above the sum plus that floor (new accounts
 * may have a quota of 10).
 */
export interface ReservedConcurrency {
  /** The authorizer: a guaranteed share, and a ceiling. */
  readonly authorizer: number | null;
  /** Each of the key rotator's two functions (scheduled, on demand): 1 keeps runs one at a time. */
  readonly keyRotator: number | null;
}

/** What Lambda leaves unreserved in every account and region (PutFunctionConcurrency). */
export const UNRESERVED_CONCURRENCY_FLOOR = 100;

export function reservedConcurrency(root: Json): ReservedConcurrency {
  const raw = section(root, 'reservedConcurrency', ['authorizer', 'keyRotator']);
  const reservation = (key: string, max: number): number | null =>
    raw[key] === null ? null : integer(raw, key, 'reservedConcurrency', 1, max);
  return { authorizer: reservation('authorizer', 10_000), keyRotator: reservation('keyRotator', 10) };
}

/** Concurrency the stack reserves in total (the rotator's value counts twice: two functions). */
export function reservedConcurrencyTotal(reserved: ReservedConcurrency): number {
  return (reserved.authorizer ?? 0) + 2 * (reserved.keyRotator ?? 0);
}

/**
 * The account's Lambda concurrency quota (`aws lambda get-account-settings`:
 * `AccountLimit.ConcurrentExecutions`) this environment needs, counting only its own
 * reservations: 0 when it reserves nothing (any account works).
 */
export function concurrencyQuotaNeeded(reserved: ReservedConcurrency): number {
  const total = reservedConcurrencyTotal(reserved);
  return total === 0 ? 0 : total + UNRESERVED_CONCURRENCY_FLOOR;
}

/** The AWS WAF web ACL in front of the REGIONAL stages (`api.webAcl`). */
export interface WebAclConfig {
  /** Requests one client IP may send in any 5 minutes before the rate rule blocks it. */
  readonly requestsPerIpPer5Minutes: number;
}

/** `api.webAcl` when a REGIONAL API's config does not say. */
export const DEFAULT_WEB_ACL: WebAclConfig = Object.freeze({ requestsPerIpPer5Minutes: 2000 });

/**
 * `api.webAcl`: absent means the default web ACL for a REGIONAL API (reachable from the
 * internet) and none for a PRIVATE one; `null` is a visible "none". A PRIVATE API answers only
 * through the VPC endpoint, so a web ACL there is refused rather than silently unused.
 */
export function webAcl(api: Json, endpointType: 'REGIONAL' | 'PRIVATE'): WebAclConfig | null {
  const at = join('api', 'webAcl');
  const raw = api.webAcl;
  if (raw === undefined) return endpointType === 'REGIONAL' ? DEFAULT_WEB_ACL : null;
  if (raw === null) return null;
  if (endpointType === 'PRIVATE') {
    throw new ConfigError(
      at,
      `a web ACL is attached to REGIONAL APIs only (a PRIVATE API answers only through the VPC endpoint): expected null, got ${show(raw)}`,
    );
  }
  const obj = objectAt(raw, at);
  onlyKeys(obj, at, ['requestsPerIpPer5Minutes']);
  if (obj.requestsPerIpPer5Minutes === undefined) {
    throw new ConfigError(join(at, 'requestsPerIpPer5Minutes'), 'is required');
  }
  // AWS WAF's rate-based rules take 100 to 2e9 requests per 5-minute window.
  return { requestsPerIpPer5Minutes: integer(obj, 'requestsPerIpPer5Minutes', at, 100, 2_000_000_000) };
}
