import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Env } from '../env.ts';
import {
  DEFAULT_METRICS_NAMESPACE,
  FUNCTION_METRICS,
  type MeteredService,
  type MetricOf,
} from './metric-catalogue.ts';

/** Counts what one invocation did; published when the invocation ends. */
export interface Counter<S extends MeteredService> {
  /** Adds `value` (default 1) to `name`; `dimension` only where the catalogue declares one. */
  count(name: MetricOf<S>, value?: number, dimensionValue?: string): void;
}

/** The Powertools trio of one Lambda, from its environment. */
export interface Observability<S extends MeteredService> {
  readonly service: S;
  readonly logger: Logger;
  readonly tracer: Tracer;
  /** The client, with a subsegment per call when tracing is on (the SDK's X-Ray capture). */
  traced<T>(client: T): T;
  /**
   * Wraps a handler: one `## <service>` subsegment per invocation (cold start and service
   * annotated, an error recorded), and the invocation's counts published as EMF when it ends,
   * thrown or not. The response is never added to the trace (the token endpoint's holds a
   * token). Metrics and tracing failures never change the outcome: they are logged.
   */
  handler<E, R>(fn: (event: E, counter: Counter<S>) => Promise<R>): (event: E) => Promise<R>;
}

export interface ObservabilityWiring {
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  readonly tracer?: Tracer;
}

/**
 * Logger, Metrics and Tracer for `service`, configured by the Powertools variables
 * (`POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_METRICS_NAMESPACE` — default `ZeroTrustAuthorizer` —,
 * `POWERTOOLS_LOG_LEVEL`, `POWERTOOLS_TRACE_ENABLED`). Tracing is on only inside Lambda with
 * active tracing (Powertools checks `AWS_EXECUTION_ENV`); elsewhere `traced` returns the client
 * as it is. HTTP requests are not captured globally: the SDK clients are, once each.
 */
export function observabilityFor<S extends MeteredService>(
  service: S,
  env: Env,
  wiring: ObservabilityWiring = {},
): Observability<S> {
  const serviceName = env.POWERTOOLS_SERVICE_NAME ?? service;
  const logger = wiring.logger ?? new Logger({ serviceName });
  const metrics =
    wiring.metrics ??
    new Metrics({ serviceName, namespace: env.POWERTOOLS_METRICS_NAMESPACE ?? DEFAULT_METRICS_NAMESPACE });
  const tracer = wiring.tracer ?? new Tracer({ serviceName, captureHTTPsRequests: false });
  const specs = FUNCTION_METRICS[service] as Record<
    string,
    { dimension?: { name: string; values: readonly string[] } }
  >;

  const publish = (counts: Map<string, { name: string; dimension?: [string, string]; value: number }>) => {
    if (counts.size === 0) return;
    try {
      for (const { name, dimension, value } of counts.values()) {
        if (dimension)
          metrics
            .singleMetric()
            .addDimension(...dimension)
            .addMetric(name, MetricUnit.Count, value);
        else metrics.addMetric(name, MetricUnit.Count, value);
      }
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    } catch (error) {
      try {
        metrics.clearMetrics();
        logger.warn('metrics could not be published', { error: String(error) });
      } catch {
        /* nothing more to do: the invocation's outcome stands */
      }
    }
  };

  return {
    service,
    logger,
    tracer,
    traced: (client) => (tracer.isTracingEnabled() ? tracer.captureAWSv3Client(client) : client),
    handler: (fn) => async (event) => {
      const counts = new Map<string, { name: string; dimension?: [string, string]; value: number }>();
      const counter: Counter<S> = {
        count(name, value = 1, dimensionValue) {
          const declared = specs[name]?.dimension;
          // Only a value of the declared closed set becomes a dimension; anything else is `other`.
          const dimension: [string, string] | undefined = declared
            ? [
                declared.name,
                declared.values.includes(dimensionValue ?? '') ? (dimensionValue as string) : 'other',
              ]
            : undefined;
          const key = dimension ? `${name}\u0000${dimension[1]}` : name;
          const current = counts.get(key);
          if (current) current.value += value;
          else counts.set(key, { name, value, ...(dimension ? { dimension } : {}) });
        },
      };
      const segment = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
      const subsegment = segment?.addNewSubsegment(`## ${serviceName}`);
      if (segment && subsegment) {
        tracer.setSegment(subsegment);
        tracer.annotateColdStart();
        tracer.addServiceNameAnnotation();
      }
      try {
        return await fn(event, counter);
      } catch (error) {
        if (subsegment) tracer.addErrorAsMetadata(error as Error);
        throw error;
      } finally {
        if (segment && subsegment) {
          subsegment.close();
          tracer.setSegment(segment);
        }
        publish(counts);
      }
    },
  };
}
