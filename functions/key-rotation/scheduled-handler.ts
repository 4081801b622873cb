/**
 * Lambda handler for EventBridge Scheduler: runs whatever the rotation timeline says is due
 * (usually nothing). Environment: see from-environment.ts. Deploy with reserved concurrency 1:
 * runs are safe concurrently (conditional writes), but one at a time never creates a key that
 * loses the race.
 */
import type { RotationReport } from './executor.ts';
import { rotationFromEnvironment } from './from-environment.ts';
import { scheduledRotation } from './rotation-handler.ts';

const { logger, config, deps } = rotationFromEnvironment();

export async function handler(_event: unknown): Promise<RotationReport> {
  const report = await scheduledRotation(deps);
  logger.info('rotation run', {
    rotationId: config.rotation.id,
    performed: report.performed.length,
    outcome: report.outcome,
  });
  return report;
}
