/**
 * The identity-provider recipes of README.md ("Your identity provider"): fenced blocks tagged
 * ```json recipe=<name> (a whole config) and ```cedar recipe=<name> (its policy). Tests run them
 * as written, so the README cannot drift from what works.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const README = fileURLToPath(new URL('../../README.md', import.meta.url));

export interface Recipe {
  readonly config: Record<string, unknown> & { issuers: Record<string, unknown>[] };
  readonly policy: string;
}

export function readmeRecipes(): ReadonlyMap<string, Recipe> {
  const text = readFileSync(README, 'utf8');
  const configs = new Map<string, string>();
  const policies = new Map<string, string>();
  for (const match of text.matchAll(/^```(json|cedar) recipe=([\w-]+)\n([\s\S]*?)^```$/gm)) {
    const [, language, name, body] = match as unknown as [string, string, string, string];
    (language === 'json' ? configs : policies).set(name, body);
  }
  const recipes = new Map<string, Recipe>();
  for (const [name, config] of configs) {
    const policy = policies.get(name);
    if (policy === undefined) throw new Error(`README recipe ${name} has a config but no policy`);
    recipes.set(name, { config: JSON.parse(config), policy });
  }
  return recipes;
}
