/**
 * What the console shows besides decisions: the revocations in force and each issuer's keys,
 * read from the same stores the authorizer uses. Only identifiers and states leave here — a
 * key's `kid`, `alg` and lifecycle, a revocation's target and audit fields — never key
 * material (the local store's private keys, or even public coordinates).
 */
import type { IssuerConfig } from '../../core/config/authorizer-config.ts';
import type { RevocationLedger } from '../../core/revocation-writer.ts';
import type { BuiltAuthorizer } from '../../runtime/build-authorizer.ts';
import { revocationWriterFor } from '../../runtime/revocation-writers.ts';

export type RevocationsView =
  | { readonly state: 'none' }
  | { readonly state: 'ok'; readonly store: string; readonly items: readonly RevocationItem[] }
  | { readonly state: 'error'; readonly store: string; readonly message: string };

export interface RevocationItem {
  readonly kind: 'jti' | 'subject';
  readonly jti?: string;
  readonly subject?: string;
  readonly issuer?: string;
  readonly revokedAt: number;
  readonly expiresAt?: number;
  readonly reason?: string;
  readonly revokedBy?: string;
}

export interface IssuerKeysView {
  readonly issuer: string;
  /** Where the keys come from: `IssuerConfig['jwks'].kind`. */
  readonly source: IssuerConfig['jwks']['kind'];
  readonly state: 'ok' | 'error';
  readonly keys: readonly KeyView[];
  readonly message?: string;
}

export interface KeyView {
  readonly kid: string | null;
  /** The local issuer's lifecycle state (`next`, `active`, `retired`); for other issuers `served`. */
  readonly state: string;
  readonly alg?: string;
  readonly createdAt?: number;
  readonly activatedAt?: number;
  readonly retiredAt?: number;
  readonly verifiesUntil?: number;
}

export interface ConsoleSources {
  revocations(nowSeconds: number): Promise<RevocationsView>;
  keys(): Promise<IssuerKeysView[]>;
}

export async function consoleSources(built: BuiltAuthorizer): Promise<ConsoleSources> {
  const config = built.config.revocations;
  const ledger: RevocationLedger | null = await revocationWriterFor(config);
  const store = config === null ? '' : config.kind === 'file' ? config.path : `dynamodb:${config.tableName}`;
  return {
    async revocations(nowSeconds) {
      if (ledger === null) return { state: 'none' };
      try {
        const items = (await ledger.list(nowSeconds)).map(revocationItem);
        return { state: 'ok', store, items };
      } catch (error) {
        return { state: 'error', store, message: messageOf(error) };
      }
    },
    async keys() {
      return Promise.all(
        built.issuers.map(async ({ config: issuer, keys }): Promise<IssuerKeysView> => {
          const source = issuer.jwks.kind;
          try {
            if (source === 'local-issuer' && built.localKeys) {
              const listed = await built.localKeys.listKeys();
              return { issuer: issuer.issuer, source, state: 'ok', keys: listed.map(localKey) };
            }
            const served = (await keys.current()).keys.map(
              (key): KeyView => ({
                kid: key.kid ?? null,
                state: 'served',
                ...(key.alg ? { alg: key.alg } : {}),
              }),
            );
            return { issuer: issuer.issuer, source, state: 'ok', keys: served };
          } catch (error) {
            return { issuer: issuer.issuer, source, state: 'error', keys: [], message: messageOf(error) };
          }
        }),
      );
    },
  };
}

/** Field by field: whatever a store adds to its records later does not reach the page unseen. */
function revocationItem(
  record: Record<string, unknown> & { kind: 'jti' | 'subject'; revokedAt: number },
): RevocationItem {
  const item: Record<string, unknown> = { kind: record.kind, revokedAt: record.revokedAt };
  for (const field of ['jti', 'subject', 'issuer', 'expiresAt', 'reason', 'revokedBy'] as const) {
    if (record[field] !== undefined) item[field] = record[field];
  }
  return item as unknown as RevocationItem;
}

function localKey(key: {
  kid: string;
  state: string;
  createdAt: number;
  activatedAt?: number;
  retiredAt?: number;
  verifiesUntil?: number;
}): KeyView {
  return {
    kid: key.kid,
    state: key.state,
    alg: 'ES256',
    createdAt: key.createdAt,
    ...(key.activatedAt === undefined ? {} : { activatedAt: key.activatedAt }),
    ...(key.retiredAt === undefined ? {} : { retiredAt: key.retiredAt }),
    ...(key.verifiesUntil === undefined ? {} : { verifiesUntil: key.verifiesUntil }),
  };
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 512);
}
