import { parseArgs } from 'node:util';
import type { DecisionOutcome } from '../../functions/core/authorizer.ts';
import type { ExplainStep } from '../../functions/core/explain.ts';
import { assertUnreachable } from '../../functions/core/reasons.ts';
import { forEachEvent } from './event-input.ts';
import { epochSeconds, printJson } from './io.ts';
import type { Command } from './main.ts';
import { loadAuthorizer } from './runtime.ts';

const options = {
  config: { type: 'string' },
  event: { type: 'string' },
  now: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const explain: Command = {
  summary: 'show every step of the decision for an authorizer event, and why it ended as it did',
  help: `
Usage: zta explain --config <file> [--event <file> | --event -] [--now <epoch-seconds>] [--json]

Decides like zta decide (same inputs: one --event file, or JSON Lines on stdin), with the same
core, and prints each step it took, in order: the event, the credential, the token header, the
issuer entry and the key chosen, the signature verdict, the claims, the revocation lookup, the
identity facts, the exact Cedar request (principal, parents, action, resource, context), every
policy the request satisfied (permit/forbid, id, file:line), and the final decision and reason.
Never prints the token or its signature. The verified-token and decision caches are bypassed, so
every step really runs.

  --config <file>   authorizer config (JSON; paths relative to it)
  --event <file>    one event file, or - for JSON Lines on stdin
  --now <seconds>   evaluate at this epoch time instead of the clock
  --json            one JSON object per event: { "steps": [...], "decision": {...} }`,
  options,

  async run(args) {
    const { values } = parseArgs({ args, options, strict: true });
    const nowSeconds = epochSeconds('now', values.now);
    const built = loadAuthorizer(values.config);
    const clock = () => (nowSeconds === undefined ? Date.now() : nowSeconds * 1000);
    const explainOne = async (event: unknown) => {
      const steps: ExplainStep[] = [];
      const outcome = await built.authorize(event, clock(), (step) => steps.push(step));
      if (values.json) printJson({ steps, decision: verdictOf(outcome) });
      else process.stdout.write(`${render(steps, outcome)}\n`);
    };
    await forEachEvent(values.event, explainOne);
    return 0;
  },
};

function verdictOf(outcome: DecisionOutcome): Record<string, unknown> {
  const { decision, record } = outcome;
  return {
    decision: record.decision,
    status: decision.status,
    reason: decision.reason,
    ...(decision.effect === 'deny' ? { detail: decision.detail } : {}),
    decisionId: record.decisionId,
    policyRevision: record.policyRevision,
  };
}

const show = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** The steps as numbered lines an operator reads top to bottom, then the verdict. */
export function render(steps: readonly ExplainStep[], outcome: DecisionOutcome): string {
  const lines = steps.map(
    (step, i) => `${String(i + 1).padStart(2)}. ${step.step.padEnd(10)} ${describe(step)}`,
  );
  const { decision, record } = outcome;
  const detail = decision.effect === 'deny' ? `: ${decision.detail}` : '';
  lines.push(`=> ${record.decision} ${decision.status} ${decision.reason}${detail}`);
  if (steps.length === 0)
    lines.unshift('(the event was refused before any step: it is not an authorizer event)');
  return lines.join('\n');
}

function describe(step: ExplainStep): string {
  switch (step.step) {
    case 'event': {
      const t = step.target;
      return `${step.format} ${t.method} ${t.path} (route ${t.route})${t.sourceIp ? `, from ${t.sourceIp}` : ''}; answer scoped to ${step.resourceArn}`;
    }
    case 'credential':
      return step.found === 'bearer token'
        ? `Authorization holds ${step.tokenBytes} characters (the token is never shown)`
        : `Authorization: ${step.found}`;
    case 'header':
      return `alg ${show(step.alg)}, kid ${show(step.kid)}, typ ${show(step.typ)}; members ${step.members.join(', ')}`;
    case 'issuer':
      return `entry for ${step.iss}: audience ${step.audiences.join(', ') || '(none)'}${step.clientIds.length ? `; client ids ${step.clientIds.join(', ')}` : ''}; algorithms ${step.algorithms.join(', ')}${step.typ ? `; typ ${step.typ}` : ''}`;
    case 'key':
      return `kid ${show(step.kid ?? '(none)')} (${step.kty}${step.crv ? ` ${step.crv}` : ''}), verified as ${step.alg}`;
    case 'signature':
      return step.valid ? 'valid' : 'INVALID: the token was not signed by this key';
    case 'claims': {
      const c = step.claims;
      const at = (name: string) => {
        const v = c[name];
        return typeof v === 'number' ? `${v} (${relative(v - step.now)})` : show(v);
      };
      const parts = Object.keys(c).map((name) =>
        ['iat', 'nbf', 'exp'].includes(name) ? `${name} ${at(name)}` : `${name} ${show(c[name])}`,
      );
      return `${parts.join(', ')}; now ${step.now}, tolerance ${step.clockToleranceSeconds} s, max lifetime ${step.maxLifetimeSeconds} s`;
    }
    case 'revocation': {
      const jti =
        step.query.jti === undefined
          ? 'no jti'
          : `jti ${step.query.jti} ${step.jtiRevoked ? 'REVOKED' : 'not revoked'}`;
      const subject =
        step.subjectRevokedAt === undefined
          ? 'subject not revoked'
          : `subject revoked at ${step.subjectRevokedAt}, covering iat ≤ ${step.coversIatUpTo} (token iat ${step.iat})`;
      return `${jti}; ${subject} => ${step.revoked ? 'REVOKED' : 'not revoked'}`;
    }
    case 'identity': {
      const p = step.principal;
      const extra = [
        `roles [${p.roles.join(', ')}]`,
        `mfa ${p.mfa}`,
        ...(p.scopes ? [`scopes [${p.scopes.join(', ')}]`] : []),
        ...(p.authTime === undefined ? [] : [`auth_time ${p.authTime}`]),
        ...(p.claims && Object.keys(p.claims).length > 0 ? [`claims ${JSON.stringify(p.claims)}`] : []),
      ];
      return `${p.issuer}|${p.subject}: ${extra.join('; ')}`;
    }
    case 'policy': {
      const request =
        step.request === undefined
          ? 'no Cedar request: the method is not an action of the schema'
          : `Cedar request ${JSON.stringify(step.request)}`;
      const matched = step.matched.length
        ? step.matched.map((m) => `${m.effect} ${m.id} (${m.file}:${m.line})`).join('; ')
        : 'none';
      const errors = step.errors.length ? `; errors: ${step.errors.join('; ')}` : '';
      return `${request}\n               satisfied: ${matched}\n               decision ${step.decision}${step.determining.length ? ` by ${step.determining.join(', ')}` : ''}${errors}`;
    }
    default:
      return assertUnreachable(step);
  }
}

function relative(seconds: number): string {
  if (seconds === 0) return 'now';
  return seconds > 0 ? `in ${seconds} s` : `${-seconds} s ago`;
}
