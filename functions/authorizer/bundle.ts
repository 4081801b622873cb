import { copyFileSync, cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { parseAuthorizerConfig } from '../core/config/authorizer-config.ts';
import { createPolicyEngine } from '../core/policy/engine.ts';
import { readPolicySource } from '../runtime/policy-dir.ts';
import { readRevocationDocument } from '../runtime/revocation-document.ts';

const ownFile = fileURLToPath(import.meta.url);
const here = dirname(ownFile);
/**
 * The handler beside this file: `index.ts` in the sources, `index.js` in the package's
 * compiled `dist/` (esbuild bundles either).
 */
const HANDLER_ENTRY = join(here, `index${extname(ownFile)}`);
/** Used only when a config names no `policies` (the repository's tests and bench). */
const REPO_POLICIES = resolve(here, '../../policies');

/** The runtime config file as written by a user (paths relative to `configBaseDir`). */
export interface RuntimeConfigJson {
  readonly issuers: ReadonlyArray<Record<string, unknown>>;
  readonly policies?: string;
  /** A file is copied into the package as a snapshot; a DynamoDB table is read live. */
  readonly revocations:
    | { readonly file: string }
    | { readonly dynamodb: Readonly<Record<string, unknown>> }
    | null;
  readonly [key: string]: unknown;
}

export interface BundleOptions {
  /** Empty folder that becomes the Lambda deployment package. */
  readonly outDir: string;
  readonly config: RuntimeConfigJson;
  /** Folder the config's relative paths are resolved against. */
  readonly configBaseDir: string;
  /** @default true */
  readonly minify?: boolean;
}

/**
 * Builds the authorizer's deployment package, synchronously (CDK local bundling needs that):
 * the handler bundled by esbuild as CommonJS, Cedar's `.wasm` beside it (esbuild does not copy
 * it; the nodejs entry reads it from its own folder), the policy files, every JWKS file, the
 * revocation file as it stands (a read-only snapshot), and a `zta.config.json` whose paths
 * point inside the package. The config and the policies are
 * validated first, so a bad one fails the synth, not a cold start in production.
 */
export function bundleAuthorizer(options: BundleOptions): void {
  const { outDir, config, configBaseDir } = options;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(configBaseDir, p));
  const policiesDir = config.policies === undefined ? REPO_POLICIES : abs(config.policies);
  parseAuthorizerConfig(config, { baseDir: configBaseDir, defaultPoliciesDir: policiesDir });
  // The full load (strict validation, the request-shape check of every action), recorded so the
  // cold start need not repeat it.
  const compiled = createPolicyEngine(readPolicySource(policiesDir)).compiled();

  mkdirSync(outDir, { recursive: true });
  buildSync({
    entryPoints: [HANDLER_ENTRY],
    outfile: join(outDir, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'error',
  });
  const cedarDir = dirname(createRequire(import.meta.url).resolve('@cedar-policy/cedar-wasm/nodejs'));
  copyFileSync(join(cedarDir, 'cedar_wasm_bg.wasm'), join(outDir, 'cedar_wasm_bg.wasm'));

  // The build's validation and analysis, so the cold start need not repeat them (compiled.ts).
  writeFileSync(join(outDir, 'compiled-policies.json'), `${JSON.stringify(compiled)}\n`);
  mkdirSync(join(outDir, 'policies'), { recursive: true });
  for (const name of readdirSync(policiesDir)) {
    if (name.endsWith('.cedar') || name.endsWith('.cedarschema')) {
      cpSync(join(policiesDir, name), join(outDir, 'policies', name));
    }
  }
  const issuers = config.issuers.map((issuer, i) => {
    if (typeof issuer.jwksFile !== 'string') return issuer;
    mkdirSync(join(outDir, 'jwks'), { recursive: true });
    copyFileSync(abs(issuer.jwksFile), join(outDir, 'jwks', `${i}.json`));
    return { ...issuer, jwksFile: `./jwks/${i}.json` };
  });
  // The revocations recorded when bundling must bind the Lambda too, so the file is packaged.
  // Only a valid document is a store (a missing one would deny every request at run time):
  // the build fails now, naming the file, rather than ship an authorizer that cannot answer.
  let revocations = config.revocations;
  if (revocations !== null && 'file' in revocations) {
    const source = abs(revocations.file);
    readRevocationDocument(source);
    copyFileSync(source, join(outDir, 'revocations.json'));
    revocations = { ...revocations, file: './revocations.json' };
  }
  const packaged = { ...config, issuers, policies: './policies', revocations };
  writeFileSync(join(outDir, 'zta.config.json'), `${JSON.stringify(packaged, null, 2)}\n`);
}
