/**
 * Random interleavings of decisions and world changes for the verified-token cache property: the
 * tokens a run decides, the clock instants on their validity bounds, the steps a run is made of
 * and how a step changes the world.
 */
import fc from 'fast-check';
import { b64u, fromB64u, malleateEs256, segments, signBytes, withSegment } from './forge.ts';
import { at, KEYS, type KeyName, sign, TOLERANCE, type World } from './token-cache-world.ts';
import { NOW } from './world.ts';

/** The tokens of the property: several keys, subjects, lifetimes, one without jti, and two fakes. */
const T0 = sign(KEYS.es1, { jti: 'j0', exp: NOW + 300 });
// biome-ignore format: one token per line
export const PROPERTY_TOKENS: readonly string[] = [
  T0,
  sign(KEYS.es1, { jti: 'j1', iat: NOW - 30 }),
  sign(KEYS.es2, { sub: 'user-2', jti: 'j2', exp: NOW + 900 }),
  sign(KEYS.rs1, { sub: 'user-3', jti: 'j3', exp: NOW + 450 }),
  sign(KEYS.ed1, { sub: 'user-2', jti: undefined, iat: NOW }),
  sign(KEYS.es1, { sub: 'user-4', jti: 'j5', role: 'admin', amr: ['pwd', 'mfa'] }),
  sign(KEYS.es1, { jti: 'j6', nbf: NOW + 120, exp: NOW + 900 }),
  malleateEs256(T0),
  withSegment(T0, 2, b64u(signBytes('ES256', KEYS.impostor.privateKey, Buffer.from(segments(T0).slice(0, 2).join('.'))))),
];
type Lifetime = { readonly iat: number; readonly exp: number; readonly nbf?: number };
/** Instants around every token's exp, iat and nbf bounds, to the millisecond. */
const BOUNDARIES: readonly number[] = PROPERTY_TOKENS.flatMap((token) => {
  const { iat, exp, nbf } = JSON.parse(fromB64u(segments(token)[1]).toString('utf8')) as Lifetime;
  const edges = [
    at(exp + TOLERANCE, 999),
    at(exp + TOLERANCE + 1),
    at(iat - TOLERANCE),
    at(iat - TOLERANCE - 1, 999),
  ];
  return nbf === undefined ? edges : [...edges, at(nbf - TOLERANCE), at(nbf - TOLERANCE - 1, 999)];
});

export type Step =
  | { kind: 'decide'; token: number; route: string }
  | { kind: 'advance'; ms: number }
  | { kind: 'clockTo'; ms: number }
  | { kind: 'removeKey' | 'addKey'; key: KeyName }
  | { kind: 'replaceKey'; from: KeyName; to: KeyName }
  | { kind: 'keysDown' | 'refreshServesAll' | 'revocationsDown' | 'async'; on: boolean }
  | { kind: 'revokeJti'; jti: string }
  | { kind: 'revokeSubject'; subject: string; revokedAt: number | 'now' }
  | { kind: 'clearRevocations' };

const keyName = fc.constantFrom<KeyName>('es1', 'es1Reparsed', 'es2', 'rs1', 'ed1', 'impostor');
export const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('decide' as const),
      // Mostly a few tokens, so a run revisits them after the world changed.
      token: fc.oneof({ weight: 3, arbitrary: fc.nat(2) }, fc.nat(PROPERTY_TOKENS.length - 1)),
      route: fc.constantFrom('/api/profile', '/api/profile', '/api/sensitive'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.integer({ min: -90_000, max: 240_000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('clockTo' as const), ms: fc.constantFrom(...BOUNDARIES) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constantFrom('removeKey' as const, 'addKey' as const), key: keyName }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('replaceKey' as const), from: keyName, to: keyName }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        'keysDown' as const,
        'refreshServesAll' as const,
        'revocationsDown' as const,
        'async' as const,
      ),
      on: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('revokeJti' as const),
      jti: fc.constantFrom('j0', 'j1', 'j2', 'j3', 'j5', 'j6'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('revokeSubject' as const),
      subject: fc.constantFrom('user-1', 'user-2', 'user-3', 'user-4'),
      revokedAt: fc.constantFrom<number | 'now'>(NOW - 61, NOW - 60, NOW - 31, NOW - 30, NOW, 'now'),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'clearRevocations' as const }) },
);

/** Makes the world change `s` describes. */
export function apply(world: World, s: Exclude<Step, { kind: 'decide' }>): void {
  switch (s.kind) {
    case 'advance':
      world.clockMs += s.ms;
      return;
    case 'clockTo':
      world.clockMs = s.ms;
      return;
    case 'removeKey':
      world.served.delete(s.key);
      return;
    case 'addKey':
      world.served.add(s.key);
      return;
    case 'replaceKey':
      world.served.delete(s.from);
      world.served.add(s.to);
      return;
    case 'keysDown':
    case 'refreshServesAll':
    case 'revocationsDown':
    case 'async':
      world[s.kind] = s.on;
      return;
    case 'revokeJti':
      world.revokedJtis.add(s.jti);
      return;
    case 'revokeSubject':
      world.revokedSubjects.set(
        s.subject,
        s.revokedAt === 'now' ? Math.floor(world.clockMs / 1000) : s.revokedAt,
      );
      return;
    case 'clearRevocations':
      world.revokedJtis.clear();
      world.revokedSubjects.clear();
      return;
  }
}
