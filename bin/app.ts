#!/usr/bin/env -S npx tsx
import { ConfigError } from '../functions/core/config/reader.ts';
import { createZeroTrustApp } from '../lib/zero-trust-app.ts';

try {
  createZeroTrustApp().app.synth();
} catch (error) {
  // A config mistake is the operator's to fix: show the key path and value, not a stack trace.
  if (!(error instanceof ConfigError)) throw error;
  console.error(`ConfigError: ${error.message}`);
  process.exitCode = 1;
}
