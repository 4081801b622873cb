/**
 * Lambda entry for on-demand rotation (`aws lambda invoke --payload '{"action":"rotate"}'`,
 * `{"action":"emergency","kid":"<kid>"}`, `{"action":"status"}`). A bad payload fails the
 * invocation with `InvalidRotationRequest`. Wiring: `from-environment.ts`.
 */
import { createOnDemandRotationHandler } from './from-environment.ts';

export const handler = createOnDemandRotationHandler(process.env);
