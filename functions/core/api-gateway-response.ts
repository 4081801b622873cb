import type { DecisionOutcome } from './authorizer.ts';
import type { RequestFacts } from './event.ts';
import { principalId } from './policy/mapping.ts';
import { assertUnreachable } from './reasons.ts';

/** What API Gateway expects back; a 401 is not a value but the thrown `Unauthorized`. */
export type AuthorizerResponse =
  | {
      principalId: string;
      policyDocument: {
        Version: '2012-10-17';
        Statement: [{ Action: 'execute-api:Invoke'; Effect: 'Allow' | 'Deny'; Resource: string }];
      };
      context: Record<string, string | number | boolean>;
    }
  | { isAuthorized: boolean; context: Record<string, string | number | boolean> };

/** API Gateway turns exactly this error message into a 401 response. */
export const UNAUTHORIZED = 'Unauthorized';

/**
 * Maps a decision to API Gateway's answer. REST policies name only the request's own
 * `methodArn`: if the authorizer cache ever served this answer for another route, API Gateway
 * would find no matching statement and deny — a cached ALLOW can never widen to other routes.
 * Returns `UNAUTHORIZED` for a 401, which the handler throws.
 */
export function toApiGatewayResponse(outcome: DecisionOutcome): AuthorizerResponse | typeof UNAUTHORIZED {
  const { decision, facts, record } = outcome;
  if (decision.status === 401 || !facts) return UNAUTHORIZED;
  const context: Record<string, string | number | boolean> = {
    decisionId: record.decisionId,
    reason: decision.reason,
    issuer: decision.principal.issuer,
    subject: decision.principal.subject,
    roles: JSON.stringify(decision.principal.roles),
    // A JSON string too: API Gateway context values are strings, numbers or booleans only.
    scopes: JSON.stringify(decision.principal.scopes ?? []),
    mfa: decision.principal.mfa,
    policyRevision: record.policyRevision,
  };
  const allow = decision.effect === 'allow';
  // `<iss>|<sub>`, as the Cedar principal: one `sub` from two issuers is two principals.
  return shapeFor(facts, allow, principalId(decision.principal), context);
}

function shapeFor(
  facts: RequestFacts,
  allow: boolean,
  principalId: string,
  context: Record<string, string | number | boolean>,
): AuthorizerResponse {
  switch (facts.format) {
    case 'http-v2':
      return { isAuthorized: allow, context };
    case 'rest-request':
    case 'rest-token':
      return {
        principalId,
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Action: 'execute-api:Invoke', Effect: allow ? 'Allow' : 'Deny', Resource: facts.resourceArn },
          ],
        },
        context,
      };
    default:
      return assertUnreachable(facts.format);
  }
}
