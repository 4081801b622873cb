import type { ProtocolHandler } from './server.ts';

/** SNS's query protocol (`Action=Publish`, form-encoded in, XML out). */
export function snsDouble(options: { alwaysFail?: boolean } = {}) {
  const published: { topicArn: string; subject: string | null; message: string }[] = [];
  const handler: ProtocolHandler = (request) => {
    if (!request.contentType?.startsWith('application/x-www-form-urlencoded')) return undefined;
    const form = new URLSearchParams(request.body);
    if (form.get('Action') !== 'Publish') return undefined;
    if (options.alwaysFail) {
      return {
        status: 500,
        headers: { 'content-type': 'text/xml' },
        body: '<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code><Message>down</Message></Error><RequestId>r</RequestId></ErrorResponse>',
      };
    }
    published.push({
      topicArn: form.get('TopicArn') ?? '',
      subject: form.get('Subject'),
      message: form.get('Message') ?? '',
    });
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>sns-${published.length}</MessageId></PublishResult><ResponseMetadata><RequestId>r-${published.length}</RequestId></ResponseMetadata></PublishResponse>`,
    };
  };
  return { handler, published };
}
