import { parseArgs } from 'node:util';
import { readPolicySource, validatePolicyDir } from '../../functions/runtime/policy-dir.ts';
import { UsageError } from './io.ts';
import type { Command } from './main.ts';

const options = { policies: { type: 'string' }, json: { type: 'boolean' } } as const;

export const validate: Command = {
  summary: 'validate policies against the schema and run the policy scenario files',
  help: `
Usage: zta validate [--policies <dir>] [--json]

Loads <dir>/schema.cedarschema and every <dir>/*.cedar strictly against the schema, then runs
each scenario in <dir>/scenarios/*.json (request facts -> expected decision). Exit 0 when the
set loads and every scenario passes, 1 when a policy or a scenario fails, 2 when <dir> is not a
policy folder (missing, or without schema.cedarschema or *.cedar files).
  --policies <dir>  policy folder (default: policies/ in the current folder)
  --json            print the full report as JSON`,
  options,

  async run(args) {
    const { values } = parseArgs({ args, options, strict: true });
    const dir = values.policies ?? 'policies';
    // Not a policy folder at all is a wrong argument (exit 2), not a check that failed (exit 1).
    try {
      readPolicySource(dir);
    } catch (error) {
      throw new UsageError(
        (error as Error).message,
        `${values.policies === undefined ? 'run from the folder holding policies/, or ' : ''}pass --policies <dir>: the folder holding schema.cedarschema and your *.cedar files`,
      );
    }
    const report = validatePolicyDir(dir);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return report.ok ? 0 : 1;
    }
    const out: string[] = [];
    for (const error of report.errors) out.push(`ERROR ${error}`);
    if (report.revision) out.push(`policies: ${report.policyIds.length} loaded, revision ${report.revision}`);
    for (const s of report.scenarios) {
      const line = `${s.passed ? 'PASS' : 'FAIL'} ${s.file}: ${s.name}`;
      out.push(
        s.passed
          ? line
          : `${line}\n     expected ${JSON.stringify(s.expected)}, got ${JSON.stringify(s.actual)}`,
      );
    }
    const failed = report.scenarios.filter((s) => !s.passed).length;
    out.push(
      `${report.scenarios.length - failed} passed, ${failed} failed${report.errors.length ? `, ${report.errors.length} errors` : ''}`,
    );
    process.stdout.write(`${out.join('\n')}\n`);
    return report.ok ? 0 : 1;
  },
};
