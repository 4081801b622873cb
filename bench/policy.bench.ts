/**
 * evaluate() latency for the shipped policy set. Not a test: run `npx tsx bench/policy.bench.ts`.
 * Prints cold-start construction time and per-call p50/p99 in microseconds for a few requests.
 */
import { fileURLToPath } from 'node:url';
import { createPolicyEngine } from '../functions/core/policy/engine.ts';
import type { PolicyInput } from '../functions/core/policy/types.ts';
import { readPolicySource } from '../functions/runtime/policy-dir.ts';

const dir = fileURLToPath(new URL('../policies/', import.meta.url));
const started = performance.now();
const engine = createPolicyEngine(readPolicySource(dir));
const coldMs = performance.now() - started;

const now = 1_767_225_600;
const principal = {
  issuer: 'https://idp.example.com',
  subject: 'user-1',
  roles: ['admin'],
  mfa: true,
  authTime: now - 60,
};
const request = { method: 'GET', route: '/api/sensitive', path: '/api/sensitive', sourceIp: '203.0.113.7' };
const cases: Record<string, PolicyInput> = {
  'allow  GET /api/sensitive (admin+MFA)': { principal, request, now },
  'deny   GET /api/sensitive (no MFA)   ': { principal: { ...principal, mfa: false }, request, now },
  'allow  GET /api/profile              ': {
    principal,
    request: { ...request, route: '/api/profile', path: '/api/profile' },
    now,
  },
  'deny   TRACE (not an action)         ': { principal, request: { ...request, method: 'TRACE' }, now },
};

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

console.log(
  `node ${process.version}, revision ${engine.revision}, construction ${coldMs.toFixed(0)} ms (cold)`,
);
for (const [label, input] of Object.entries(cases)) {
  for (let i = 0; i < 2_000; i++) engine.evaluate(input);
  const samples: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const t = performance.now();
    engine.evaluate(input);
    samples.push((performance.now() - t) * 1000);
  }
  samples.sort((a, b) => a - b);
  console.log(
    `${label}  p50 ${percentile(samples, 50).toFixed(1)} µs  p99 ${percentile(samples, 99).toFixed(1)} µs`,
  );
}
