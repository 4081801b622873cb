/**
 * Lambda entry for EventBridge Scheduler: runs whatever the rotation timeline says is due.
 * Deploy with reserved concurrency 1: runs are safe concurrently (conditional writes), but one
 * at a time never creates a key that loses the race. Wiring: `from-environment.ts`.
 */
import { createScheduledRotationHandler } from './from-environment.ts';

export const handler = createScheduledRotationHandler(process.env);
