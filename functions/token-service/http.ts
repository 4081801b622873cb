/**
 * Responses of the token service's REST routes, and every error code they use, in one place.
 * An error is `{ "error": <code>, "message": <text> }` with a status from `ERROR_STATUS`; codes
 * are stable (clients switch on them), messages are for humans. Nothing here ever echoes a token.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';

/** Every refusal the token service can answer, with its HTTP status. */
export const ERROR_STATUS = {
  /** The body is not a JSON object of the documented shape. */
  invalid_request: 400,
  /** The request carries no IAM caller ARN: the route is not behind AWS_IAM auth. */
  missing_caller_identity: 403,
  /** The caller is not an IAM role session (an IAM user, root, a federated user). */
  unsupported_principal: 403,
  /** The caller's role is not mapped to a workload. */
  unknown_workload: 403,
  /** The workload may not ask tokens for this audience. */
  audience_not_allowed: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  /** KMS could not sign (no key yet, key disabled, throttled, unreachable). */
  signing_unavailable: 503,
  /** The key state could not be read, or no key is published yet. */
  jwks_unavailable: 503,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** A JSON response. */
export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', ...headers },
    body: JSON.stringify(body),
  };
}

/** An error response; never cacheable, so a transient refusal is not replayed by a cache. */
export function errorResponse(
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return json(ERROR_STATUS[code], { error: code, message }, { 'cache-control': 'no-store', ...headers });
}
