#!/usr/bin/env node
// The `zta` CLI entry: registers tsx so the TypeScript sources run as they are (no build step),
// then hands over to bin/cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
