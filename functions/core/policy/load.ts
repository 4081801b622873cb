/**
 * Turns policy text into a checked list of policies: split every file into single policies, give
 * each a stable id, read its annotations, and validate the whole set strictly against the schema.
 * Every problem found is collected and thrown together as one `PolicyLoadError`, so an author sees
 * all of them at once and a bad set never reaches a request.
 */
import { POLICY_REASONS, type PolicyReason } from '../reasons.ts';
import { cedar, describeCedarError, messageOf, placeOf } from './cedar.ts';
import { requestContextProblems } from './context-schema.ts';
import { PolicyLoadError } from './errors.ts';
import { NAMESPACE } from './mapping.ts';

/** The texts a policy set is made of: the Cedar schema and the `.cedar` files, keyed by file name. */
export interface PolicySource {
  /** Cedar human-readable schema (`.cedarschema`) text. */
  readonly schema: string;
  /** Cedar policy text per file name (`sensitive.cedar`); the file stem prefixes generated ids. */
  readonly policies: Readonly<Record<string, string>>;
}

/** One static policy of the set, in load order (files by name, then position in the file). */
export interface LoadedPolicy {
  /** `@id("...")` when annotated, else `<file-stem>.<n>` with n counting from 1 in the file. */
  readonly id: string;
  readonly file: string;
  /** 1-based line of the policy's first character (its first annotation) in `file`. */
  readonly line: number;
  readonly effect: 'permit' | 'forbid';
  /** The `@reason("...")` of a forbid: the deny reason when this policy determines a deny. */
  readonly reason?: PolicyReason;
  readonly text: string;
}

export interface LoadedPolicySet {
  readonly policies: readonly LoadedPolicy[];
  /** Actions of namespace `ZTA` a request can name (those with `appliesTo`), i.e. the HTTP methods. */
  readonly actions: ReadonlySet<string>;
}

/** Reasons a `@reason` annotation may name: the two engine-owned codes are not for authors. */
export const ANNOTATION_REASONS: readonly PolicyReason[] = POLICY_REASONS.filter(
  (reason) => reason !== 'policy_denied' && reason !== 'policy_error',
);

const PER_ACTION = / for ZTA::Action::"([^"]*)"/;

// Ids appear in decision logs and scenario files: keep them to characters that need no quoting.
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Loads and validates `source`; throws `PolicyLoadError` listing every problem found. */
export function loadPolicySet(source: PolicySource): LoadedPolicySet {
  const problems: string[] = [];
  const actions = readActions(source.schema, problems);
  if (actions.size > 0) problems.push(...requestContextProblems(source.schema));
  const policies: LoadedPolicy[] = [];
  for (const file of Object.keys(source.policies).sort()) {
    policies.push(...splitFile(file, source.policies[file] ?? '', problems));
  }
  checkIds(policies, problems);
  if (policies.length === 0 && problems.length === 0)
    problems.push('no policies: every request would be denied');
  if (problems.length === 0) validate(source.schema, policies, problems);
  if (problems.length > 0) throw new PolicyLoadError(problems);
  return { policies, actions };
}

function readActions(schema: string, problems: string[]): Set<string> {
  const actions = new Set<string>();
  if (typeof schema !== 'string' || schema.trim() === '') {
    problems.push('schema: empty; expected Cedar schema text declaring namespace ZTA');
    return actions;
  }
  const parsed = cedar.schemaToJson(schema);
  if (parsed.type === 'failure') {
    problems.push(...parsed.errors.map((error) => describeCedarError(error, 'schema', schema)));
    return actions;
  }
  const namespace = parsed.json[NAMESPACE];
  if (!namespace) {
    problems.push(
      `schema: no namespace ${NAMESPACE}; the engine sends ${NAMESPACE}::User, ${NAMESPACE}::Route`,
    );
    return actions;
  }
  for (const [name, action] of Object.entries(namespace.actions)) {
    // Action groups (`read`, `write`) have no principal types: a request can never name them.
    if ((action.appliesTo?.principalTypes.length ?? 0) > 0) actions.add(name);
  }
  if (actions.size === 0) problems.push(`schema: namespace ${NAMESPACE} declares no action with appliesTo`);
  return actions;
}

