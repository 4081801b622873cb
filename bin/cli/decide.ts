import { parseArgs } from 'node:util';
import { toApiGatewayResponse } from '../../functions/core/api-gateway-response.ts';
import type { DecisionOutcome } from '../../functions/core/authorizer.ts';
import { forEachEvent } from './event-input.ts';
import { epochSeconds, printJson, recordSink } from './io.ts';
import type { Command } from './main.ts';
import { loadAuthorizer } from './runtime.ts';

const options = {
  config: { type: 'string' },
  event: { type: 'string' },
  now: { type: 'string' },
  log: { type: 'string' },
} as const;

export const decide: Command = {
  summary: 'decide API Gateway authorizer events exactly as the Lambda would',
  help: `
Usage: zta decide --config <file> [--event <file> | --event -] [--now <epoch-seconds>] [--log <file>]

Decides authorizer events (REST REQUEST, REST TOKEN, HTTP API 2.0) with the same core as the
Lambda. With --event <file>: that one event. Without it, or with --event -: JSON Lines on stdin,
one event per line (blank lines skipped). Prints one JSON object per event, in order:
  {"decision":"ALLOW"|"DENY","status":200|401|403,"reason":"<code>","decisionId":"…", …}
A line that is not JSON or not an authorizer event yields DENY 401 malformed_event.
Decision records go to stderr, or to --log <file> (JSON Lines). Exit 0 when every event was
decided; 2 for a bad config or unreadable input.

  --config <file>   authorizer config (JSON; paths relative to it)
  --event <file>    one event file, or - for JSON Lines on stdin
  --now <seconds>   evaluate at this epoch time instead of the clock
  --log <file>      append decision records here instead of stderr`,
  options,

  async run(args) {
    const { values } = parseArgs({ args, options, strict: true });
    const nowSeconds = epochSeconds('now', values.now);
    const built = loadAuthorizer(values.config);
    const log = recordSink(values.log);
    const clock = () => (nowSeconds === undefined ? Date.now() : nowSeconds * 1000);
    const decideOne = async (event: unknown) => {
      const outcome = await built.authorize(event, clock());
      log(outcome.record);
      printJson(summary(outcome));
    };

    await forEachEvent(values.event, decideOne);
    return 0;
  },
};

/** The stdout line for one decision: what an operator or a test needs, never token material. */
export function summary(outcome: DecisionOutcome): Record<string, unknown> {
  const { decision, record } = outcome;
  const response = toApiGatewayResponse(outcome);
  return {
    decision: record.decision,
    status: decision.status,
    reason: decision.reason,
    decisionId: record.decisionId,
    ...(decision.effect === 'allow' || decision.status === 403
      ? { principal: decision.principal, policies: decision.policies }
      : {}),
    policyRevision: record.policyRevision,
    response,
  };
}
