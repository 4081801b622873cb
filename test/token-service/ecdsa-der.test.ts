import { createPublicKey, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DerSignatureError, derToJose, joseToDer } from '../../functions/signing/ecdsa-der.ts';
import { newP256PrivateKey } from '../../functions/signing/jwk.ts';

const privateKey = newP256PrivateKey();
const publicKey = createPublicKey(privateKey);
const scalar = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((b) => b.some((x) => x !== 0));

describe('derToJose', () => {
  it('turns DER signatures from node:crypto into 64-byte r‖s that verify', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (message) => {
        // Prepare
        const der = sign('sha256', message, privateKey);

        // Act
        const jose = derToJose(der);

        // Assess
        expect(jose).toHaveLength(64);
        expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('left-pads an r or s that DER shortened (found by signing until one is short)', () => {
    // Prepare: about 1 in 128 signatures has a leading zero byte in r or s.
    let der: Buffer | undefined;
    let message = Buffer.alloc(0);
    for (let i = 0; i < 5000 && !der; i++) {
      message = Buffer.from(`message ${i}`);
      const candidate = sign('sha256', message, privateKey);
      if ((candidate[3] as number) < 32 || (candidate[5 + (candidate[3] as number)] as number) < 32)
        der = candidate;
    }
    if (!der) throw new Error('no short signature in 5000 tries');

    // Act
    const jose = derToJose(der);

    // Assess
    expect(jose).toHaveLength(64);
    expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose)).toBe(true);
  });

  it('round-trips any r and s through joseToDer', () => {
    fc.assert(
      fc.property(scalar, scalar, (r, s) => {
        const jose = Buffer.concat([r, s]);
        expect(derToJose(joseToDer(jose))).toEqual(jose);
      }),
    );
  });

  it.each([
    ['empty', ''],
    ['not a SEQUENCE', '3100'],
    ['SEQUENCE length mismatch', '3007020101020101'],
    ['trailing bytes', '300602010102010100'],
    ['missing s', '3003020101'],
    ['negative r', '3006020180020101'],
    ['non-minimal r', '300702020001020101'],
    ['zero r', '3006020100020101'],
    ['r of 33 significant bytes', `302602210101${'00'.repeat(31)}020101`],
    ['long-form length where short fits', '30810602010102010101'],
    ['indefinite length', '3080020101020101'],
  ])('refuses malformed DER: %s', (_name, hex) => {
    expect(() => derToJose(Buffer.from(hex, 'hex'))).toThrow(DerSignatureError);
  });

  it('verifies as a JWS signature with the public key exported as JWK', () => {
    const jwkKey = createPublicKey({ key: publicKey.export({ format: 'jwk' }), format: 'jwk' });
    const jose = derToJose(sign('sha256', Buffer.from('x'), privateKey));
    expect(verify('sha256', Buffer.from('x'), { key: jwkKey, dsaEncoding: 'ieee-p1363' }, jose)).toBe(true);
  });
});
