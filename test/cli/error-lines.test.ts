/**
 * The two pieces behind every `zta` error line: how a thrown error is sorted into exit 2 (the
 * user's to fix) or exit 1 (a bug in zta), and which names "did you mean" offers.
 */
import { describe, expect, it } from 'vitest';
import { failureOf } from '../../bin/cli/errors.ts';
import { UsageError } from '../../bin/cli/io.ts';
import { closest } from '../../bin/cli/suggest.ts';

describe('failureOf', () => {
  it.each([
    ['a usage error', new UsageError('--x is bad', 'give --x 1'), 2, '--x is bad (give --x 1)'],
    [
      'a file system error',
      Object.assign(new Error("EACCES: permission denied, open '/k'"), {
        code: 'EACCES',
        syscall: 'open',
        path: '/k',
      }),
      2,
      /^EACCES: permission denied, open '\/k' \(.+\)$/,
    ],
    [
      'a plain Error naming unusable input',
      new Error('https://idp answered HTTP 500'),
      2,
      /^https:\/\/idp answered HTTP 500 \(.+\)$/,
    ],
    [
      'a TypeError (a bug)',
      new TypeError("Cannot read properties of undefined (reading 'kid')"),
      1,
      /^internal error: TypeError: Cannot read .+ \(a bug in zta: .+\)$/,
    ],
    ['something not an Error', 'boom', 1, /^internal error: "boom" \(.+\)$/],
    ['a multi-line message', new Error('first\nsecond'), 2, /^first; second \(.+\)$/],
  ] as const)('reports %s', (_name, error, code, line) => {
    const failure = failureOf(error);

    expect(failure.code).toBe(code);
    if (typeof line === 'string') expect(failure.line).toBe(line);
    else expect(failure.line).toMatch(line);
  });
});

describe('closest', () => {
  // biome-ignore format: one case per line keeps the table readable
  it.each([
    ['revok', ['revoke', 'revocations'], ['revoke']],
    ['confg', ['config', 'event'], ['config']],
    ['prd', ['dev', 'prod', 'staging'], ['prod']],
    ['rotat', ['list', 'prepare', 'rotate'], ['rotate']],
    ['emergncy', ['emergency', 'kid'], ['emergency']],
    ['jwks-url', ['jwks-uri', 'issuer'], ['jwks-uri']],
    ['lsit', ['list', 'history'], ['list']],
    ['rev', ['revoke', 'revocations'], ['revoke', 'revocations']],
    ['frobnicate', ['revoke', 'decide'], []],
    ['x', ['dev', 'prod'], []],
  ] as const)('%s among %j is %j', (input, candidates, expected) => {
    expect(closest(input, candidates)).toEqual(expected);
  });
});
