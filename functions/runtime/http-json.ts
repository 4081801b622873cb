/**
 * GETs a JSON document the authorizer will trust (a JWKS, an OpenID discovery document) with
 * bounds on everything the other side controls: time (one deadline for the whole exchange),
 * size (a `Content-Length` over the cap is refused before the body is read, and the body is
 * read through a byte counter that stops at the cap and aborts the connection), redirects
 * (refused: the configured URL is the one trusted) and encoding (UTF-8, strictly).
 *
 * Error semantics: any failure throws an `Error` naming the URL and what went wrong, never the
 * body; callers fail closed.
 */

/** Largest JWKS or discovery document read; real ones are a few KiB. */
export const MAX_DOCUMENT_BYTES = 512 * 1024;

export interface JsonFetchOptions {
  /** Aborts the request and the body read; shared when several fetches make up one load. */
  readonly signal: AbortSignal;
  /** @default MAX_DOCUMENT_BYTES */
  readonly maxBytes?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

export interface FetchedJson {
  readonly value: unknown;
  /** The exact text, to tell whether a document changed. */
  readonly text: string;
}

export async function fetchJson(url: string, options: JsonFetchOptions): Promise<FetchedJson> {
  const maxBytes = options.maxBytes ?? MAX_DOCUMENT_BYTES;
  // Our own abort beside the caller's deadline: it drops the connection once the cap is hit,
  // so a hostile endpoint cannot make us download (or buffer) more than the cap.
  const stop = new AbortController();
  const signal = AbortSignal.any([options.signal, stop.signal]);
  const response = await (options.fetch ?? globalThis.fetch)(url, {
    signal,
    redirect: 'error',
    headers: { accept: 'application/json' },
  });
  try {
    if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > maxBytes) throw new Error(`${url} declares ${declared} bytes, larger than ${maxBytes}`);
    const bytes = await readCapped(response, maxBytes, url);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new Error(`${url} answered text that is not UTF-8`);
    }
    try {
      return { value: JSON.parse(text), text };
    } catch {
      throw new Error(`${url} answered text that is not JSON`);
    }
  } catch (error) {
    stop.abort();
    throw error;
  }
}

async function readCapped(response: Response, maxBytes: number, url: string): Promise<Uint8Array> {
  const body = response.body;
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`${url} is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
