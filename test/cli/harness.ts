import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SignJWT } from 'jose';
import { generateKey, jwksOf, type TestKey } from '../support/keys.ts';

export const ZTA = resolve(import.meta.dirname, '../../bin/zta.mjs');
export const ISSUER = 'https://idp.example.test';
export const AUDIENCE = 'zt-api';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `zta` CLI in a child process, as a user would. */
export function runCli(args: string[], options: { stdin?: string; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [ZTA, ...args], { cwd: options.cwd ?? process.cwd() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/**
 * Stops a spawned CLI and waits until it has exited. A gateway writes its logs while it drains,
 * so removing its folder before it exits races those writes (ENOTEMPTY).
 */
export function stopProcess(
  child: ChildProcess | undefined,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A temp folder with an external issuer (its JWKS file) and a local issuer, plus a config. */
export interface Workspace {
  readonly dir: string;
  readonly config: string;
  readonly key: TestKey;
  sign(claims: Record<string, unknown>, now?: number): Promise<string>;
  write(name: string, content: unknown): string;
  cleanup(): void;
}

export function workspace(extraConfig: Record<string, unknown> = {}): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'zta-cli-'));
  const key = generateKey('ES256', 'k1');
  const write = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  write('jwks.json', jwksOf(key));
  // Only a valid document is a revocation store (`zta revocations init` writes this one).
  write('revocations.json', { version: 1, revocations: [] });
  const config = write('config.json', {
    issuers: [
      { issuer: ISSUER, audience: AUDIENCE, jwksFile: './jwks.json', algorithms: ['ES256', 'RS256'] },
    ],
    policies: resolve(import.meta.dirname, '../../policies'),
    revocations: { file: './revocations.json' },
    ...extraConfig,
  });
  return {
    dir,
    config,
    key,
    write,
    sign: (claims, now = Math.floor(Date.now() / 1000)) =>
      new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'alice', iat: now, exp: now + 600, ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'JWT' })
        .sign(key.privateKey),
    cleanup: () => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }),
  };
}

/** A REST REQUEST authorizer event for `method path` carrying `authorization`. */
export function restEvent(method: string, path: string, authorization?: string): Record<string, unknown> {
  return {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:us-east-1:123456789012:abc123/prod/${method}${path}`,
    resource: path,
    path,
    httpMethod: method,
    headers: authorization === undefined ? {} : { Authorization: authorization },
    multiValueHeaders: authorization === undefined ? {} : { Authorization: [authorization] },
    requestContext: {
      requestId: 'req-1',
      apiId: 'abc123',
      stage: 'prod',
      identity: { sourceIp: '203.0.113.7' },
    },
  };
}