function splitFile(file: string, text: string, problems: string[]): LoadedPolicy[] {
  const parts = cedar.policySetTextToParts(text);
  if (parts.type === 'failure') {
    problems.push(...parts.errors.map((error) => describeCedarError(error, file, text)));
    return [];
  }
  if (parts.policy_templates.length > 0) {
    problems.push(
      `${file}: contains a policy template (?principal or ?resource); templates are not supported`,
    );
    return [];
  }
  const stem = file.replace(/\.cedar$/, '');
  const loaded: LoadedPolicy[] = [];
  let cursor = 0;
  for (const [index, policyText] of inFileOrder(parts.policies).entries()) {
    const offset = text.indexOf(policyText, cursor);
    if (offset < 0) {
      problems.push(
        `${file}: could not locate policy ${index + 1} in the file text (Cedar split it unexpectedly)`,
      );
      return [];
    }
    cursor = offset + policyText.length;
    const line = text.slice(0, offset).split('\n').length;
    const policy = readPolicy(file, line, `${stem}.${index + 1}`, policyText, problems);
    if (policy) loaded.push(policy);
  }
  return loaded;
}

/**
 * Cedar returns the parts sorted by the ids it assigned (`policy0`, `policy1`, … compared as
 * strings, so `policy10` sorts before `policy2`). File order decides generated ids and which
 * `@reason` wins, so undo that sort.
 */
function inFileOrder(sortedParts: readonly string[]): string[] {
  const assigned = sortedParts.map((_, i) => `policy${i}`).sort();
  const ordered: string[] = new Array(sortedParts.length);
  assigned.forEach((id, k) => {
    ordered[Number(id.slice('policy'.length))] = sortedParts[k] ?? '';
  });
  return ordered;
}

function readPolicy(
  file: string,
  line: number,
  generatedId: string,
  text: string,
  problems: string[],
): LoadedPolicy | undefined {
  const where = `${file}:${line}`;
  const json = cedar.policyToJson(text);
  if (json.type === 'failure') {
    problems.push(...json.errors.map((error) => describeCedarError(error, file, text, line)));
    return undefined;
  }
  const annotations = json.json.annotations ?? {};
  const id = annotations.id ?? generatedId;
  if (!ID_PATTERN.test(id)) {
    const fix = annotations.id === undefined ? 'rename the file or add @id("...")' : 'change the @id';
    problems.push(
      `${where}: policy id ${JSON.stringify(id)} is not of the form ${ID_PATTERN.source}; ${fix}`,
    );
    return undefined;
  }
  const effect = json.json.effect;
  const reason = annotations.reason;
  if (reason === undefined) return { id, file, line, effect, text };
  if (effect !== 'forbid') {
    problems.push(
      `${where}: policy "${id}" is a permit with @reason; only a forbid's reason is ever reported`,
    );
    return undefined;
  }
  const known = ANNOTATION_REASONS.find((candidate) => candidate === reason);
  if (!known) {
    const allowed = ANNOTATION_REASONS.map((r) => `"${r}"`).join(', ');
    problems.push(
      `${where}: policy "${id}" has @reason(${JSON.stringify(reason)}); expected one of ${allowed}`,
    );
    return undefined;
  }
  return { id, file, line, effect, reason: known, text };
}

function checkIds(policies: readonly LoadedPolicy[], problems: string[]): void {
  const seen = new Map<string, LoadedPolicy>();
  for (const policy of policies) {
    const first = seen.get(policy.id);
    if (first) {
      problems.push(
        `${policy.file}:${policy.line}: duplicate policy id "${policy.id}" (first at ${first.file}:${first.line})`,
      );
    } else {
      seen.set(policy.id, policy);
    }
  }
}

function validate(schema: string, policies: readonly LoadedPolicy[], problems: string[]): void {
  const byId = new Map(policies.map((policy) => [policy.id, policy]));
  const answer = cedar.validate({
    schema,
    policies: { staticPolicies: Object.fromEntries(policies.map((policy) => [policy.id, policy.text])) },
    validationSettings: { mode: 'strict' },
  });
  if (answer.type === 'failure') {
    problems.push(...answer.errors.map((error) => describeCedarError(error, 'validation')));
    return;
  }
  // Strict validation checks each action separately, so one mistake comes back once per action:
  // report it once, listing the actions.
  const grouped = new Map<string, string[]>();
  for (const { policyId, error } of answer.validationErrors) {
    const policy = byId.get(policyId);
    const place = placeOf(error, policy?.file ?? 'validation', policy?.text, policy?.line);
    let action = '';
    const message = messageOf(error).replace(PER_ACTION, (_, name: string) => {
      action = name;
      return '';
    });
    const key = `${place}: policy "${policyId}" fails strict validation: ${message}`;
    grouped.set(key, [...(grouped.get(key) ?? []), ...(action ? [action] : [])]);
  }
  for (const [line, actions] of grouped) {
    problems.push(actions.length > 0 ? `${line} (actions ${actions.sort().join(', ')})` : line);
  }
}
