import { dirname, join } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { esbuildHandler, FUNCTIONS_DIR, handlerEntry } from './bundled-handler.ts';

/**
 * The workload-token service's Lambda entry points under `functions/` (docs/key-rotation.md),
 * without extension (`.ts` in the sources, `.js` in the package), each exporting `handler`.
 */
export const TOKEN_SERVICE_ENTRIES = {
  token: 'token-service/token-handler',
  jwks: 'token-service/jwks-handler',
  scheduledRotation: 'key-rotation/scheduled-handler',
  onDemandRotation: 'key-rotation/on-demand-handler',
} as const;
export type TokenServiceEntry = keyof typeof TOKEN_SERVICE_ENTRIES;

/**
 * Bundles one entry point (`functions/<entry>`) into `<outDir>/index.js` with the suite's
 * esbuild options. Exported for the bundle tests.
 */
export function bundleTokenServiceEntry(entry: TokenServiceEntry, outDir: string): void {
  esbuildHandler(handlerEntry(TOKEN_SERVICE_ENTRIES[entry]), outDir);
}

/**
 * The deployment package of an entry point, bundled locally (never Docker: local bundling
 * either succeeds or throws). The bundle decides the asset hash: the handlers import from
 * `functions/signing` and `functions/core` too, not only from their own folder.
 */
export function tokenServiceCode(entry: TokenServiceEntry): lambda.Code {
  return lambda.Code.fromAsset(join(FUNCTIONS_DIR, dirname(TOKEN_SERVICE_ENTRIES[entry])), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('local-bundling-only'),
      // CDK caches a bundle by source folder and options, not by `tryBundle` (a function): two
      // entries in one folder would share the first one's bundle without a visible difference.
      environment: { ZTA_BUNDLE_ENTRY: TOKEN_SERVICE_ENTRIES[entry] },
      local: {
        tryBundle(outputDir: string): boolean {
          bundleTokenServiceEntry(entry, outputDir);
          return true;
        },
      },
    },
  });
}
