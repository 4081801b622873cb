import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';

/**
 * The Lambda sources, found from this file: `lib/private/` sits beside `functions/` in the
 * repository and in the package's compiled `dist/` alike, so a construct bundles what ships
 * with it — never a path relative to the app that uses it.
 */
export const FUNCTIONS_DIR = resolve(import.meta.dirname, '../../functions');
/** `.ts` when the constructs run from the sources, `.js` when they run from `dist/`. */
const OWN_EXTENSION = extname(fileURLToPath(import.meta.url));

/** The entry file `functions/<path>` (given without extension) as this copy of the suite ships it. */
export function handlerEntry(path: string): string {
  return join(FUNCTIONS_DIR, `${path}${OWN_EXTENSION}`);
}

/** The pipeline's Lambda entry points: `functions/<name>/index.ts`, each exporting `handler`. */
export type PipelineHandler = 'decision-forwarder' | 'spike-detector' | 'revoker' | 'revocation-admin';

/**
 * Bundles one Lambda entry file with esbuild into `<outDir>/index.js` (CommonJS, the AWS SDK
 * included so the package does not depend on the runtime's copy). Synchronous, as CDK local
 * bundling requires. The one set of esbuild options every suite handler is built with.
 */
export function esbuildHandler(entryFile: string, outDir: string): void {
  buildSync({
    entryPoints: [entryFile],
    outfile: join(outDir, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'error',
  });
}

/** Bundles `functions/<name>/index` into `<outDir>/index.js`. Exported for the bundle tests. */
export function bundleHandler(name: PipelineHandler, outDir: string): void {
  esbuildHandler(handlerEntry(`${name}/index`), outDir);
}

/**
 * The deployment package of a pipeline handler, bundled locally (never Docker: local bundling
 * either succeeds or throws). The bundle, not the source folder, decides the asset hash: the
 * handlers import from `functions/core` and `functions/runtime` too.
 */
export function bundledHandlerCode(name: PipelineHandler): lambda.Code {
  return lambda.Code.fromAsset(join(FUNCTIONS_DIR, name), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('local-bundling-only'),
      local: {
        tryBundle(outputDir: string): boolean {
          bundleHandler(name, outputDir);
          return true;
        },
      },
    },
  });
}
