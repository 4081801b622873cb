/**
 * The README's "Protect an existing API" code is the example app's code, verbatim: the consumer
 * test (consumer-app.test.ts) type-checks and synthesizes that app from the packed package, so
 * what the README shows is what was proven to work.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE, REPO } from './consumer-fixture.ts';

function readmeSnippet(): string[] {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Protect an existing API'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('README: no ```ts block after "### Protect an existing API"');
  return block.trimEnd().split('\n');
}

function exampleBetweenMarkers(): string[] {
  const lines = readFileSync(join(EXAMPLE, 'lib', 'orders-api-stack.ts'), 'utf8').split('\n');
  const begin = lines.findIndex((l) => l.trim() === '// README: begin');
  const end = lines.findIndex((l) => l.trim() === '// README: end');
  const indent = /^\s*/.exec(lines[begin] ?? '')?.[0].length ?? 0;
  return lines.slice(begin + 1, end).map((l) => l.slice(indent));
}

describe('README "Protect an existing API"', () => {
  it('imports from the package name, as the example does', () => {
    const [importLine, blank] = readmeSnippet();
    expect(importLine).toBe("import { ZeroTrustAuthorizer } from 'zero-trust-authorizer';");
    expect(blank).toBe('');
    expect(readFileSync(join(EXAMPLE, 'lib', 'orders-api-stack.ts'), 'utf8')).toContain(`${importLine}\n`);
  });

  it('is the example stack’s code, line for line', () => {
    expect(readmeSnippet().slice(2)).toEqual(exampleBetweenMarkers());
  });
});
