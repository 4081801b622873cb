/**
 * A policy set loaded, validated and analysed at build time, shipped with the Lambda package as
 * `compiled-policies.json`, so a cold start skips the Cedar calls that only re-derive it
 * (schema reading, splitting files, strict validation, the read analysis) and keeps the ones it
 * needs (pre-parsing, one request per action shape).
 *
 * Trust: an artifact is used only when it was built from exactly the texts being loaded (same
 * revision hash) by the same Cedar version, and every member has the type it must have. Anything
 * else — a policy file edited after the build, another Cedar, a malformed file — is ignored and
 * the set is loaded and validated in full, so a bad policy still refuses to load.
 */
import type { PolicyReason } from '../reasons.ts';
import { cedar } from './cedar.ts';
import { ANNOTATION_REASONS, type LoadedPolicy, type LoadedPolicySet } from './load.ts';
import type { AttributeReads, PolicyReads } from './reads.ts';

export const COMPILED_FORMAT = 'zta.compiled-policies/v1';

type NamesJson = readonly string[] | 'all';

export interface CompiledPolicySet {
  readonly format: typeof COMPILED_FORMAT;
  readonly cedarVersion: string;
  /** `revisionOf` the source it was built from. */
  readonly revision: string;
  readonly policies: readonly LoadedPolicy[];
  readonly actions: readonly string[];
  readonly reads: {
    readonly principalId: boolean;
    readonly principalParents: boolean;
    readonly principalAttrs: NamesJson;
    readonly resourceAttrs: NamesJson;
    readonly context: NamesJson;
  };
}

/** What an engine needs from a loaded set, however it was obtained. */
export interface PreparedPolicySet extends LoadedPolicySet {
  readonly reads: PolicyReads;
}

/**
 * The record of a set an engine loaded in full (`LoadedPolicyEngine.compiled()`), for the
 * bundler to ship: what the cold start would otherwise re-derive.
 */
export function compiledFrom(set: PreparedPolicySet, revision: string): CompiledPolicySet {
  const { policies, actions, reads } = set;
  const names = (value: AttributeReads): NamesJson => (value === 'all' ? 'all' : [...value].sort());
  return {
    format: COMPILED_FORMAT,
    cedarVersion: cedar.getCedarVersion(),
    revision,
    policies: policies.map((policy) => ({ ...policy })),
    actions: [...actions].sort(),
    reads: {
      principalId: reads.principalId,
      principalParents: reads.principalParents,
      principalAttrs: names(reads.principalAttrs),
      resourceAttrs: names(reads.resourceAttrs),
      context: names(reads.context),
    },
  };
}

/**
 * The set described by `compiled` when it was built from exactly the source whose `revisionOf`
 * is `revision`, by this Cedar, and is well formed; undefined otherwise (the caller then loads
 * the source in full).
 */
export function fromCompiled(compiled: unknown, revision: string): PreparedPolicySet | undefined {
  if (!isObject(compiled)) return undefined;
  const { format, cedarVersion, policies, actions, reads } = compiled;
  if (format !== COMPILED_FORMAT || cedarVersion !== cedar.getCedarVersion()) return undefined;
  if (compiled.revision !== revision) return undefined;
  if (!Array.isArray(policies) || policies.length === 0 || !policies.every(isLoadedPolicy)) return undefined;
  if (!Array.isArray(actions) || !actions.every((a) => typeof a === 'string')) return undefined;
  if (!isObject(reads)) return undefined;
  const principalAttrs = namesOf(reads.principalAttrs);
  const resourceAttrs = namesOf(reads.resourceAttrs);
  const context = namesOf(reads.context);
  if (typeof reads.principalId !== 'boolean' || typeof reads.principalParents !== 'boolean') return undefined;
  if (!principalAttrs || !resourceAttrs || !context) return undefined;
  return {
    policies: policies.map((policy) => Object.freeze({ ...policy })),
    actions: new Set(actions),
    reads: Object.freeze({
      principalId: reads.principalId,
      principalParents: reads.principalParents,
      principalAttrs,
      resourceAttrs,
      context,
    }),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function namesOf(value: unknown): AttributeReads | undefined {
  if (value === 'all') return 'all';
  if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) return undefined;
  return new Set(value);
}

function isLoadedPolicy(value: unknown): value is LoadedPolicy {
  if (!isObject(value)) return false;
  const { id, file, line, effect, reason, text } = value;
  return (
    typeof id === 'string' &&
    typeof file === 'string' &&
    Number.isSafeInteger(line) &&
    (effect === 'permit' || effect === 'forbid') &&
    (reason === undefined || (effect === 'forbid' && ANNOTATION_REASONS.includes(reason as PolicyReason))) &&
    typeof text === 'string'
  );
}
