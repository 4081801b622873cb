/**
 * Which headers cross the gateway, in each direction. Headers travel as raw `[name, value, …]`
 * lists, so names keep their case and repeated headers stay separate lines, in order.
 */

/** Hop-by-hop headers (RFC 9110 §7.6.1), plus the historical ones proxies still see. */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/**
 * Headers that make some frameworks act on another method or path than the request line's:
 * a backend honouring them would run a method or route that was never authorized.
 */
const OVERRIDES = [
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'x-original-url',
  'x-rewrite-url',
  'x-forwarded-prefix',
];

/**
 * What the client says about proxies in front of it. The gateway is the edge here, so none of
 * it can be true; a backend building links or access checks from `X-Forwarded-Host` would act
 * on a host the client chose. They are stripped, and the gateway states the client address and
 * scheme itself (`X-Forwarded-For`, `X-Forwarded-Proto`), as API Gateway does. No
 * `X-Forwarded-Host` is set: the upstream gets its own host in `Host`, like behind API Gateway.
 */
const PROXY_CLAIMS = [
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-real-ip',
];

const REQUEST_DROPPED: ReadonlySet<string> = new Set([
  ...HOP_BY_HOP,
  ...OVERRIDES,
  ...PROXY_CLAIMS,
  // Set by the gateway for the upstream's origin; `Expect` was answered by this server already.
  'host',
  'expect',
]);

const RESPONSE_DROPPED: ReadonlySet<string> = new Set(HOP_BY_HOP);

/** The names listed in every `Connection` header: hop-by-hop for this one connection. */
function connectionOptions(raw: readonly string[]): Set<string> {
  const named = new Set<string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() !== 'connection') continue;
    for (const token of (raw[i + 1] as string).split(',')) named.add(token.trim().toLowerCase());
  }
  return named;
}

function filter(raw: readonly string[], drop: (lower: string) => boolean): string[] {
  const named = connectionOptions(raw);
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (!drop(lower) && !named.has(lower)) out.push(name, raw[i + 1] as string);
  }
  return out;
}

/**
 * The client's headers as the upstream gets them: without overrides, hop-by-hop headers,
 * proxy claims or any `x-zta-*` (only the gateway speaks for the authorizer), and with `Host`,
 * the forwarding headers and `X-Zta-Authorizer` (the authorizer context as JSON) set here.
 * A chunked request body is sent chunked again (Node has already decoded the client's chunks).
 */
export function upstreamRequestHeaders(
  raw: readonly string[],
  set: { host: string; clientIp: string; authorizer: Record<string, unknown>; chunked: boolean },
): string[] {
  return [
    'Host',
    set.host,
    ...filter(raw, (lower) => REQUEST_DROPPED.has(lower) || lower.startsWith('x-zta-')),
    ...(set.chunked ? ['Transfer-Encoding', 'chunked'] : []),
    'X-Forwarded-For',
    set.clientIp,
    'X-Forwarded-Proto',
    'http',
    'X-Zta-Authorizer',
    asciiJson(set.authorizer),
  ];
}

/** JSON with every non-ASCII character escaped: a header value must be plain bytes. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * The upstream's response headers as the client gets them: end-to-end ones only, and none the
 * gateway sets itself (`replaced`, lower case: its request id and decision id).
 */
export function clientResponseHeaders(raw: readonly string[], replaced: readonly string[]): string[] {
  return filter(raw, (lower) => RESPONSE_DROPPED.has(lower) || replaced.includes(lower));
}
