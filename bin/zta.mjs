#!/usr/bin/env node
// The `zta` CLI entry, run by plain node: the CLI compiled into dist/ by `npm run build`
// (which `prepare` runs after `npm ci` and before `npm pack`). No TypeScript at run time.
let main;
try {
  ({ main } = await import('../dist/bin/cli/main.js'));
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/bin/cli/main.js'))
    throw error;
  process.stderr.write('zta: the compiled CLI (dist/) is missing: run `npm run build` in the repository\n');
  process.exit(2);
}
process.exitCode = await main(process.argv.slice(2));
