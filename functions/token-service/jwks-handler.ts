/** Lambda entry of `GET /.well-known/jwks.json` (no authorization). Wiring: `handlers.ts`. */
import { createJwksHandler } from './handlers.ts';

export const handler = createJwksHandler(process.env);
