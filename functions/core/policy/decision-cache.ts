/**
 * A bounded memo of Cedar's answers, keyed on the parts of the Cedar request the policy set can
 * read (`reads.ts`). Cedar's answer is a pure function of (policy set, schema, request, entities),
 * so a hit returns exactly what Cedar would say. With the default policies the key is
 * (method, route, roles, issuer, mfa): a new token for a known kind of caller skips the wasm call.
 *
 * Only clean answers are stored (no evaluation error): Cedar's error text can name request values
 * that are not in the key, which must never show up in another caller's decision log.
 */
import type { CedarRequest } from './mapping.ts';
import type { PolicyReads } from './reads.ts';
import type { PolicyResult } from './types.ts';

export interface DecisionCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly size: number;
}

export interface DecisionCache {
  /** The answer for `request`, from the memo or from `evaluate` (stored when `cacheable`). */
  answer(request: CedarRequest, evaluate: () => PolicyResult): PolicyResult;
  stats(): DecisionCacheStats;
}

/** A memo of at most `maxEntries` answers (oldest evicted first); 0 evaluates every time. */
export function createDecisionCache(reads: PolicyReads, maxEntries: number): DecisionCache {
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 0) {
    throw new TypeError(`decisionCacheSize must be a whole number ≥ 0, got ${maxEntries}`);
  }
  const projection = compile(reads);
  const entries = new Map<string, PolicyResult>();
  let hits = 0;
  let misses = 0;
  return {
    answer(request, evaluate) {
      if (maxEntries === 0) return evaluate();
      const key = cacheKey(request, projection);
      const known = entries.get(key);
      if (known !== undefined) {
        hits++;
        return known;
      }
      misses++;
      const result = evaluate();
      if (result.decision === 'allow' || result.errors.length === 0) {
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
        // Frozen: every hit hands out this same object.
        Object.freeze(result.determiningPolicies);
        entries.set(key, Object.freeze(result));
      }
      return result;
    },
    stats: () => ({ hits, misses, size: entries.size }),
  };
}

type Names = readonly string[] | 'all';

interface Projection {
  readonly principalId: boolean;
  readonly principalParents: boolean;
  readonly principalAttrs: Names;
  readonly resourceAttrs: Names;
  readonly context: Names;
}

function compile(reads: PolicyReads): Projection {
  const sorted = (names: ReadonlySet<string> | 'all'): Names => (names === 'all' ? 'all' : [...names].sort());
  return {
    principalId: reads.principalId,
    principalParents: reads.principalParents,
    principalAttrs: sorted(reads.principalAttrs),
    resourceAttrs: sorted(reads.resourceAttrs),
    context: sorted(reads.context),
  };
}

interface EntityParts {
  readonly attrs: Record<string, unknown>;
  readonly parents: readonly { readonly type: string; readonly id: string }[];
}

/**
 * The projection of `request` onto what the policies read. Action and resource id are always
 * in; parents are sorted because Cedar treats them as a set. Every value is written in a
 * self-delimiting form (`enc`) and parts are joined on U+0000, so distinct projections never
 * share a key. Built by concatenation: this runs on every request.
 */
function cacheKey(request: CedarRequest, projection: Projection): string {
  const [user, route] = request.entities as unknown as [EntityParts, EntityParts];
  let parents = '';
  if (projection.principalParents) {
    const names = user.parents.map((p) => enc(p.type) + enc(p.id));
    parents = names.length > 1 ? names.sort().join('') : (names[0] ?? '');
  }
  return `${enc(request.action.id)}\u0000${enc(request.resource.id)}\u0000${pick(route.attrs, projection.resourceAttrs)}\u0000${projection.principalId ? enc(request.principal.id) : ''}\u0000${parents}\u0000${pick(user.attrs, projection.principalAttrs)}\u0000${pick(request.context as Record<string, unknown>, projection.context)}`;
}

/**
 * A value as self-delimiting text: a string as `s<length>:<chars>`, a boolean as `t`/`f`, anything
 * else as `j<JSON>` closed by U+0001 (JSON never holds a raw control character), absence as `-`.
 */
function enc(value: unknown): string {
  if (typeof value === 'string') return `s${value.length}:${value}`;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return value === undefined ? '-' : `j${JSON.stringify(value)}\u0001`;
}

function pick(values: Record<string, unknown>, names: Names): string {
  let text = '';
  if (names === 'all') {
    for (const name of Object.keys(values).sort()) text += enc(name) + enc(values[name]);
    return text;
  }
  // Absent attributes write `-`: `has` sees absence, and no request value is undefined.
  for (const name of names) text += enc(Object.hasOwn(values, name) ? values[name] : undefined);
  return text;
}
