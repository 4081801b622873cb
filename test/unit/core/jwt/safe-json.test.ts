import { describe, expect, it } from 'vitest';
import { parseSafeJson } from '../../../../functions/core/jwt/safe-json.ts';

const nested = (depth: number) => `${'['.repeat(depth - 1)}{}${']'.repeat(depth - 1)}`;

describe('parseSafeJson', () => {
  it.each([
    { name: 'a flat object', text: '{"a":1,"b":"x"}', value: { a: 1, b: 'x' } },
    {
      name: 'the same name in sibling objects',
      text: '{"a":{"x":1},"b":{"x":2}}',
      value: { a: { x: 1 }, b: { x: 2 } },
    },
    { name: 'the same name at two depths', text: '{"x":{"x":1}}', value: { x: { x: 1 } } },
    { name: 'a string value that looks like a name', text: '{"a":"b","b":"a"}', value: { a: 'b', b: 'a' } },
    {
      name: 'a forbidden word as a value',
      text: '{"a":"__proto__","b":["constructor"]}',
      value: { a: '__proto__', b: ['constructor'] },
    },
    {
      name: 'braces and quotes inside strings',
      text: '{"a":"{\\"b\\":1}","c":"\\\\"}',
      value: { a: '{"b":1}', c: '\\' },
    },
    { name: 'whitespace around the colon', text: '{ "a" \n:\t1 }', value: { a: 1 } },
    { name: 'strings in arrays', text: '{"a":["a","a"]}', value: { a: ['a', 'a'] } },
    { name: 'nesting at the limit (32)', text: nested(32), value: JSON.parse(nested(32)) },
    { name: 'a scalar', text: '42', value: 42 },
  ])('accepts $name', ({ text, value }) => {
    // Act
    const result = parseSafeJson(text);

    // Assess
    expect(result).toEqual({ ok: true, value });
  });

  it.each([
    { name: 'a duplicate member', text: '{"a":1,"a":2}', problem: 'duplicate member name' },
    {
      name: 'a duplicate spelled with an escape',
      text: '{"a":1,"\\u0061":2}',
      problem: 'duplicate member name',
    },
    {
      name: 'a duplicate deep inside',
      text: '{"x":[{"y":{"k":1,"k":1}}]}',
      problem: 'duplicate member name',
    },
    { name: '__proto__', text: '{"__proto__":{"admin":true}}', problem: 'forbidden member name "__proto__"' },
    {
      name: '__proto__ spelled with an escape',
      text: '{"\\u005f_proto__":1}',
      problem: 'forbidden member name "__proto__"',
    },
    {
      name: 'constructor deep inside',
      text: '{"a":[{"constructor":1}]}',
      problem: 'forbidden member name "constructor"',
    },
    { name: 'prototype', text: '{"prototype":1}', problem: 'forbidden member name "prototype"' },
    { name: 'nesting over the limit (33)', text: nested(33), problem: 'nesting too deep' },
    { name: 'an unterminated string', text: '{"a', problem: 'unterminated string' },
    { name: 'invalid JSON', text: '{"a":}', problem: 'invalid JSON' },
    { name: 'a trailing comma', text: '{"a":1,}', problem: 'invalid JSON' },
    { name: 'an empty text', text: '', problem: 'invalid JSON' },
    { name: 'a raw control character in a name', text: '{"a\u0001":1}', problem: 'invalid member name' },
  ])('refuses $name', ({ text, problem }) => {
    // Act
    const result = parseSafeJson(text);

    // Assess
    expect(result).toEqual({ ok: false, problem });
  });

  it('leaves Object.prototype untouched whatever the input', () => {
    // Prepare
    const attempts = ['{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}'];

    // Act
    const results = attempts.map(parseSafeJson);

    // Assess
    expect(results.every((r) => !r.ok)).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
