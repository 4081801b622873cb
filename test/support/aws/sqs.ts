import { createHash } from 'node:crypto';
import { jsonError, type ProtocolHandler } from './server.ts';

const JSON_10 = 'application/x-amz-json-1.0';

/**
 * SQS's JSON protocol (`AmazonSQS.SendMessage`), answering with the body's MD5 as SQS does
 * (the SDK verifies it). `failFirst` sends that many 500s before accepting.
 */
export function sqsDouble(options: { failFirst?: number; alwaysFail?: boolean } = {}) {
  const messages: { queueUrl: string; body: string }[] = [];
  let failures = 0;
  const handler: ProtocolHandler = (request) => {
    if (request.target !== 'AmazonSQS.SendMessage') return undefined;
    if (options.alwaysFail || failures < (options.failFirst ?? 0)) {
      failures++;
      return jsonError(500, 'InternalError', 'queue unavailable', JSON_10);
    }
    const { QueueUrl, MessageBody } = JSON.parse(request.body) as { QueueUrl: string; MessageBody: string };
    messages.push({ queueUrl: QueueUrl, body: MessageBody });
    return {
      status: 200,
      headers: { 'content-type': JSON_10 },
      body: JSON.stringify({
        MessageId: `msg-${messages.length}`,
        MD5OfMessageBody: createHash('md5').update(MessageBody).digest('hex'),
      }),
    };
  };
  return { handler, messages };
}
