/** Lambda entry of the IAM-protected revocation admin route. Wiring: `handler.ts`. */
import { createAdminHandler } from './handler.ts';

export const handler = createAdminHandler(process.env);
