/**
 * The two small interfaces every token issuer of the suite implements, whether its keys live in
 * AWS KMS (the token service) or on disk (the local issuer behind `zta token`): something that
 * signs a JWT with the key that is active now, and a key store that says which keys are
 * published, in which rotation state.
 */

/** A key's place in the rotation timeline. */
export type KeyState =
  /** Published in the JWKS ahead of use, so every verifier has it before it signs anything. */
  | 'next'
  /** The one key that signs. */
  | 'active'
  /** No longer signs; published until every token it signed has expired. */
  | 'retired';

/** What a key store says about one published key (never private material). */
export interface KeyInfo {
  readonly kid: string;
  readonly state: KeyState;
  /** When the key was published (epoch seconds). */
  readonly createdAt: number;
  readonly activatedAt?: number;
  readonly retiredAt?: number;
  /** For a retired key: the last second its tokens may still verify. */
  readonly verifiesUntil?: number;
}

/** A public ES256 JWK as a JWKS publishes it. */
export interface PublicJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
  readonly kid: string;
  readonly alg: 'ES256';
  readonly use: 'sig';
}

export interface JwksDocument {
  readonly keys: readonly PublicJwk[];
}

/** JWT claims to sign. The signer adds nothing to them; the header is the signer's. */
export type JwtClaims = Readonly<Record<string, unknown>>;

/** Signs JWTs with the issuer's active key (ES256, header `{ alg, typ: "JWT", kid }`). */
export interface TokenSigner {
  /** The compact JWS. Throws when no active key can sign; the caller refuses the request. */
  sign(claims: JwtClaims): Promise<string>;
}

/**
 * The published side of an issuer's keys: every key that may verify now (next, active, and
 * retired keys inside their grace period) and nothing else. Synchronous for the local store,
 * asynchronous for a store in DynamoDB.
 */
export interface SigningKeyStore {
  listKeys(): readonly KeyInfo[] | Promise<readonly KeyInfo[]>;
  publicJwks(): JwksDocument | Promise<JwksDocument>;
}
