import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { ProtocolHandler } from './server.ts';

const JSON_10 = 'application/x-amz-json-1.0';
type Item = Record<string, AttributeValue>;

/**
 * DynamoDB's `BatchWriteItem` and `BatchGetItem` (JSON 1.0) as the real service answers them
 * under pressure: the call succeeds but leaves work in `UnprocessedItems` / `UnprocessedKeys`.
 * `leaveUnprocessed(call)` says how many of the call's requests (from the end) to leave; the
 * rest are stored / answered. dynalite never answers this way, hence the double.
 */
export function dynamoBatchDouble(leaveUnprocessed: (call: number) => number) {
  const items = new Map<string, Item>();
  const calls: { operation: string; requests: number }[] = [];
  const keyOf = (item: Item) => JSON.stringify([item.pk, item.sk]);
  const handler: ProtocolHandler = (request) => {
    const operation = request.target?.replace('DynamoDB_20120810.', '');
    if (operation !== 'BatchWriteItem' && operation !== 'BatchGetItem') return undefined;
    const body = JSON.parse(request.body) as { RequestItems: Record<string, unknown> };
    const [table, value] = Object.entries(body.RequestItems)[0] ?? ['', []];
    const requests =
      operation === 'BatchWriteItem'
        ? (value as { PutRequest: { Item: Item } }[])
        : ((value as { Keys: Item[] }).Keys ?? []);
    calls.push({ operation, requests: requests.length });
    const left = Math.min(requests.length, leaveUnprocessed(calls.length - 1));
    const done = requests.slice(0, requests.length - left);
    const rest = requests.slice(requests.length - left);
    let answer: object;
    if (operation === 'BatchWriteItem') {
      for (const r of done as { PutRequest: { Item: Item } }[])
        items.set(keyOf(r.PutRequest.Item), r.PutRequest.Item);
      answer = { UnprocessedItems: rest.length > 0 ? { [table]: rest } : {} };
    } else {
      const found = (done as Item[]).map((k) => items.get(keyOf(k))).filter((i) => i !== undefined);
      const spec = value as object;
      answer = {
        Responses: { [table]: found },
        UnprocessedKeys: rest.length > 0 ? { [table]: { ...spec, Keys: rest } } : {},
      };
    }
    return { status: 200, headers: { 'content-type': JSON_10 }, body: JSON.stringify(answer) };
  };
  return { handler, items, calls };
}
