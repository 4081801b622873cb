/**
 * Policy hot reload in `zta serve`: the gateway as `runGateway` wires it, over real HTTP on
 * 127.0.0.1, with the policy folder edited on disk. Waits poll for the outcome with a generous
 * deadline; nothing here asserts how fast a reload is.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runGateway } from '../../bin/cli/local-gateway.ts';
import type { RunningGateway } from '../../functions/local/gateway.ts';
import { type BuiltAuthorizer, buildAuthorizer } from '../../functions/runtime/build-authorizer.ts';
import { loadConfigFile } from '../../functions/runtime/config-file.ts';
import { until } from '../security/gateway-harness.ts';
import { POLICY_DIR } from '../support/authorizer.ts';
import { jsonLines, stopProcess, type Workspace, workspace, ZTA } from './harness.ts';

const PROFILE_ADMINS_ONLY = `// profile: admins only now
@id("profile.admins-only")
permit (
  principal in ZTA::Role::"admin",
  action == ZTA::Action::"GET",
  resource == ZTA::Route::"/api/profile"
);
`;
// Line 3 has the error: a policy that never closes its head.
const PROFILE_BROKEN = `// profile: a typo
@id("profile.broken")
permit (principal, action == ZTA::Action::"GET", resource == ZTA::Route::"/api/profile"
`;

interface World {
  readonly ws: Workspace;
  readonly policies: string;
  readonly built: BuiltAuthorizer;
  readonly gateway: RunningGateway;
  readonly info: string[];
  readonly warn: string[];
  readonly log: string;
  records(schema: string): Array<Record<string, unknown>>;
  get(path: string, token: string): Promise<{ status: number; record: Record<string, unknown> }>;
}

async function world(
  gatewayConfig: Record<string, unknown> = {},
  typedClaims?: { config: Record<string, unknown>; schema: string },
): Promise<World> {
  const ws = workspace();
  const policies = join(ws.dir, 'policies');
  mkdirSync(policies);
  for (const file of ['schema.cedarschema', 'profile.cedar', 'sensitive.cedar']) {
    cpSync(join(POLICY_DIR, file), join(policies, file));
  }
  const config = JSON.parse(readFileSync(ws.config, 'utf8'));
  if (typedClaims) {
    config.issuers[0].claims = { typed: typedClaims.config };
    writeFileSync(join(policies, 'schema.cedarschema'), typedClaims.schema);
  }
  ws.write('config.json', { ...config, policies: './policies', gateway: gatewayConfig });
  const built = buildAuthorizer(loadConfigFile(ws.config, POLICY_DIR));
  const info: string[] = [];
  const warn: string[] = [];
  const log = join(ws.dir, 'gateway.log');
  const gateway = await runGateway(built, {
    port: 0,
    log,
    info: (line) => void info.push(line),
    warn: (line) => void warn.push(line),
  });
  const records = (schema: string) => jsonLines(safeRead(log)).filter((record) => record.schema === schema);
  return {
    ws,
    policies,
    built,
    gateway,
    info,
    warn,
    log,
    records,
    async get(path, token) {
      const response = await fetch(`${gateway.url}${path}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await response.arrayBuffer();
      const id = response.headers.get('x-zta-decision-id');
      const record = records('zta.decision/v1').find((r) => r.decisionId === id) ?? {};
      return { status: response.status, record };
    },
  };
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Sends the request until its answer satisfies `done`, for a generous deadline. */
async function eventually(
  w: World,
  path: string,
  token: string,
  done: (answer: { status: number; record: Record<string, unknown> }) => boolean,
  what: string,
) {
  let last: { status: number; record: Record<string, unknown> } | undefined;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    last = await w.get(path, token);
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; last answer ${JSON.stringify(last)}`);
}

describe('zta serve: policy hot reload', () => {
  let w: World;
  beforeEach(async () => {
    w = await world({ cacheTtlSeconds: 300 });
  });
  afterEach(async () => {
    await w.gateway.close();
    w.ws.cleanup();
  });

  it('applies a valid edit: a new policyRevision decides, and the cached ALLOW is dropped', async () => {
    const token = await w.ws.sign({ sub: 'carol', roles: ['reader'] });
    const before = await w.get('/api/profile', token);
    expect(before.status).toBe(200);
    const r0 = before.record.policyRevision;
    // The same request again is answered from the gateway's cache (no new decision record).
    expect(
      (await fetch(`${w.gateway.url}/api/profile`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);

    writeFileSync(join(w.policies, 'profile.cedar'), PROFILE_ADMINS_ONLY);
    const after = await eventually(w, '/api/profile', token, (a) => a.status === 403, 'the edit to decide');

    expect(after.record).toMatchObject({ decision: 'DENY', reason: 'policy_denied' });
    expect(after.record.policyRevision).not.toBe(r0);
    expect(after.record.policyRevision).toBe(w.built.policy.revision);
    expect(w.built.stamp()).toContain(String(after.record.policyRevision));
    expect(w.records('zta.policy-reload/v1')).toEqual([
      expect.objectContaining({
        outcome: 'applied',
        previousRevision: r0,
        policyRevision: after.record.policyRevision,
      }),
    ]);
    expect(w.info).toEqual([expect.stringContaining(`revision ${after.record.policyRevision} (was ${r0})`)]);
    expect(w.warn).toEqual([]);
  });

  it('refuses an invalid edit with one line naming file and line, keeps deciding with the old set, then takes the fix', async () => {
    const token = await w.ws.sign({ sub: 'carol', roles: ['reader'] });
    const r0 = w.built.policy.revision;

    writeFileSync(join(w.policies, 'profile.cedar'), PROFILE_BROKEN);
    await until(() => w.warn.length > 0, 'the refusal line', 20_000);

    expect(w.warn).toHaveLength(1);
    expect(w.warn[0]).toMatch(
      /^zta: policy change in .* refused, still serving revision [0-9a-f]{16}: profile\.cedar:3:/,
    );
    expect(w.warn[0]).toContain(r0);
    expect(w.warn[0]).not.toContain('\n');
    const refused = w.records('zta.policy-reload/v1');
    expect(refused).toEqual([expect.objectContaining({ outcome: 'refused', policyRevision: r0 })]);
    expect(refused[0]?.problems).toEqual([expect.stringMatching(/^profile\.cedar:3:/)]);
    const still = await w.get('/api/profile', token);
    expect(still.status).toBe(200);
    expect(still.record.policyRevision).toBe(r0);

    writeFileSync(join(w.policies, 'profile.cedar'), PROFILE_ADMINS_ONLY);
    const fixed = await eventually(w, '/api/profile', token, (a) => a.status === 403, 'the fix to decide');
    expect(fixed.record.policyRevision).not.toBe(r0);
    expect(w.warn).toHaveLength(1);
    expect(w.records('zta.policy-reload/v1').map((r) => r.outcome)).toEqual(['refused', 'applied']);
  });

  it('a deleted policy file leaves the set (its permits with it); deleting the last one is refused', async () => {
    const admin = await w.ws.sign({ sub: 'alice', roles: ['admin'], amr: ['mfa'] });
    expect((await w.get('/api/sensitive', admin)).status).toBe(200);

    rmSync(join(w.policies, 'sensitive.cedar'));
    const gone = await eventually(
      w,
      '/api/sensitive',
      admin,
      (a) => a.status === 403,
      'the deletion to decide',
    );
    expect(gone.record).toMatchObject({ reason: 'policy_denied', policies: [] });
    expect(w.built.policy.policyIds).toEqual(['profile.any-authenticated']);
    const r1 = w.built.policy.revision;

    rmSync(join(w.policies, 'profile.cedar'));
    await until(() => w.warn.length > 0, 'the refusal line', 20_000);
    expect(w.warn[0]).toContain('no *.cedar files');
    const still = await w.get('/api/profile', admin);
    expect(still.status).toBe(200);
    expect(still.record.policyRevision).toBe(r1);
  });
});

describe('zta serve: a reload is checked against the config as at startup', () => {
  it('refuses a schema that drops a typed claim the config maps, naming the config key', async () => {
    const schema = readFileSync(join(POLICY_DIR, 'schema.cedarschema'), 'utf8');
    const withTenant = schema.replace(
      'type TokenClaims = {\n  };',
      'type TokenClaims = {\n    tenant?: String,\n  };',
    );
    expect(withTenant).not.toBe(schema);
    const w = await world({}, { config: { tenant: { claim: 'tid', type: 'String' } }, schema: withTenant });
    try {
      const r0 = w.built.policy.revision;
      // The schema alone is valid Cedar, and every policy still validates against it.
      writeFileSync(join(w.policies, 'schema.cedarschema'), schema);
      await until(() => w.warn.length > 0, 'the refusal line', 20_000);

      expect(w.warn[0]).toContain(`still serving revision ${r0}`);
      expect(w.warn[0]).toContain('issuers[0].claims.typed.tenant.type');
      expect(w.built.policy.revision).toBe(r0);
      const token = await w.ws.sign({ sub: 'carol', tid: 'acme' });
      expect((await w.get('/api/profile', token)).record.policyRevision).toBe(r0);
    } finally {
      await w.gateway.close();
      w.ws.cleanup();
    }
  });
});

describe('zta serve: a reload during requests', () => {
  it('never gives a mixed or failed decision: each one is wholly of one revision', async () => {
    // Prepare: two valid versions of profile.cedar that decide differently, every request
    // decided (no cache), and what each revision must answer.
    const w = await world({ cacheTtlSeconds: 0 });
    const versions = [
      `@id("profile.v1")\npermit (principal, action == ZTA::Action::"GET", resource == ZTA::Route::"/api/profile");\n`,
      `@id("profile.v2")\nforbid (principal, action == ZTA::Action::"GET", resource == ZTA::Route::"/api/profile");\n`,
    ];
    const expected = new Map<string, { status: number; policies: string[] }>();
    for (const [i, text] of versions.entries()) {
      writeFileSync(join(w.policies, 'profile.cedar'), text);
      expect(w.built.reloadPolicies().outcome).toBe('applied');
      expected.set(
        w.built.policy.revision,
        i === 0 ? { status: 200, policies: ['profile.v1'] } : { status: 403, policies: ['profile.v2'] },
      );
    }
    const token = await w.ws.sign({ sub: 'carol' });
    try {
      // Act: bursts of concurrent requests while the set flips between the two versions, from
      // timer callbacks as the watcher does, and through the watcher itself.
      const answers: Array<{ status: number; record: Record<string, unknown> }> = [];
      for (let round = 0; round < 20; round++) {
        let flips = 0;
        const flipper = setInterval(() => {
          writeFileSync(join(w.policies, 'profile.cedar'), versions[flips++ % 2] as string);
          w.built.reloadPolicies();
        }, 1);
        answers.push(...(await Promise.all(Array.from({ length: 10 }, () => w.get('/api/profile', token)))));
        clearInterval(flipper);
      }

      // Assess: every answer is the one its record's revision gives, with that revision's policies.
      const seen = new Set<unknown>();
      for (const { status, record } of answers) {
        const want = expected.get(String(record.policyRevision));
        expect(want, `revision ${String(record.policyRevision)}`).toBeDefined();
        expect({ status, recordStatus: record.status, policies: record.policies }).toEqual({
          status: want?.status,
          recordStatus: want?.status,
          policies: want?.policies,
        });
        seen.add(record.policyRevision);
      }
      expect(seen.size).toBe(2);
    } finally {
      await w.gateway.close();
      w.ws.cleanup();
    }
  });
});

describe('zta serve (the CLI process): a refused policy change', () => {
  it('writes one line on stderr naming the file and line, and keeps serving', async () => {
    const w = await world();
    await w.gateway.close();
    const child = spawn(process.execPath, [
      ZTA,
      'serve',
      '--config',
      w.ws.config,
      '--port',
      '0',
      '--log',
      w.log,
    ]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    try {
      await until(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(stdout), 'zta serve to listen');
      const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      writeFileSync(join(w.policies, 'profile.cedar'), PROFILE_BROKEN);
      await until(() => stderr.includes('\n'), 'the refusal line on stderr');

      expect(stderr.split('\n').filter(Boolean)).toEqual([
        expect.stringMatching(
          /^zta: policy change in .*policies refused, still serving revision [0-9a-f]{16}: profile\.cedar:3:\d+: /,
        ),
      ]);
      const token = await w.ws.sign({ sub: 'carol' });
      const still = await fetch(`${base}/api/profile`, { headers: { authorization: `Bearer ${token}` } });
      expect(still.status).toBe(200);
    } finally {
      await stopProcess(child);
      w.ws.cleanup();
    }
  });
});
