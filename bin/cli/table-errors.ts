import type { RevocationsConfig } from '../../functions/core/config/authorizer-config.ts';
import { NETWORK_CODES } from './errors.ts';
import { UsageError } from './io.ts';

const BAD_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidClientTokenId',
  'IncompleteSignatureException',
]);

/**
 * Runs `work` against a revocation store; for a DynamoDB table, an AWS SDK failure becomes one
 * line naming the table, its region and the fix (the SDK's own text names neither, and a DNS
 * error does not say it came from AWS at all).
 */
export async function onStore<T>(
  store: Exclude<RevocationsConfig, null>,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (store.kind !== 'dynamodb') throw error;
    throw tableError(error, store.tableName, store.region ?? 'the default region', store.endpoint);
  }
}

function tableError(error: unknown, table: string, region: string, endpoint: string | undefined): unknown {
  if (!(error instanceof Error)) return error;
  const { name, message } = error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const where = `table ${table} in ${region}`;
  if (name === 'ResourceNotFoundException')
    return new UsageError(
      `${where}: not found`,
      'check --env, --table and --region; cdk deploy creates the table',
    );
  if (name === 'CredentialsProviderError')
    return new UsageError(
      `no AWS credentials to reach ${where}`,
      'run aws sso login, set AWS_PROFILE, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  if (BAD_CREDENTIALS.has(name))
    return new UsageError(
      `AWS refused the credentials for ${where}: ${name}`,
      'renew or fix your AWS credentials',
    );
  if (name === 'AccessDeniedException')
    return new UsageError(
      `access denied to ${where}`,
      'use AWS credentials allowed to read and write the table',
    );
  if (NETWORK_CODES.has(code) || name === 'TimeoutError' || name === 'RequestTimeout') {
    return new UsageError(
      `cannot reach ${endpoint ?? 'DynamoDB'} for ${where}: ${code || name}`,
      endpoint ? 'check --endpoint' : 'check the network, and --region',
    );
  }
  if ('$metadata' in error)
    return new UsageError(
      `${where}: ${name}: ${message}`,
      'retry: a repeated revoke is never recorded twice',
    );
  return error;
}
