/**
 * The package's export surface (`import { ZeroTrustAuthorizer } from 'zero-trust-authorizer'`):
 * the constructs a team composes into its own stacks. What is not here — the demo stack and API,
 * the per-environment config loader, the repository's guardrails, `lib/private/` — is this
 * repository's own app, free to change without a major version.
 */
export { AuthorizerMonitoring, type AuthorizerMonitoringProps } from './authorizer-monitoring.ts';
export {
  AutoRevocation,
  type AutoRevocationProps,
  type ProtectedStage,
  SUSPECTED_COMPROMISE_PATTERN,
} from './auto-revocation.ts';
export { DecisionMetrics, type DecisionMetricsProps, type DecisionStatus } from './decision-metrics.ts';
export { DecisionPipeline, type DecisionPipelineProps } from './decision-pipeline.ts';
export { DECISION_RECORD_FILTER, DecisionStream, type DecisionStreamProps } from './decision-stream.ts';
export {
  DenialSpikeDetection,
  type DenialSpikeDetectionProps,
  POLICY_DENIAL_PATTERN,
} from './denial-spike-detection.ts';
export { DenyRateAlarm, type DenyRateAlarmProps } from './deny-rate-alarm.ts';
export { KeyRotation, type KeyRotationProps } from './key-rotation.ts';
export { PlatformKey, type PlatformKeyProps } from './platform-key.ts';
export type { TokenServiceSettings } from './private/token-service-config.ts';
export {
  REVOCATION_ADMIN_METHODS,
  REVOCATION_ADMIN_PATH,
  RevocationAdminRoute,
  type RevocationAdminRouteProps,
} from './revocation-admin-route.ts';
export { RevocationTable, type RevocationTableProps } from './revocation-table.ts';
export { RotationStateTable, type RotationStateTableProps } from './rotation-state-table.ts';
export { JWKS_PATH, TOKEN_PATH, TokenApi, type TokenApiProps } from './token-api.ts';
export { type IssuerTrustOptions, WorkloadTokens, type WorkloadTokensProps } from './workload-tokens.ts';
export {
  type AuthorizerRevocations,
  type TrustedIssuer,
  ZeroTrustAuthorizer,
  type ZeroTrustAuthorizerProps,
} from './zero-trust-authorizer.ts';
export { ZeroTrustNetwork, type ZeroTrustNetworkProps } from './zero-trust-network.ts';
