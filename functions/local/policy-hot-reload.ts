import { assertUnreachable } from '../core/reasons.ts';
import type { PolicyReload } from '../runtime/build-authorizer.ts';
import { type PolicyWatch, watchPolicyDir } from '../runtime/policy-watch.ts';

/** One record per reload that changed something or was refused (schema in the README). */
export interface PolicyReloadRecord {
  readonly schema: 'zta.policy-reload/v1';
  readonly time: string;
  readonly policies: string;
  readonly outcome: 'applied' | 'refused' | 'restored';
  /** The revision deciding after this reload. */
  readonly policyRevision: string;
  readonly previousRevision?: string;
  /** A refused set's revision, when its files could be read. */
  readonly candidateRevision?: string;
  readonly problems?: readonly string[];
}

export interface PolicyHotReloadOptions {
  /** The policy folder to watch. */
  readonly dir: string;
  /** `BuiltAuthorizer.reloadPolicies`. */
  readonly reload: () => PolicyReload;
  /** Every reload record (the decision log, the console). */
  readonly onRecord: (record: PolicyReloadRecord) => void;
  /** Operator-facing lines: applied changes to `info`, refusals to `warn` (stderr). */
  readonly info: (line: string) => void;
  readonly warn: (line: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Policy hot reload for the local gateway: on a change in the policy folder the whole set is
 * loaded and validated as at startup and, if it loads, decides from the next request on (a new
 * `policyRevision` in the records, and the gateway's result cache, keyed on that revision
 * through `BuiltAuthorizer.stamp`, is dropped). A set that does not load changes nothing: the
 * previous one keeps deciding, and one line says which file and line to fix. The same refusal is
 * said once, not on every save of the same broken text.
 */
export function startPolicyHotReload(options: PolicyHotReloadOptions): PolicyWatch {
  const now = options.now ?? Date.now;
  let refused: string | undefined;
  const record = (fields: Omit<PolicyReloadRecord, 'schema' | 'time' | 'policies'>) =>
    options.onRecord({
      schema: 'zta.policy-reload/v1',
      time: new Date(now()).toISOString(),
      policies: options.dir,
      ...fields,
    });
  const onChange = () => {
    const result = options.reload();
    switch (result.outcome) {
      case 'applied':
        refused = undefined;
        record({
          outcome: 'applied',
          policyRevision: result.revision,
          previousRevision: result.previousRevision,
        });
        options.info(
          `zta: policies reloaded from ${options.dir}: revision ${result.revision} (was ${result.previousRevision})`,
        );
        return;
      case 'unchanged':
        // Back to the text that is deciding, after a refused edit: say the refusal is over.
        if (refused !== undefined) {
          refused = undefined;
          record({ outcome: 'restored', policyRevision: result.revision });
          options.info(`zta: policies in ${options.dir} match the serving revision ${result.revision} again`);
        }
        return;
      case 'refused': {
        const problems = result.problems.map((problem) => problem.replace(/\s+/g, ' ').trim());
        const key = result.candidateRevision ?? problems.join('\n');
        if (key === refused) return;
        refused = key;
        record({
          outcome: 'refused',
          policyRevision: result.revision,
          problems,
          ...(result.candidateRevision === undefined ? {} : { candidateRevision: result.candidateRevision }),
        });
        options.warn(
          `zta: policy change in ${options.dir} refused, still serving revision ${result.revision}: ${problems.join('; ')}`,
        );
        return;
      }
      default:
        return assertUnreachable(result);
    }
  };
  return watchPolicyDir(options.dir, { onChange });
}
