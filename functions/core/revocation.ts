/**
 * Revocation: a token is refused when its `jti` is revoked, or when its subject (`iss` + `sub`)
 * was revoked no earlier than the token's `iat` minus the issuer's clock tolerance — one record
 * ends every token issued up to that moment, whatever its `jti`. The tolerance matters because
 * the claims check accepts an `iat` that far in the future: a token an IdP with a fast clock
 * stamped up to `tolerance` seconds ahead was minted before the revocation, and must not
 * escape it for its whole lifetime. Keys are `jti` and subject, never the token string or its hash:
 * one signed token has many valid spellings (FACTS), so a hash deny-list is bypassable.
 */

/** One recorded revocation. `issuer` undefined on a jti record means "any issuer". */
export type RevocationRecord =
  | {
      readonly kind: 'jti';
      readonly jti: string;
      readonly issuer?: string;
      readonly revokedAt: number;
      readonly reason?: string;
      readonly revokedBy?: string;
    }
  | {
      readonly kind: 'subject';
      readonly issuer: string;
      readonly subject: string;
      readonly revokedAt: number;
      readonly reason?: string;
      readonly revokedBy?: string;
    };

export interface RevocationQuery {
  readonly issuer: string;
  readonly subject: string;
  readonly jti: string | undefined;
}

export interface RevocationFacts {
  readonly jtiRevoked: boolean;
  /** Latest subject revocation time (epoch seconds), when there is one. */
  readonly subjectRevokedAt: number | undefined;
}

/**
 * A store that cannot answer, with a message that names the store and the fix and holds no
 * token material: the authorizer copies it into the decision record's `detail`.
 */
export class RevocationUnavailable extends Error {
  override readonly name = 'RevocationUnavailable';
}

/** The store the authorizer reads. An implementation throws when it cannot answer: the caller denies. */
export interface RevocationStore {
  lookup(query: RevocationQuery): RevocationFacts | Promise<RevocationFacts>;
}

/**
 * Whether the facts revoke a token issued at `iat` by an issuer whose clock tolerance is
 * `toleranceSeconds`: a subject revocation at `revokedAt` covers `iat ≤ revokedAt + tolerance`.
 */
export function isRevoked(facts: RevocationFacts, iat: number, toleranceSeconds: number): boolean {
  return (
    facts.jtiRevoked ||
    (facts.subjectRevokedAt !== undefined && iat <= facts.subjectRevokedAt + toleranceSeconds)
  );
}

/**
 * Indexes records for O(1) lookups (the file store rebuilds this when its file changes). A jti
 * record without an issuer applies to every issuer.
 */
export function indexRevocations(records: readonly RevocationRecord[]): RevocationStore {
  const anyIssuerJtis = new Set<string>();
  // issuer → jti set, and issuer → subject → latest revokedAt: nested maps need no composite
  // key string per lookup (this runs on every request).
  const issuerJtis = new Map<string, Set<string>>();
  const subjects = new Map<string, Map<string, number>>();
  const inner = <V>(map: Map<string, V>, issuer: string, make: () => V): V => {
    const found = map.get(issuer);
    if (found !== undefined) return found;
    const made = make();
    map.set(issuer, made);
    return made;
  };
  for (const r of records) {
    if (r.kind === 'jti') {
      if (r.issuer === undefined) anyIssuerJtis.add(r.jti);
      else inner(issuerJtis, r.issuer, () => new Set<string>()).add(r.jti);
    } else {
      const bySubject = inner(subjects, r.issuer, () => new Map<string, number>());
      bySubject.set(r.subject, Math.max(bySubject.get(r.subject) ?? r.revokedAt, r.revokedAt));
    }
  }
  return {
    lookup: ({ issuer, subject, jti }) => ({
      jtiRevoked: jti !== undefined && (anyIssuerJtis.has(jti) || issuerJtis.get(issuer)?.has(jti) === true),
      subjectRevokedAt: subjects.get(issuer)?.get(subject),
    }),
  };
}
