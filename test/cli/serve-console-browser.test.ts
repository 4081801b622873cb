/**
 * The console page in a real headless browser: Debian's Chromium driven by playwright-core,
 * against `zta serve --console` run as users run it (the compiled CLI, so the page must be in
 * dist/). It loads, goes live, updates after a request, shows text from a hostile token as
 * text, and shows a revocation made by `zta revoke`. Every wait polls the DOM with a generous
 * deadline; nothing asserts how fast.
 *
 * Chromium is installed by .ci/run (`apt-get install -y chromium`). Without it this test fails
 * and says so: it must never pass by not running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../security/gateway-harness.ts';
import { forge } from '../support/forge.ts';
import { generateKey } from '../support/keys.ts';
import { AUDIENCE, ISSUER, runCli, stopProcess, type Workspace, workspace, ZTA } from './harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const DEADLINE_MS = 20_000;

describe('the console in a real browser', () => {
  let ws: Workspace;
  let gateway: ChildProcess;
  let base: string;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;
  const pageProblems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} not found: the console's browser test needs Debian's Chromium (apt-get install -y chromium; .ci/run installs it)`,
      );
    }
    ws = workspace({ localIssuer: { issuer: 'https://zta.local', audience: AUDIENCE, keysDir: './keys' } });
    gateway = spawn(process.execPath, [
      ZTA,
      'serve',
      '--config',
      ws.config,
      '--port',
      '0',
      '--console',
      '--log',
      join(ws.dir, 'gateway.log'),
    ]);
    let out = '';
    gateway.stdout?.on('data', (d) => {
      out += d;
    });
    await until(
      () => /zta console on http:\/\/127\.0\.0\.1:\d+\/_zta\//.test(out),
      'zta serve to print the console URL',
    );
    base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] as string;
    profile = mkdtempSync(join(tmpdir(), 'zta-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') pageProblems.push(message.text());
    });
    page.on('pageerror', (error) => pageProblems.push(error.message));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stopProcess(gateway);
    if (profile) rmSync(profile, { recursive: true, force: true });
    ws?.cleanup();
  });

  const text = (selector: string) => page.locator(selector).innerText();
  // A locator, not page-side code: the page's CSP refuses the eval a string predicate needs.
  const waitForText = (selector: string, wanted: string) =>
    page.locator(selector, { hasText: wanted }).waitFor({ timeout: DEADLINE_MS });

  it('loads and goes live, with no script refused by its own CSP', async () => {
    const response = await page.goto(`${base}/_zta/`);
    expect(response?.status()).toBe(200);
    await waitForText('#status', 'live');
    expect(await text('#latest')).toContain('no decisions yet');
    expect(await text('#revision')).toMatch(/^[0-9a-f]{16}$/);
    expect(pageProblems).toEqual([]);
  });

  it('updates after a request: the decision, its principal, route, policies, the counts and a new key', async () => {
    const token = (
      await runCli(['token', '--config', ws.config, '--sub', 'alice', '--role', 'admin', '--mfa'])
    ).stdout.trim();
    const answer = await fetch(`${base}/api/sensitive`, { headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(200);
    const decisionId = answer.headers.get('x-zta-decision-id') as string;

    await page.waitForSelector(`#latest tr[data-decision-id="${decisionId}"]`, { timeout: DEADLINE_MS });
    const row = await text(`#latest tr[data-decision-id="${decisionId}"]`);
    for (const shown of ['ALLOW', 'alice', 'GET /api/sensitive', 'allowed', 'sensitive.admin-with-mfa']) {
      expect(row).toContain(shown);
    }
    expect(await text('#total-allow')).toBe('1');
    // The first key was made by `zta token`, another process: it shows up on the next refresh.
    await waitForText('#keys', 'active');
    expect(await text('#keys')).toMatch(/https:\/\/zta\.local\s+zta-\S+\s+active\s+ES256/);
    expect(await page.content()).not.toContain(token.split('.')[2] as string);
  });

  it('shows a hostile subject as text: nothing from a request runs or renders as markup', async () => {
    const payload = '<img src=x onerror="window.__zta_pwned=1"><script>window.__zta_pwned=2</script>';
    const stranger = generateKey('ES256', 'not-trusted');
    const now = Math.floor(Date.now() / 1000);
    const token = forge({
      header: { alg: 'ES256', typ: 'JWT', kid: 'not-trusted' },
      claims: { iss: ISSUER, aud: AUDIENCE, sub: payload, iat: now, exp: now + 600 },
      signer: { alg: 'ES256', key: stranger.privateKey },
    });
    const answer = await fetch(`${base}/api/profile`, { headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(401);

    await waitForText('#latest', `${payload} (unverified)`);
    expect(await page.locator('#latest img, #latest script').count()).toBe(0);
    expect(await page.evaluate('typeof window.__zta_pwned')).toBe('undefined');
    expect(await text('#reasons')).toContain('unknown_key');
  });

  it('shows a revocation made with zta revoke, then its lifting with --undo', async () => {
    const revoke = (...extra: string[]) =>
      runCli([
        'revoke',
        '--config',
        ws.config,
        '--sub',
        'mallory',
        '--iss',
        ISSUER,
        '--reason',
        'laptop lost',
        ...extra,
      ]);
    expect((await revoke()).code).toBe(0);
    await waitForText('#revocations', 'subject mallory');
    expect(await text('#revocations')).toContain('laptop lost');

    expect((await revoke('--undo')).code).toBe(0);
    await waitForText('#revocations', 'nothing revoked');
    expect(pageProblems).toEqual([]);
  });
});
