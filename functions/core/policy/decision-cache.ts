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
 * in; parents are sorted because Cedar treats them as a set. Each part is JSON text, which
 * never holds a raw control character, so joining on U+0000 keeps distinct requests distinct.
 */
function cacheKey(request: CedarRequest, projection: Projection): string {
  const [user, route] = request.entities as unknown as [EntityParts, EntityParts];
  let parents = '';
  if (projection.principalParents) {
    const names = user.parents.map((p) => JSON.stringify([p.type, p.id]));
    parents = names.length > 1 ? names.sort().join() : (names[0] ?? '');
  }
  return [
    JSON.stringify(request.action.id),
    JSON.stringify(request.resource.id),
    pick(route.attrs, projection.resourceAttrs),
    projection.principalId ? JSON.stringify(request.principal.id) : '',
    parents,
    pick(user.attrs, projection.principalAttrs),
    pick(request.context as Record<string, unknown>, projection.context),
  ].join('\u0000');
}

const byName = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

function pick(values: Record<string, unknown>, names: Names): string {
  if (names === 'all') return JSON.stringify(Object.entries(values).sort(byName));
  if (names.length === 0) return '';
  // `null` marks an absent attribute (`has` sees absence); no request value is JSON null.
  return JSON.stringify(names.map((name) => (Object.hasOwn(values, name) ? values[name] : null)));
}
