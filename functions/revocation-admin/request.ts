import { randomUUID } from 'node:crypto';
import type { RevocationAudit, RevocationTarget } from '../core/revocation-writer.ts';

/** The parts of an API Gateway proxy event (REST v1 or HTTP API v2, IAM-authorized) read here. */
export interface AdminEvent {
  readonly httpMethod?: string;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly requestContext?: {
    readonly requestId?: string;
    readonly identity?: { readonly userArn?: string | null };
    readonly http?: { readonly method?: string };
    readonly authorizer?: { readonly iam?: { readonly userArn?: string } };
  };
}

export type AdminRequest =
  | {
      readonly action: 'revoke' | 'unrevoke';
      readonly target: RevocationTarget;
      readonly audit: RevocationAudit;
    }
  | { readonly action: 'history'; readonly target: RevocationTarget };

export type AdminParse =
  | { readonly ok: true; readonly request: AdminRequest }
  | { readonly ok: false; readonly status: 400 | 403 | 405; readonly message: string };

const MAX_FIELD = 1024;

/**
 * Reads an admin request. The caller is the IAM principal API Gateway authenticated (SigV4,
 * `AWS_IAM` authorization): without one the request is refused (403) even if the route was
 * misconfigured without IAM — the audit trail must name a real identity.
 *
 * - `POST /revocations` `{ "kind": "subject", "issuer", "subject", "reason" }` or
 *   `{ "kind": "jti", "jti", "issuer"?, "reason" }`: revoke now;
 * - `DELETE /revocations` with the same body: lift the revocation;
 * - `GET /revocations?kind=…&issuer=…&subject=…|jti=…`: the target's audit trail.
 * An `Idempotency-Key` header makes retries of one request one request.
 */
export function parseAdminRequest(event: AdminEvent): AdminParse {
  const actor = event.requestContext?.identity?.userArn ?? event.requestContext?.authorizer?.iam?.userArn;
  if (!actor)
    return { ok: false, status: 403, message: 'IAM authentication required (AWS_IAM authorization)' };
  const method = (event.httpMethod ?? event.requestContext?.http?.method ?? '').toUpperCase();

  if (method === 'GET') {
    const target = targetOf(event.queryStringParameters ?? {});
    return typeof target === 'string' ? bad(target) : { ok: true, request: { action: 'history', target } };
  }
  if (method !== 'POST' && method !== 'DELETE')
    return { ok: false, status: 405, message: `method ${method} not allowed` };

  let body: unknown;
  try {
    const text = event.isBase64Encoded
      ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
      : (event.body ?? '');
    body = JSON.parse(text);
  } catch {
    return bad('body: expected JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return bad('body: expected a JSON object');
  const fields = body as Record<string, unknown>;
  const target = targetOf(fields);
  if (typeof target === 'string') return bad(target);
  const reason = fields.reason;
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 512) {
    return bad('reason: required, a non-empty string of at most 512 characters (it is the audit trail)');
  }
  const key = headerValue(event.headers, 'idempotency-key');
  const audit: RevocationAudit = {
    actor,
    reason,
    requestId: key ? `idem:${key.slice(0, 128)}` : (event.requestContext?.requestId ?? randomUUID()),
    trigger: 'manual',
  };
  return { ok: true, request: { action: method === 'POST' ? 'revoke' : 'unrevoke', target, audit } };
}

function targetOf(fields: Readonly<Record<string, unknown>>): RevocationTarget | string {
  const known = ['kind', 'issuer', 'subject', 'jti', 'reason'];
  const unknown = Object.keys(fields).find((k) => !known.includes(k));
  if (unknown) return `${unknown}: unknown field (expected ${known.join(', ')})`;
  for (const k of ['issuer', 'subject', 'jti']) {
    const v = fields[k];
    if (v !== undefined && (typeof v !== 'string' || v === '' || v.length > MAX_FIELD)) {
      return `${k}: expected a non-empty string of at most ${MAX_FIELD} characters`;
    }
  }
  const { kind, issuer, subject, jti } = fields as Record<string, string | undefined>;
  if (kind === 'subject') {
    if (!issuer || !subject || jti !== undefined)
      return 'a subject revocation needs issuer and subject (no jti)';
    return { kind, issuer, subject };
  }
  if (kind === 'jti') {
    if (!jti || subject !== undefined)
      return 'a jti revocation needs jti (and optionally issuer, no subject)';
    return { kind, jti, ...(issuer ? { issuer } : {}) };
  }
  return 'kind: expected "subject" or "jti"';
}

function headerValue(headers: AdminEvent['headers'], name: string): string | undefined {
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() === name && v) return v;
  return undefined;
}

const bad = (message: string): AdminParse => ({ ok: false, status: 400, message });
