const ALPHABET = /^[A-Za-z0-9_-]+$/;

/**
 * Decodes canonical base64url: the URL-safe alphabet only, no padding, no whitespace, and
 * zero unused trailing bits. Node's decoder is lenient about all of these, and a lenient
 * decoder lets one signature have many spellings (see FACTS: `==` appended, changed last
 * character), so anything that does not re-encode to itself is refused.
 */
export function decodeBase64url(segment: string): Buffer | undefined {
  if (!ALPHABET.test(segment) || !zeroUnusedBits(segment)) return undefined;
  return Buffer.from(segment, 'base64url');
}

// Sextet value of each base64url character (the alphabet was checked before this is read).
const SEXTET = new Uint8Array(128);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].entries()) {
  SEXTET[c.charCodeAt(0)] = i;
}

/**
 * The canonical-form test without re-encoding: in an unpadded segment of 4n+2 (4n+3) characters
 * the last one carries 4 (2) bits that encode nothing and must be zero; 4n+1 cannot occur.
 * This is exactly the set of strings that re-encode to themselves (checked by a property test).
 */
function zeroUnusedBits(segment: string): boolean {
  const rest = segment.length % 4;
  if (rest === 1) return false;
  if (rest === 0) return true;
  const last = SEXTET[segment.charCodeAt(segment.length - 1)] as number;
  return (last & (rest === 2 ? 0b1111 : 0b11)) === 0;
}
