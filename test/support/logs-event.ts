import { gzipSync } from 'node:zlib';

/** A CloudWatch Logs subscription event (`awslogs.data` = base64 of gzip of JSON) holding `messages`. */
export function awslogsEvent(messages: readonly string[], messageType = 'DATA_MESSAGE') {
  const data = {
    messageType,
    owner: '123456789012',
    logGroup: '/aws/lambda/zta-authorizer',
    logStream: '2026/01/01/[$LATEST]abc',
    subscriptionFilters: ['decisions'],
    logEvents: messages.map((message, i) => ({
      id: `${37000000000000000000000000 + i}`,
      timestamp: 1_767_225_600_000 + i,
      message,
    })),
  };
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(data))).toString('base64') } };
}

/** A decision record as the Powertools Logger writes it: its fields beside the logger's own. */
export const loggedLine = (record: object) =>
  JSON.stringify({
    level: 'INFO',
    message: 'authorization decision',
    timestamp: '2026-01-01T00:00:00.000Z',
    service: 'zta-authorizer',
    ...record,
  });
