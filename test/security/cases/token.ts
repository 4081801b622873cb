/** Attacks on the token itself: algorithm, signature bytes, header members, kid, encoding, size. */
import type { DenyCase } from '../../support/cases.ts';
import { b64u, forge, segments, setUnusedBit, toStandardBase64, withSegment } from '../../support/forge.ts';
import { baseClaims, type World } from '../../support/world.ts';
import { tokenOfLength, tokenWhere } from './shapes.ts';

export function tokenCases(w: World): DenyCase[] {
  const { keys } = w;
  const good = w.token();
  const [h, p, s] = segments(good);
  const unsigned = (alg: string, signature: string) =>
    forge({ header: { alg, typ: 'JWT' }, claims: baseClaims(), signer: { segment: signature } });
  const hmac = (alg: string, secret: string | Uint8Array, kid?: string) =>
    w.token({ header: { alg, kid }, signer: { alg, key: Buffer.from(secret) } });
  const atJwt = w.authorizer({ issuerConfig: { typ: 'at+jwt' } });
  const pem = (key: typeof keys.es1) => key.publicKey.export({ type: 'spki', format: 'pem' }) as string;

  const noneCases: DenyCase[] = ['none', 'None', 'NONE', 'nOnE'].flatMap((alg) => [
    { name: `alg "${alg}", empty signature`, token: unsigned(alg, ''), expect: [401, 'malformed_token'] },
    {
      name: `alg "${alg}", non-empty signature`,
      token: unsigned(alg, 'AAAA'),
      expect: [401, 'algorithm_not_allowed'],
    },
  ]);

  // A payload and a signature segment whose base64url spelling uses `-`/`_`, so the
  // standard-alphabet spelling differs; and ones whose length leaves unused bits to flip.
  const dashed = tokenWhere(
    w,
    (t) => /[-_]/.test(segments(t)[1]),
    (i) => ({ claims: { pad: 'x'.repeat(i), blob: '\u00fb\u00ff?>' } }),
  );
  const dashedSig = tokenWhere(
    w,
    (t) => /[-_]/.test(segments(t)[2]),
    (i) => ({ claims: { n: i } }),
  );
  const oddPayload = tokenWhere(
    w,
    (t) => segments(t)[1].length % 4 !== 0,
    (i) => ({ claims: { pad: 'x'.repeat(i) } }),
  );
  const oddHeader = tokenWhere(
    w,
    (t) => segments(t)[0].length % 4 !== 0,
    (i) => ({ header: { kid: 'es-1', x: 'y'.repeat(i) } }),
  );

  // biome-ignore format: one case per line keeps the table readable
  return [
    ...noneCases,
    { name: 'HS256 keyed with the ES256 public key PEM', token: hmac('HS256', pem(keys.es1), 'es-1'), expect: [401, 'algorithm_not_allowed'] },
    { name: 'HS384 keyed with the RSA public key PEM', token: hmac('HS384', pem(keys.rs1), 'rs-1'), expect: [401, 'algorithm_not_allowed'] },
    { name: 'HS512 keyed with the RSA public key PEM', token: hmac('HS512', pem(keys.rs1)), expect: [401, 'algorithm_not_allowed'] },
    { name: 'HS256 keyed with the ES256 public JWK bytes', token: hmac('HS256', JSON.stringify(keys.es1.jwk), 'es-1'), expect: [401, 'algorithm_not_allowed'] },
    { name: 'HS384 keyed with the RSA public JWK bytes', token: hmac('HS384', JSON.stringify(keys.rs1.jwk), 'rs-1'), expect: [401, 'algorithm_not_allowed'] },
    { name: 'HS512 keyed with the RSA modulus', token: hmac('HS512', String(keys.rs1.jwk.n), 'rs-1'), expect: [401, 'algorithm_not_allowed'] },
    { name: 'alg ES384: a key exists, the allowlist does not name it', token: w.token({ key: keys.es384 }), expect: [401, 'algorithm_not_allowed'] },
    { name: 'alg "es256" (wrong case)', token: w.token({ header: { alg: 'es256' } }), expect: [401, 'algorithm_not_allowed'] },
    { name: 'alg missing', token: w.token({ header: { alg: undefined } }), expect: [401, 'malformed_token'] },
    { name: 'alg as an array ["ES256"]', token: w.token({ header: { alg: ['ES256'] } }), expect: [401, 'malformed_token'] },

    { name: 'ECDSA r = s = 0', token: w.token({ signer: { bytes: Buffer.alloc(64) } }), expect: [401, 'invalid_signature'] },
    { name: 'ECDSA signature in DER form', token: w.token({ signer: { alg: 'ES256', key: keys.es1.privateKey, der: true } }), expect: [401, 'invalid_signature'] },
    { name: 'ECDSA signature truncated to 63 bytes', token: withSegment(good, 2, b64u(Buffer.from(s, 'base64url').subarray(0, 63))), expect: [401, 'invalid_signature'] },
    { name: 'signature with "==" appended', token: `${good}==`, expect: [401, 'malformed_token'] },
    { name: 'signature last char changed in unused bits', token: withSegment(good, 2, setUnusedBit(s) as string), expect: [401, 'malformed_token'] },
    { name: 'signature in standard base64 (+ /)', token: withSegment(dashedSig, 2, toStandardBase64(segments(dashedSig)[2])), expect: [401, 'malformed_token'] },
    { name: 'signature empty, alg ES256', token: `${h}.${p}.`, expect: [401, 'malformed_token'] },
    { name: 'signed by the attacker, kid of a real key', token: w.token({ key: keys.attacker }), expect: [401, 'invalid_signature'] },
    { name: 'claims changed after signing (role admin added)', token: withSegment(good, 1, b64u(JSON.stringify({ ...baseClaims(), role: 'admin' }))), expect: [401, 'invalid_signature'] },
    { name: 'header kid switched to the sibling ES256 key', token: withSegment(good, 0, b64u(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: 'es-2' }))), expect: [401, 'invalid_signature'] },
    { name: 'RS256 signature bytes under an ES256 header', token: w.token({ signer: { alg: 'RS256', key: keys.rs1.privateKey } }), expect: [401, 'invalid_signature'] },
    { name: 'PS256 header, PKCS#1 v1.5 signature', token: w.token({ key: keys.ps1, signer: { alg: 'RS256', key: keys.ps1.privateKey } }), expect: [401, 'invalid_signature'] },

    { name: 'embedded jwk header with the attacker key', token: w.token({ key: keys.attacker, header: { kid: undefined, jwk: keys.attacker.jwk } }), expect: [401, 'unsupported_token_header'] },
    { name: 'jku header (signed by the real key)', token: w.token({ header: { jku: 'https://evil.example.test/jwks.json' } }), expect: [401, 'unsupported_token_header'] },
    { name: 'x5u header', token: w.token({ header: { x5u: 'https://evil.example.test/cert.pem' } }), expect: [401, 'unsupported_token_header'] },
    { name: 'x5c header', token: w.token({ header: { x5c: ['MIIBszCCAVmgAwIBAgIU'] } }), expect: [401, 'unsupported_token_header'] },
    { name: 'unknown crit extension', token: w.token({ header: { crit: ['exp'], exp: 1 } }), expect: [401, 'unsupported_token_header'] },
    { name: 'b64: false (unencoded payload)', token: w.token({ header: { b64: false, crit: ['b64'] } }), expect: [401, 'unsupported_token_header'] },
    { name: 'zip: DEF', token: w.token({ header: { zip: 'DEF' } }), expect: [401, 'unsupported_token_header'] },
    { name: 'cty: JWT (nested token)', token: w.token({ header: { cty: 'JWT' } }), expect: [401, 'unsupported_token_header'] },
    { name: 'typ JWE', token: w.token({ header: { typ: 'JWE' } }), expect: [401, 'unsupported_token_header'] },
    { name: 'typ application/jose', token: w.token({ header: { typ: 'application/jose' } }), expect: [401, 'unsupported_token_header'] },
    { name: 'typ as a number', token: w.token({ header: { typ: 1 } }), expect: [401, 'unsupported_token_header'] },
    { name: 'typ JWT where the issuer requires at+jwt', token: w.token(), authorizer: atJwt, expect: [401, 'unsupported_token_header'] },
    { name: 'typ absent where the issuer requires at+jwt', token: w.token({ header: { typ: undefined } }), authorizer: atJwt, expect: [401, 'unsupported_token_header'] },
    { name: 'b64: false without crit', token: w.token({ header: { b64: false } }), expect: [401, 'unsupported_token_header'] },

    { name: 'kid path traversal ../../etc/passwd', token: w.token({ header: { kid: '../../etc/passwd' } }), expect: [401, 'unknown_key'] },
    { name: 'kid empty', token: w.token({ header: { kid: '' } }), expect: [401, 'malformed_token'] },
    { name: 'kid as a number', token: w.token({ header: { kid: 1 } }), expect: [401, 'malformed_token'] },
    { name: 'kid absent, two ES256 keys in the JWKS', token: w.token({ header: { kid: undefined } }), expect: [401, 'unknown_key'] },
    { name: 'kid unknown', token: w.token({ header: { kid: 'no-such-kid' } }), expect: [401, 'unknown_key'] },
    { name: 'kid of the RSA key with alg ES256', token: w.token({ header: { kid: 'rs-1' } }), expect: [401, 'unknown_key'] },
    { name: 'kid of the ES256 key with alg EdDSA', token: w.token({ key: keys.ed1, header: { kid: 'es-1' } }), expect: [401, 'unknown_key'] },
    { name: 'kid naming a key of another trusted issuer', token: w.token({ key: keys.other }), expect: [401, 'unknown_key'] },
    { name: 'RSA key under 2048 bits in the JWKS (skipped)', token: w.token({ key: keys.weakRsa }), expect: [401, 'unknown_key'] },

    { name: 'two segments', token: `${h}.${p}`, expect: [401, 'malformed_token'] },
    { name: 'four segments', token: `${good}.${s}`, expect: [401, 'malformed_token'] },
    { name: 'five segments (JWE compact form)', token: `${h}..${p}.${s}.${s}`, expect: [401, 'malformed_token'] },
    { name: 'header with "=" padding', token: withSegment(good, 0, `${h}==`), expect: [401, 'malformed_token'] },
    { name: 'header last char changed in unused bits', token: withSegment(oddHeader, 0, setUnusedBit(segments(oddHeader)[0]) as string), expect: [401, 'malformed_token'] },
    { name: 'payload in standard base64 (+ /)', token: withSegment(dashed, 1, toStandardBase64(segments(dashed)[1])), expect: [401, 'malformed_token'] },
    { name: 'payload last char changed in unused bits', token: withSegment(oddPayload, 1, setUnusedBit(segments(oddPayload)[1]) as string), expect: [401, 'malformed_token'] },
    { name: 'header is a JSON array', token: forge({ header: '["ES256"]', claims: baseClaims(), signer: { bytes: Buffer.alloc(64) } }), expect: [401, 'malformed_token'] },
    { name: 'header starts with a UTF-8 BOM', token: forge({ header: `\ufeff${JSON.stringify({ alg: 'ES256', kid: 'es-1' })}`, claims: baseClaims(), signer: { alg: 'ES256', key: keys.es1.privateKey } }), expect: [401, 'malformed_token'] },
    { name: 'claims are a JSON string', token: forge({ header: { alg: 'ES256', kid: 'es-1' }, claims: '"sub"', signer: { alg: 'ES256', key: keys.es1.privateKey } }), expect: [401, 'malformed_token'] },
    { name: 'claims are not UTF-8', token: withSegment(good, 1, b64u(Buffer.from([0x7b, 0xff, 0x7d]))), expect: [401, 'malformed_token'] },
    { name: 'claims nested 40 levels deep', token: w.token({ claims: { deep: JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`) } }), expect: [401, 'malformed_token'] },

    { name: 'token of 8,193 bytes', token: tokenOfLength(w, 8193), expect: [401, 'token_too_large'] },
    { name: 'token of 1 MB', token: w.token({ claims: { pad: 'x'.repeat(1_000_000) } }), expect: [401, 'token_too_large'] },
  ];
}
