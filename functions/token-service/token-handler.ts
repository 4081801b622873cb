/** Lambda entry of `POST /token` (REST API, AWS_IAM authorization). Wiring: `handlers.ts`. */
import { createTokenHandler } from './handlers.ts';

export const handler = createTokenHandler(process.env);
