/**
 * Who is calling `POST /token`: the IAM principal API Gateway authenticated with SigV4
 * (`requestContext.identity.userArn` — `caller` is the principal's unique id, not an ARN), and the
 * workload it is mapped to. Pure; the handler passes the event's values in.
 */
import type { Workload } from '../workload-keys/config.ts';

export type CallerResult =
  | { readonly ok: true; readonly workload: Workload }
  | {
      readonly ok: false;
      readonly code: 'missing_caller_identity' | 'unsupported_principal' | 'unknown_workload';
      readonly message: string;
    };

/** An STS role session: `arn:<partition>:sts::<account>:assumed-role/<role name>/<session>`. */
const ASSUMED_ROLE =
  /^arn:(aws|aws-cn|aws-us-gov):sts::(\d{12}):assumed-role\/([\w+=,.@-]{1,64})\/([\w+=,.@-]{2,64})$/;

/**
 * Maps the caller's ARN to a configured workload. Only role sessions qualify: services run as
 * roles, and a long-lived IAM user key is exactly the kind of credential this service replaces.
 * The match is exact on partition, account and role name (an assumed-role ARN has no role path).
 */
export function workloadOfCaller(userArn: unknown, workloads: readonly Workload[]): CallerResult {
  if (typeof userArn !== 'string' || userArn === '') {
    return {
      ok: false,
      code: 'missing_caller_identity',
      message: 'no IAM caller identity: the route must use AWS_IAM authorization',
    };
  }
  const parts = ASSUMED_ROLE.exec(userArn);
  if (!parts) {
    return {
      ok: false,
      code: 'unsupported_principal',
      message: 'only IAM role sessions (assumed-role ARNs) may obtain tokens',
    };
  }
  const [, partition, accountId, roleName] = parts;
  const workload = workloads.find(
    (w) => w.partition === partition && w.accountId === accountId && w.roleName === roleName,
  );
  if (!workload) {
    return {
      ok: false,
      code: 'unknown_workload',
      message: `role ${roleName} of account ${accountId} is not mapped to a workload`,
    };
  }
  return { ok: true, workload };
}
