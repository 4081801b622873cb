/**
 * Lambda entry of the decision forwarder (CloudWatch Logs subscription → EventBridge).
 * Wiring and environment variables: `handler.ts`.
 */
import { createForwarderHandler } from './handler.ts';

export const handler = createForwarderHandler(process.env);
