/**
 * The console's HTTP face, answered by the gateway itself under `/_zta/` (never decided, never
 * forwarded — a backend path `/_zta/...` is shadowed while the console is on):
 *   GET /_zta/             the page (one self-contained HTML file: no external resource)
 *   GET /_zta/api/state    the current state as JSON (`ConsoleSnapshot`)
 *   GET /_zta/api/stream   Server-Sent Events: `snapshot`, then `decision`, `policy`,
 *                          `revocations`, `keys` as they happen
 * Read only: any other method is 405, any other path under `/_zta` 404.
 *
 * The gateway listens on 127.0.0.1 only; the Host check also turns away a web page that
 * re-points its own name at 127.0.0.1 (DNS rebinding) to read the console from a browser.
 * The page's Content-Security-Policy allows only its own inline script and style (by hash) and
 * connections to its own origin: a subject or path shown on it can never run as code.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConsoleFeed } from './feed.ts';

/** Where the console lives in the gateway's path space. */
export const CONSOLE_PREFIX = '/_zta';

export interface ConsoleRoutes {
  /** Answers a request whose decided path is `/_zta` or under `/_zta/`. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): void;
  /** Ends every event stream (drain, close). */
  close(): void;
}

export function isConsolePath(path: string): boolean {
  return path === CONSOLE_PREFIX || path.startsWith(`${CONSOLE_PREFIX}/`);
}

export function consoleRoutes(feed: ConsoleFeed, beforeSnapshot: () => Promise<void>): ConsoleRoutes {
  const page = consolePage();
  return {
    handle(req, res, path) {
      req.resume();
      if (!loopbackHost(req)) {
        return text(
          res,
          403,
          'The console answers only to http://127.0.0.1:<port> or http://localhost:<port>.',
        );
      }
      if (path === CONSOLE_PREFIX) {
        res.writeHead(308, { location: `${CONSOLE_PREFIX}/`, 'content-length': 0 });
        return void res.end();
      }
      const route = ROUTES[path.slice(CONSOLE_PREFIX.length)];
      if (route === undefined)
        return text(res, 404, 'Not found: the console has /_zta/, /_zta/api/state and /_zta/api/stream.');
      if (req.method !== 'GET') {
        res.setHeader('allow', 'GET');
        return text(res, 405, 'The console is read only: GET.');
      }
      switch (route) {
        case 'page':
          res.writeHead(200, {
            'content-type': 'text/html; charset=utf-8',
            'content-length': page.body.length,
            'content-security-policy': page.csp,
            ...COMMON_HEADERS,
          });
          return void res.end(page.body);
        case 'state':
          return void settled(beforeSnapshot).then(() => {
            const body = JSON.stringify(feed.snapshot());
            res.writeHead(200, {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              ...COMMON_HEADERS,
            });
            res.end(body);
          });
        case 'stream':
          return void settled(beforeSnapshot).then(() => {
            if (res.destroyed) return;
            if (!feed.subscribe(res)) text(res, 503, 'Too many console streams open; close a console tab.');
          });
      }
    },
    close: () => feed.close(),
  };
}

const ROUTES: Readonly<Record<string, 'page' | 'state' | 'stream'>> = Object.assign(Object.create(null), {
  '/': 'page',
  '/api/state': 'state',
  '/api/stream': 'stream',
});

const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** The snapshot is sent even if a refresh fails: the sources report their own errors in it. */
function settled(step: () => Promise<void>): Promise<void> {
  return Promise.resolve()
    .then(step)
    .catch(() => undefined);
}

function text(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(message),
    ...COMMON_HEADERS,
  });
  res.end(message);
}

function loopbackHost(req: IncomingMessage): boolean {
  const port = req.socket.localPort;
  const host = req.headers.host;
  if (host === undefined || port === undefined) return false;
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  return names.some((name) => host === `${name}:${port}` || (port === 80 && host === name));
}

/** The page and a CSP naming exactly its inline script and style. */
function consolePage(): { body: Buffer; csp: string } {
  const body = readFileSync(new URL('./page.html', import.meta.url));
  const html = body.toString('utf8');
  const hash = (tag: string) => {
    const blocks = [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))];
    if (blocks.length !== 1)
      throw new TypeError(`console page: expected one <${tag}>, found ${blocks.length}`);
    return `'sha256-${createHash('sha256')
      .update(blocks[0]?.[1] ?? '')
      .digest('base64')}'`;
  };
  const csp = [
    "default-src 'none'",
    `script-src ${hash('script')}`,
    `style-src ${hash('style')}`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { body, csp };
}
