/** Lambda entry of the revoker. Wiring and environment: `wiring.ts`, `handler.ts`. */
import { createRevokerHandler } from './handler.ts';

export const handler = createRevokerHandler(process.env);
