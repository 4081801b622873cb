/** Tokens of a given shape, found by varying a padding claim or header member until it fits. */
import { segments } from '../../support/forge.ts';
import type { Claims, Header, World } from '../../support/world.ts';

/** The first valid-looking token (signed by es-1) for which `fits` holds, varying `vary(i)`. */
export function tokenWhere(
  w: World,
  fits: (token: string) => boolean,
  vary: (i: number) => { claims?: Claims; header?: Header },
): string {
  for (let i = 0; i < 1000; i++) {
    const token = w.token(vary(i));
    if (fits(token)) return token;
  }
  throw new Error('no token of the wanted shape found');
}

/**
 * A well-formed, validly signed ES256 token of exactly `bytes` bytes, made by padding a claim.
 * Base64url cannot hit every length from one padding claim (a segment is never 1 mod 4), so the
 * header's `typ` spelling varies too.
 */
export function tokenOfLength(w: World, bytes: number, claims: Claims = {}): string {
  for (const typ of ['JWT', 'jwt', 'at+jwt', undefined]) {
    const make = (n: number) => w.token({ header: { typ }, claims: { ...claims, pad: 'x'.repeat(n) } });
    const base = make(0).length;
    const guess = Math.max(0, Math.floor(((bytes - base) * 3) / 4));
    for (let n = Math.max(0, guess - 4); n <= guess + 4; n++) {
      const token = make(n);
      if (token.length === bytes && segments(token)[2].length === 86) return token;
    }
  }
  throw new Error(`no token of exactly ${bytes} bytes`);
}
