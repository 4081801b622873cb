/** Lambda entry of the per-principal spike detector. Wiring and environment: `handler.ts`. */
import { createSpikeDetectorHandler } from './handler.ts';

export const handler = createSpikeDetectorHandler(process.env);
