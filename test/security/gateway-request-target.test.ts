/**
 * The gateway forwards only to `--upstream`, and only the path it decided. A request target
 * that is not origin-form, or a path a backend could read as another path (dot-segments,
 * encoded separators, a second spelling of the same characters), is refused with 400 and an
 * access record — never decided and then forwarded somewhere else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GatewayWorld,
  gatewayWorld,
  get,
  type RecordingUpstream,
  rawRequest,
  recordingUpstream,
} from './gateway-harness.ts';

let upstream: RecordingUpstream;
/** Another server on this machine: the host an absolute-form target would point at. */
let other: RecordingUpstream;
let w: GatewayWorld;

beforeAll(async () => {
  upstream = await recordingUpstream();
  other = await recordingUpstream();
  w = await gatewayWorld({ upstream: upstream.url });
});
afterAll(async () => {
  await w.close();
  await upstream.close();
  await other.close();
});

// biome-ignore format: one case per line keeps the table readable
const refused: ReadonlyArray<readonly [string, () => string]> = [
  ['absolute-form to another host', () => `http://${other.url.host}/api/profile`],
  ['absolute-form to the upstream itself', () => `${upstream.url.origin}/api/profile`],
  ['absolute-form https', () => 'https://127.0.0.1/api/profile'],
  ['scheme-relative //host/path', () => `//${other.url.host}/api/profile`],
  ['three slashes', () => '///api/profile'],
  ['asterisk-form', () => '*'],
  ['authority-form', () => other.url.host],
  ['no leading slash', () => 'api/profile'],
  ['dot-dot segment', () => '/api/x/../profile'],
  ['dot segment', () => '/api/./profile'],
  ['trailing dot-dot', () => '/api/profile/..'],
  ['encoded dot-dot, lower case', () => '/api/x/%2e%2e/profile'],
  ['encoded dot-dot, upper case', () => '/api/x/%2E%2E/profile'],
  ['half-encoded dot-dot', () => '/api/x/.%2e/profile'],
  ['encoded slash', () => '/api%2fprofile'],
  ['encoded slash, upper case', () => '/api%2Fprofile'],
  ['raw backslash', () => '/api\\profile'],
  ['encoded backslash', () => '/api%5cprofile'],
  ['backslash dot-dot', () => '/api/x\\..\\profile'],
  ['empty segment', () => '/api//profile'],
  ['percent-encoded unreserved letter', () => '/api/%70rofile'],
  ['percent-encoded sub-delimiter', () => '/api/profile%3bx'],
  ['lower-case hex escape', () => '/files/%c3%a9'],
  ['encoded NUL', () => '/api/profile%00.json'],
  ['malformed escape', () => '/api/%zzprofile'],
  ['truncated escape', () => '/api/profile%2'],
  ['fragment', () => '/api/profile#x'],
  ['raw double quote', () => '/api/"profile"'],
  ['raw non-ASCII byte', () => '/api/caf\u00e9'],
  ['dot-dot with a token in the query', () => '/api/../profile?access_token=secret-token-value'],
];

describe('request targets the gateway refuses (400, access record, nothing forwarded)', () => {
  it.each(refused)('%s', async (_name, target) => {
    const before = w.accessRecords().length;
    const decisions = w.decisionRecords().length;
    const response = await rawRequest(w.port, get(target(), `Bearer ${w.token()}`));

    expect(response?.status).toBe(400);
    expect(response?.headers['x-amzn-errortype']).toBe('BadRequestException');
    expect(upstream.seen).toEqual([]);
    expect(other.seen).toEqual([]);
    expect(w.decisionRecords()).toHaveLength(decisions);
    expect(w.accessRecords().slice(before)).toMatchObject([{ status: 400, error: 'bad_request_target' }]);
    // The query may carry a token: a refused target is logged without it.
    expect(JSON.stringify(w.records)).not.toContain('secret-token-value');
  });

  it('CONNECT (a tunnel to a host the client names)', async () => {
    const before = w.accessRecords().length;
    const head = `CONNECT ${other.url.host} HTTP/1.1\r\nHost: ${other.url.host}\r\nAuthorization: Bearer ${w.token()}`;
    const response = await rawRequest(w.port, head);

    expect(response?.status).toBe(400);
    expect(other.seen).toEqual([]);
    expect(w.accessRecords().slice(before)).toMatchObject([
      { method: 'CONNECT', status: 400, error: 'bad_request_target' },
    ]);
  });
});

// biome-ignore format: one case per line keeps the table readable
const accepted: ReadonlyArray<readonly [string, string, number]> = [
  ['plain path', '/api/profile', 200],
  ['query string, forwarded as sent', '/api/profile?a=1&b=%2e%2e/x&c=..%2f', 200],
  ['query holding an absolute URL', '/api/profile?next=http://other.example/', 200],
  ['empty query', '/api/profile?', 200],
  ['upper-case escape of a reserved byte', '/files/%C3%A9%20x', 403],
  // (`*` is left out: the authorizer refuses a methodArn holding an IAM wildcard.)
  ['characters allowed raw in a segment', "/files/a:b@c!$&'()+,;=-._~", 403],
  ['trailing slash', '/api/profile/', 403],
  ['root', '/', 403],
];

describe('request targets the gateway accepts: the decided path is exactly the forwarded one', () => {
  it.each(accepted)('%s', async (_name, target, status) => {
    const before = upstream.seen.length;
    const decisions = w.decisionRecords().length;
    const response = await rawRequest(w.port, get(target, `Bearer ${w.token()}`));
    const question = target.indexOf('?');
    const path = question < 0 ? target : target.slice(0, question);

    expect(response?.status).toBe(status);
    expect(w.decisionRecords().slice(decisions)).toMatchObject([{ path }]);
    expect(upstream.seen.slice(before).map((s) => s.url)).toEqual(status === 200 ? [target] : []);
    expect(other.seen).toEqual([]);
  });

  it('forwards to the upstream origin, whatever Host the client names', async () => {
    const before = upstream.seen.length;
    const head = get('/api/profile', `Bearer ${w.token()}`).replace(
      'Host: 127.0.0.1',
      `Host: ${other.url.host}`,
    );
    const response = await rawRequest(w.port, head);

    expect(response?.status).toBe(200);
    expect(upstream.seen.slice(before)).toHaveLength(1);
    expect(other.seen).toEqual([]);
  });
});
