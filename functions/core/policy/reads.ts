/**
 * Which parts of a request a policy set can possibly read, found from Cedar's own JSON form of
 * each policy (`policyToJson`). The decision cache keys on exactly those parts, so two requests
 * that agree on them get the same answer from Cedar: a pure function of what it reads.
 *
 * The analysis is conservative by construction: a variable used in any way this module does not
 * recognise as narrow (`principal.subject`, `principal in ZTA::Role::"admin"`, `context.mfa`)
 * counts as read whole, and a node it does not know makes the whole request relevant. Entity
 * literals of the request's own types (`ZTA::User::"…"`, `ZTA::Route::"…"`) anywhere else than
 * a comparison also make that entity relevant whole, since `ZTA::User::"x".subject` reads the
 * request entity's attributes when x is its id.
 */
import type { Expr, PolicyJson } from '@cedar-policy/cedar-wasm/nodejs';
import { cedar } from './cedar.ts';
import { ENTITY_TYPES } from './mapping.ts';

/** Attribute names a policy set reads, or `'all'`. */
export type AttributeReads = ReadonlySet<string> | 'all';

export interface PolicyReads {
  /** The principal's id (`<iss>|<sub>`): compared with `==`, or `in` a `ZTA::User` literal. */
  readonly principalId: boolean;
  /** The principal's parents (roles and issuer): `principal in ZTA::Role::"…"`. */
  readonly principalParents: boolean;
  readonly principalAttrs: AttributeReads;
  readonly resourceAttrs: AttributeReads;
  readonly context: AttributeReads;
}

/** What a request is, when nothing narrower can be proven. */
export const READS_EVERYTHING: PolicyReads = Object.freeze({
  principalId: true,
  principalParents: true,
  principalAttrs: 'all',
  resourceAttrs: 'all',
  context: 'all',
});

type Var = 'principal' | 'action' | 'resource' | 'context';

class Everything extends Error {}

