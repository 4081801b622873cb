const ALPHABET = /^[A-Za-z0-9_-]+$/;

/**
 * Decodes canonical base64url: the URL-safe alphabet only, no padding, no whitespace, and
 * zero unused trailing bits. Node's decoder is lenient about all of these, and a lenient
 * decoder lets one signature have many spellings (see FACTS: `==` appended, changed last
 * character), so anything that does not re-encode to itself is refused.
 */
export function decodeBase64url(segment: string): Buffer | undefined {
  if (!ALPHABET.test(segment) || segment.length % 4 === 1) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}
