/**
 * What the Cedar schema says about `context.scopes` and `context.claims`, read from Cedar's own
 * JSON form of the schema. Two uses:
 * - loading a policy set: every action's context must declare `scopes: Set<String>` and a
 *   `claims` record, because the engine always sends both (a clear message beats Cedar's
 *   "context is not valid" on the first request);
 * - loading a config: each typed claim (`issuers[].claims.typed.<name>`) must be declared in
 *   every action's `context.claims` as an optional attribute of the same type, or the config is
 *   refused naming the key. A claim the schema does not know would fail every request at run
 *   time; a required one would fail every token that lacks the claim.
 */
import type { TypedClaimType } from '../config/claim-mapping.ts';
import { cedar } from './cedar.ts';
import { NAMESPACE } from './mapping.ts';

type SchemaType = Readonly<Record<string, unknown>>;
interface Attribute {
  readonly type: string;
  readonly required: boolean;
}
type Attributes = ReadonlyMap<string, Attribute>;

/** Each action's context attributes (action → name → type), types written as Cedar writes them. */
interface ContextShapes {
  readonly context: ReadonlyMap<string, Attributes>;
  readonly claims: ReadonlyMap<string, Attributes | undefined>;
}

function shapes(schemaText: string): ContextShapes | undefined {
  const parsed = cedar.schemaToJson(schemaText);
  if (parsed.type !== 'success') return undefined;
  const namespace = parsed.json[NAMESPACE] as unknown as
    | {
        commonTypes?: Record<string, SchemaType>;
        actions: Record<string, { appliesTo?: { principalTypes?: unknown[]; context?: SchemaType } }>;
      }
    | undefined;
  if (!namespace) return undefined;
  const common = namespace.commonTypes ?? {};
  const resolve = (type: SchemaType | undefined, depth = 0): SchemaType | undefined => {
    if (type === undefined || depth > 16) return undefined;
    const kind = type.type;
    const name = kind === 'EntityOrCommon' ? type.name : kind;
    if (typeof name !== 'string') return type;
    const local = name.startsWith(`${NAMESPACE}::`) ? name.slice(NAMESPACE.length + 2) : name;
    const target = common[local];
    return target === undefined ? type : resolve(target, depth + 1);
  };
  const describe = (type: SchemaType | undefined): string => {
    const resolved = resolve(type);
    if (resolved === undefined) return 'unknown';
    const kind = resolved.type === 'EntityOrCommon' ? resolved.name : resolved.type;
    const plain = String(kind).replace(/^__cedar::/, '');
    if (plain === 'Set') return `Set<${describe(resolved.element as SchemaType)}>`;
    return plain === 'Boolean' ? 'Bool' : plain;
  };
  const attributes = (type: SchemaType | undefined): Attributes | undefined => {
    const resolved = resolve(type);
    if (resolved?.type !== 'Record') return undefined;
    const attrs = (resolved.attributes ?? {}) as Record<string, SchemaType>;
    return new Map(
      Object.entries(attrs).map(([name, attr]) => [
        name,
        { type: describe(attr), required: attr.required !== false },
      ]),
    );
  };
  const context = new Map<string, Attributes>();
  const claims = new Map<string, Attributes | undefined>();
  for (const [action, spec] of Object.entries(namespace.actions)) {
    if ((spec.appliesTo?.principalTypes?.length ?? 0) === 0) continue;
    const ctx = resolve(spec.appliesTo?.context);
    const attrs = attributes(ctx) ?? new Map();
    context.set(action, attrs);
    const claimsType = (ctx?.attributes as Record<string, SchemaType> | undefined)?.claims;
    claims.set(action, attributes(claimsType));
  }
  return { context, claims };
}

/** Problems with the context every action must accept; [] when the schema does not parse. */
export function requestContextProblems(schemaText: string): string[] {
  const found = shapes(schemaText);
  if (!found) return [];
  const problems: string[] = [];
  for (const [action, attrs] of found.context) {
    const scopes = attrs.get('scopes');
    if (scopes?.type !== 'Set<String>' || !scopes.required) {
      problems.push(
        `schema: the context of action ${action} must declare "scopes: Set<String>" (the token's scopes; see policies/README.md)`,
      );
    }
    const claims = attrs.get('claims');
    if (found.claims.get(action) === undefined || !claims?.required) {
      problems.push(
        `schema: the context of action ${action} must declare "claims" as a record (typed claims, "{}" when none; see policies/README.md)`,
      );
    }
  }
  return problems;
}

/** One typed claim to check, and the config key path to name when it does not fit. */
export interface TypedClaimDeclaration {
  readonly at: string;
  readonly name: string;
  readonly type: TypedClaimType;
}

/**
 * The first typed claim the schema does not declare as `claims.<name>?: <type>` for every
 * action, as [config key path, problem]; undefined when all fit or the schema does not parse.
 */
export function typedClaimMismatch(
  schemaText: string,
  declarations: readonly TypedClaimDeclaration[],
): readonly [string, string] | undefined {
  if (declarations.length === 0) return undefined;
  const found = shapes(schemaText);
  // A schema Cedar cannot read is the policy loader's to report, with its own line numbers.
  if (!found) return undefined;
  for (const { at, name, type } of declarations) {
    for (const [action, claims] of found.claims) {
      const attr = claims?.get(name);
      if (attr === undefined) {
        return [
          at,
          `context.claims.${name} is not declared in the policy schema (action ${action}): add "${name}?: ${type}" to the claims record of schema.cedarschema`,
        ];
      }
      if (attr.type !== type) {
        return [
          at,
          `is ${type}, but the policy schema declares context.claims.${name} as ${attr.type} (action ${action})`,
        ];
      }
      if (attr.required) {
        return [
          at,
          `the policy schema declares context.claims.${name} as required (action ${action}): declare it "${name}?: ${type}", since a token may lack the claim`,
        ];
      }
    }
  }
  return undefined;
}
