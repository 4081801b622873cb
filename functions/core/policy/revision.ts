import { createHash } from 'node:crypto';
import type { PolicySource } from './load.ts';

/** Short stable hash of the schema and the policy files (sorted by name). */
export function revisionOf(source: PolicySource): string {
  const files = Object.keys(source.policies)
    .sort()
    .map((name) => [name, source.policies[name]]);
  // JSON framing keeps ("ab","c") and ("a","bc") apart.
  return createHash('sha256')
    .update(JSON.stringify([source.schema, files]))
    .digest('hex')
    .slice(0, 16);
}
