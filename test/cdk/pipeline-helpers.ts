import type { Template } from 'aws-cdk-lib/assertions';
import { resourcesOfType } from './helpers.ts';

export type Statement = {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

/** The one logical id of `type` that starts with `prefix` (fails loudly on none or several). */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(resourcesOfType(template, type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ') || 'none'}`);
  return ids[0] as string;
}

/** Every statement of every AWS::IAM::Policy attached to the role with this logical id. */
export function roleStatements(template: Template, roleId: string): Statement[] {
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties?.Roles).includes(`"${roleId}"`))
    .flatMap(
      (p) => (p.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [],
    );
}

/** The role of the function whose logical id starts with `functionPrefix`. */
export function functionRoleId(template: Template, functionPrefix: string): string {
  const fnId = logicalId(template, 'AWS::Lambda::Function', functionPrefix);
  const role = resourcesOfType(template, 'AWS::Lambda::Function')[fnId]?.Properties?.Role as {
    'Fn::GetAtt': [string, string];
  };
  return role['Fn::GetAtt'][0];
}

export const actionsOf = (statement: Statement): string[] => [statement.Action].flat();

/** Every action the statements allow, sorted, without duplicates. */
export function allowedActions(statements: readonly Statement[]): string[] {
  return [...new Set(statements.filter((s) => s.Effect === 'Allow').flatMap(actionsOf))].sort();
}

/** Statements that allow `action`. */
export function allowing(statements: readonly Statement[], action: string): Statement[] {
  return statements.filter((s) => s.Effect === 'Allow' && actionsOf(s).includes(action));
}

/**
 * Dependency cycles between resources (Ref, Fn::GetAtt, Fn::Sub, DependsOn): CloudFormation
 * refuses such a template at deployment, and `cdk synth` does not notice.
 */
export function dependencyCycles(template: Template): string[][] {
  const resources = (template.toJSON() as { Resources: Record<string, Record<string, unknown>> }).Resources;
  const ids = new Set(Object.keys(resources));
  const deps = new Map<string, Set<string>>();
  const walk = (value: unknown, out: Set<string>): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item, out);
    } else if (value && typeof value === 'object') {
      const obj = value as Record<string, unknown>;
      if (typeof obj.Ref === 'string' && ids.has(obj.Ref)) out.add(obj.Ref);
      const getAtt = obj['Fn::GetAtt'];
      if (Array.isArray(getAtt) && ids.has(getAtt[0] as string)) out.add(getAtt[0] as string);
      const sub = obj['Fn::Sub'];
      if (typeof sub === 'string') {
        for (const match of sub.matchAll(/\$\{([^}.!]+)/g))
          if (ids.has(match[1] as string)) out.add(match[1] as string);
      }
      for (const child of Object.values(obj)) walk(child, out);
    }
  };
  for (const [id, resource] of Object.entries(resources)) {
    const out = new Set<string>();
    walk(resource.Properties ?? {}, out);
    for (const dep of [resource.DependsOn ?? []].flat() as string[]) out.add(dep);
    deps.set(id, out);
  }
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): void => {
    state.set(id, 'open');
    path.push(id);
    for (const dep of deps.get(id) ?? []) {
      if (state.get(dep) === 'open') cycles.push([...path.slice(path.indexOf(dep)), dep]);
      else if (!state.has(dep)) visit(dep);
    }
    path.pop();
    state.set(id, 'done');
  };
  for (const id of ids) if (!state.has(id)) visit(id);
  return cycles;
}
