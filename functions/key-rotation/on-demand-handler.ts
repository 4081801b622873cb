/**
 * Lambda handler for on-demand rotation (`aws lambda invoke --payload '{"action":"rotate"}'`,
 * `{"action":"emergency","kid":"<kid>"}`, `{"action":"status"}`). Same environment as the
 * scheduled handler (see from-environment.ts). A bad payload fails the invocation with
 * `InvalidRotationRequest`.
 */
import type { RotationReport } from './executor.ts';
import { rotationFromEnvironment } from './from-environment.ts';
import { onDemandRotation, type StatusReport } from './rotation-handler.ts';

const { logger, config, deps } = rotationFromEnvironment();

export async function handler(event: unknown): Promise<RotationReport | StatusReport> {
  logger.info('on-demand rotation', { rotationId: config.rotation.id, request: event });
  return onDemandRotation(deps, event);
}
