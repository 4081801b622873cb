import { countRevocation } from '../revoker/handler.ts';
import { type RevokerWiring, revokerFromEnv } from '../revoker/wiring.ts';
import { SDK_RETRIES } from '../runtime/aws/client-config.ts';
import { type ObservabilityWiring, observabilityFor } from '../runtime/aws/observability.ts';
import type { Env } from '../runtime/env.ts';
import { type AdminEvent, parseAdminRequest } from './request.ts';

export interface AdminResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * The admin route (`/revocations`, IAM-authorized): manual revocation and un-revocation with
 * the audit trail, same environment as the revoker (`../revoker/wiring.ts`). A revocation
 * goes through the revoker core, so it flushes the protected stages' caches and is announced
 * (`Credential Revoked`, SNS) like an automatic one; `complete: false` lists what failed after
 * the revocation was written. Store errors answer 500 and nothing is announced. A caller waits,
 * so its clients retry on the `request` profile (`SDK_RETRIES`).
 *
 * Metrics (service `zta-revocation-admin`): `Revocations`, `Unrevocations`, `CacheFlushes`,
 * `CacheFlushFailures`, `AnnouncementFailures`, `RevocationFailures`, `RequestsRefused`.
 */
export function createAdminHandler(
  env: Env,
  wiring: RevokerWiring & ObservabilityWiring = {},
): (event: AdminEvent) => Promise<AdminResponse> {
  const o = observabilityFor('zta-revocation-admin', env, wiring);
  const { logger } = o;
  const { revoker, writer } = revokerFromEnv(env, wiring, {
    sdkRetry: SDK_RETRIES.request,
    traced: o.traced,
  });
  const now = wiring.now ?? Date.now;

  return o.handler(async (event, counter) => {
    const parsed = parseAdminRequest(event);
    if (!parsed.ok) {
      counter.count('RequestsRefused');
      return json(parsed.status, { message: parsed.message });
    }
    const { request } = parsed;
    try {
      switch (request.action) {
        case 'history':
          return json(200, { entries: await writer.history(request.target) });
        case 'revoke': {
          const report = await revoker.revoke(request.target, request.audit, now());
          countRevocation(counter, report);
          logger.warn('manual revocation', { ...report.detail, failures: report.failures });
          return json(200, {
            revocation: report.detail,
            complete: report.failures.length === 0,
            failures: report.failures,
          });
        }
        case 'unrevoke': {
          const at = Math.floor(now() / 1000);
          const result = await writer.unrevoke(request.target, at, request.audit);
          if (result.outcome === 'unrevoked') counter.count('Unrevocations');
          logger.warn('manual un-revocation', {
            target: request.target,
            actor: request.audit.actor,
            ...result,
          });
          return json(200, { ...result, target: request.target, at });
        }
      }
    } catch (error) {
      counter.count('RevocationFailures');
      logger.error('revocation store error', { error: String(error) });
      // Nothing is announced on a store error; the write may or may not have landed, and a
      // retry is safe (with an Idempotency-Key it is the same request).
      return json(500, { message: 'revocation store unavailable; nothing was announced; retrying is safe' });
    }
  });
}

const json = (statusCode: number, body: unknown): AdminResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
