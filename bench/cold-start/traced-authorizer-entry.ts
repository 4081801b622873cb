/**
 * The authorizer as it would be with the Powertools Tracer (bench/tracer-cost.ts): the Tracer
 * created at module scope, one `## zta-authorizer` subsegment per invocation, around the
 * unchanged authorizer bundle (`./authorizer.js`, kept external).
 */
import { Tracer } from '@aws-lambda-powertools/tracer';

const tracer = new Tracer({ serviceName: 'zta-authorizer', captureHTTPsRequests: false });
const inner = require('./authorizer.js') as { handler: (event: unknown) => Promise<unknown> };

export async function handler(event: unknown): Promise<unknown> {
  const segment = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  const subsegment = segment?.addNewSubsegment('## zta-authorizer');
  if (segment && subsegment) {
    tracer.setSegment(subsegment);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
  }
  try {
    return await inner.handler(event);
  } finally {
    if (segment && subsegment) {
      subsegment.close();
      tracer.setSegment(segment);
    }
  }
}
