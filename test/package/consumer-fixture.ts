/**
 * The suite as a team gets it: packed by `npm pack` (whose `prepare` builds dist/) from a copy of
 * the sources, and installed into a copy of `examples/protect-existing-api`, offline.
 *
 * Why a copy to pack: `prepare` rebuilds dist/ from scratch, and other test files are running the
 * repository's own dist/ meanwhile. Why not `npm install <tarball>`: offline, npm cannot resolve
 * version ranges (the cache holds tarballs, not the registry's metadata). So the tarball is
 * unpacked where npm would put it, and only the dependencies the *packed* package.json declares
 * are linked beside it from the repository's node_modules: an import of anything undeclared
 * fails here as it would for a user.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
export const REPO_NODE_MODULES = join(REPO, 'node_modules');
export const EXAMPLE = join(REPO, 'examples', 'protect-existing-api');
export const PACKAGE_NAME = 'zero-trust-authorizer';

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion (never throws on a non-zero exit); generous for a loaded machine. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<RunResult> {
  return new Promise((done) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', ...options.env },
        timeout: 240_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** Top-level entries a source copy does not need to build and pack. */
const NOT_PACKED = new Set([
  'node_modules',
  'dist',
  '.git',
  'cdk.out',
  '.zta',
  'coverage',
  'test',
  'bench',
  'examples',
]);

/** Copies the sources to `<tmp>/src` and runs `npm pack` there; returns the tarball's path. */
export async function packSuite(tmp: string): Promise<string> {
  const src = join(tmp, 'src');
  cpSync(REPO, src, {
    recursive: true,
    filter: (from) => dirname(from) !== REPO || !NOT_PACKED.has(from.slice(REPO.length + 1)),
  });
  symlinkSync(REPO_NODE_MODULES, join(src, 'node_modules'), 'dir');
  const packed = await run('npm', ['pack', '--pack-destination', tmp], { cwd: src });
  if (packed.code !== 0) throw new Error(`npm pack failed (${packed.code}):\n${packed.stderr}`);
  const tarball = readdirSync(tmp).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack wrote no tarball:\n${packed.stdout}\n${packed.stderr}`);
  return join(tmp, tarball);
}

/** Every file path in the tarball, relative to the package root. */
export async function tarballFiles(tarball: string): Promise<string[]> {
  const listed = await run('tar', ['-tzf', tarball], { cwd: dirname(tarball) });
  if (listed.code !== 0) throw new Error(`tar -t failed: ${listed.stderr}`);
  return listed.stdout
    .split('\n')
    .filter((line) => line !== '' && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''));
}

/** Copies the example app to `<tmp>/app` and installs the tarball into it, as described above. */
export async function installApp(tmp: string, tarball: string): Promise<string> {
  const app = join(tmp, 'app');
  cpSync(EXAMPLE, app, {
    recursive: true,
    filter: (from) => !['node_modules', 'cdk.out', '.zta'].includes(from.slice(EXAMPLE.length + 1)),
  });
  const installed = join(app, 'node_modules', PACKAGE_NAME);
  mkdirSync(installed, { recursive: true });
  const untar = await run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'], { cwd: app });
  if (untar.code !== 0) throw new Error(`tar -x failed: ${untar.stderr}`);

  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    bin?: Record<string, string>;
  };
  // The package's dependencies and peers (the app's aws-cdk-lib and constructs), and the
  // app's own @types/node (its tsconfig names it).
  const names = [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
    '@types/node',
  ];
  for (const name of names) link(join(REPO_NODE_MODULES, name), join(app, 'node_modules', name));
  for (const [bin, target] of Object.entries(manifest.bin ?? {})) {
    link(join('..', PACKAGE_NAME, target), join(app, 'node_modules', '.bin', bin));
  }
  return app;
}

function link(target: string, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path);
}