/** Analyses policy texts; any text Cedar cannot turn into JSON reads everything. */
export function policyReads(texts: readonly string[]): PolicyReads {
  const reads = {
    principalId: false,
    principalParents: false,
    principalAttrs: new Set<string>() as Set<string> | 'all',
    resourceAttrs: new Set<string>() as Set<string> | 'all',
    context: new Set<string>() as Set<string> | 'all',
  };
  const addAttr = (v: Var, attr: string) => {
    const set =
      v === 'principal'
        ? reads.principalAttrs
        : v === 'resource'
          ? reads.resourceAttrs
          : v === 'context'
            ? reads.context
            : 'all';
    if (set !== 'all') set.add(attr);
  };
  const whole = (v: Var) => {
    if (v === 'principal') {
      reads.principalId = true;
      reads.principalParents = true;
      reads.principalAttrs = 'all';
    } else if (v === 'resource') reads.resourceAttrs = 'all';
    else if (v === 'context') reads.context = 'all';
    // `action` is always part of the key.
  };
  // `principal in <literals>`: ancestry, plus identity when a literal is a User (`in` is reflexive).
  const inLiterals = (types: readonly string[]) => {
    reads.principalParents = true;
    if (types.includes(ENTITY_TYPES.user)) reads.principalId = true;
  };

  const literal = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) literal(item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const entity = (value as { __entity?: { type?: unknown } }).__entity;
    if (entity !== undefined) {
      if (entity.type === ENTITY_TYPES.user) whole('principal');
      else if (entity.type === ENTITY_TYPES.route) whole('resource');
      else if (typeof entity.type !== 'string') throw new Everything();
      return;
    }
    for (const member of Object.values(value)) literal(member);
  };

  const expr = (node: Expr): void => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new Everything();
    const keys = Object.keys(node);
    if (keys.length !== 1) throw new Everything();
    const op = keys[0] as string;
    const body = (node as Record<string, unknown>)[op];
    switch (op) {
      case 'Value':
        literal(body);
        return;
      case 'Var':
        whole(variable(body));
        return;
      case 'Slot':
      case 'Unknown':
        throw new Everything();
      case '.':
      case 'has': {
        const { left, attr } = body as { left: Expr; attr: string | readonly string[] };
        const first = typeof attr === 'string' ? attr : attr[0];
        const v = varOf(left);
        if (v !== undefined && typeof first === 'string') {
          addAttr(v, first);
          return;
        }
        expr(left);
        return;
      }
      case '==':
      case '!=': {
        const { left, right } = body as { left: Expr; right: Expr };
        for (const [a, b] of [
          [left, right],
          [right, left],
        ] as const) {
          // Equality with a literal compares identity only: no attribute or parent is read.
          if (varOf(a) !== undefined && entityLiteralTypes(b) !== undefined) {
            if (varOf(a) === 'principal') reads.principalId = true;
            return;
          }
        }
        expr(left);
        expr(right);
        return;
      }
      case 'in': {
        const { left, right } = body as { left: Expr; right: Expr };
        const types = entityLiteralTypes(right);
        const v = varOf(left);
        if (v !== undefined && types !== undefined) {
          // A Route has no parents and the resource id is always in the key.
          if (v === 'principal') inLiterals(types);
          return;
        }
        expr(left);
        expr(right);
        return;
      }
      default:
        children(op, body);
        return;
    }
  };

  const children = (op: string, body: unknown): void => {
    const known = BINARY.has(op) || UNARY.has(op) || op === 'like' || op === 'is' || op === 'if-then-else';
    if (op === 'Set' || (!known && Array.isArray(body))) {
      // A set literal, or an extension function call (`ip`, `isInRange`, `decimal`, …).
      if (!Array.isArray(body)) throw new Everything();
      for (const item of body) expr(item as Expr);
      return;
    }
    if (op === 'Record') {
      if (body === null || typeof body !== 'object') throw new Everything();
      for (const item of Object.values(body)) expr(item as Expr);
      return;
    }
    if (!known || body === null || typeof body !== 'object') throw new Everything();
    const parts = body as Record<string, unknown>;
    const fields =
      op === 'like'
        ? ['left']
        : op === 'is'
          ? ['left', 'in']
          : op === 'if-then-else'
            ? ['if', 'then', 'else']
            : UNARY.has(op)
              ? ['arg']
              : ['left', 'right'];
    for (const field of fields) {
      if (parts[field] !== undefined) expr(parts[field] as Expr);
      else if (field !== 'in') throw new Everything();
    }
  };

  const scope = (constraint: unknown, v: 'principal' | 'resource' | 'action') => {
    const c = constraint as {
      op?: string;
      entity?: unknown;
      entities?: unknown;
      slot?: unknown;
      in?: unknown;
    };
    if (c.slot !== undefined) throw new Everything();
    if (v !== 'principal') {
      // Action and resource ids are always in the key; Routes have no parents.
      if (!['All', '==', 'in', 'is'].includes(c.op ?? '')) throw new Everything();
      if (c.in !== undefined && (c.in as { slot?: unknown }).slot !== undefined) throw new Everything();
      return;
    }
    switch (c.op) {
      case 'All':
        return;
      case '==':
        reads.principalId = true;
        return;
      case 'in':
        inLiterals([uidType(c.entity)]);
        return;
      case 'is': {
        // The principal is always a User; only an `in` part reads anything.
        const within = c.in as { entity?: unknown; slot?: unknown } | undefined;
        if (within === undefined) return;
        if (within.slot !== undefined) throw new Everything();
        inLiterals([uidType(within.entity)]);
        return;
      }
      default:
        throw new Everything();
    }
  };

  try {
    for (const text of texts) {
      const answer = cedar.policyToJson(text);
      if (answer.type !== 'success') return READS_EVERYTHING;
      const policy: PolicyJson = answer.json;
      scope(policy.principal, 'principal');
      scope(policy.action, 'action');
      scope(policy.resource, 'resource');
      for (const clause of policy.conditions) expr(clause.body);
    }
  } catch (error) {
    if (error instanceof Everything) return READS_EVERYTHING;
    throw error;
  }
  return Object.freeze({ ...reads });
}

const BINARY = new Set([
  '<',
  '<=',
  '>',
  '>=',
  '&&',
  '||',
  '+',
  '-',
  '*',
  'contains',
  'containsAll',
  'containsAny',
  'getTag',
  'hasTag',
]);
const UNARY = new Set(['!', 'neg', 'isEmpty']);
const VARS = new Set(['principal', 'action', 'resource', 'context']);

function variable(body: unknown): Var {
  if (typeof body !== 'string' || !VARS.has(body)) throw new Everything();
  return body as Var;
}

function varOf(node: Expr): Var | undefined {
  const body = (node as { Var?: unknown }).Var;
  return body === undefined ? undefined : variable(body);
}

function uidType(uid: unknown): string {
  const inner = (uid as { __entity?: unknown })?.__entity ?? uid;
  const type = (inner as { type?: unknown })?.type;
  if (typeof type !== 'string') throw new Everything();
  return type;
}

/** Types of an entity literal or a set of entity literals; undefined for anything else. */
function entityLiteralTypes(node: Expr): string[] | undefined {
  const value = (node as { Value?: unknown }).Value;
  const set = (node as { Set?: unknown }).Set;
  const one = (v: unknown) => {
    const entity = (v as { __entity?: { type?: unknown } } | null)?.__entity;
    return typeof entity?.type === 'string' ? entity.type : undefined;
  };
  if (value !== undefined) {
    const items = Array.isArray(value) ? value : [value];
    const types = items.map(one);
    return types.every((t) => t !== undefined) ? (types as string[]) : undefined;
  }
  if (Array.isArray(set)) {
    const types = set.map((item) => one((item as { Value?: unknown }).Value));
    return types.every((t) => t !== undefined) ? (types as string[]) : undefined;
  }
  return undefined;
}
