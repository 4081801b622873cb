/**
 * The revocation table's item layout (key schema `pk` S + `sk` S, TTL attribute `expiresAt`):
 *
 * | item | pk | sk |
 * |---|---|---|
 * | subject state | `["subject","<iss>","<sub>"]` | `state` |
 * | jti state | `["jti","<iss>" or null,"<jti>"]` | `state` |
 * | audit entry | same pk as its state | `audit#<requestId>` |
 *
 * A state item is in force while it has `revokedAt`, no `liftedAt` (an un-revoke keeps the
 * item, so a late duplicate of the request that revoked is still recognised as a duplicate) and
 * its `expiresAt` (if any) is in the future: DynamoDB deletes expired items only eventually (up
 * to days later), so reads filter on `expiresAt` themselves. Keys are JSON arrays, so no issuer or subject can be spelt to collide
 * with another; a key over 1 KB is replaced by its SHA-256 (DynamoDB caps a partition key at
 * 2 KB, and a verified token may carry a long `sub`).
 */
import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { RevocationRecord } from '../../core/revocation.ts';
import type { RevocationTarget } from '../../core/revocation-writer.ts';

export type Item = Record<string, AttributeValue>;

export const STATE_SK = 'state';
const MAX_PLAIN_KEY = 1024;

export function partitionKey(parts: readonly (string | null)[]): string {
  const plain = JSON.stringify(parts);
  if (Buffer.byteLength(plain) <= MAX_PLAIN_KEY) return plain;
  return `sha256:${createHash('sha256').update(plain).digest('hex')}`;
}

export function targetKey(target: RevocationTarget): string {
  return target.kind === 'subject'
    ? partitionKey(['subject', target.issuer, target.subject])
    : partitionKey(['jti', target.issuer ?? null, target.jti]);
}

export const key = (pk: string, sk: string = STATE_SK): Item => ({ pk: { S: pk }, sk: { S: sk } });

export const s = (value: string): AttributeValue => ({ S: value });
export const n = (value: number): AttributeValue => ({ N: String(value) });

export function str(item: Item, name: string): string | undefined {
  const v = item[name];
  return v && 'S' in v && typeof v.S === 'string' ? v.S : undefined;
}

/** A number attribute; throws on a present but non-numeric one (a corrupt item fails closed). */
export function num(item: Item, name: string): number | undefined {
  const v = item[name];
  if (v === undefined) return undefined;
  const value = 'N' in v && typeof v.N === 'string' ? Number(v.N) : Number.NaN;
  if (!Number.isFinite(value)) throw new Error(`revocation item attribute ${name} is not a number`);
  return value;
}

/** Whether a state item is in force at `nowSeconds`. */
export function inForce(item: Item, nowSeconds: number): boolean {
  const revokedAt = num(item, 'revokedAt');
  const expiresAt = num(item, 'expiresAt');
  return (
    revokedAt !== undefined &&
    item.liftedAt === undefined &&
    (expiresAt === undefined || expiresAt > nowSeconds)
  );
}

/** The record a state item holds (throws when the item is not a valid revocation). */
export function recordOf(item: Item): RevocationRecord {
  const revokedAt = num(item, 'revokedAt');
  const kind = str(item, 'kind');
  const issuer = str(item, 'issuer');
  const audit = {
    ...(str(item, 'revokedBy') === undefined ? {} : { revokedBy: str(item, 'revokedBy') }),
    ...(str(item, 'reason') === undefined ? {} : { reason: str(item, 'reason') }),
  };
  if (revokedAt !== undefined && kind === 'subject' && issuer && str(item, 'subject')) {
    return { kind, issuer, subject: str(item, 'subject') as string, revokedAt, ...audit };
  }
  const jti = str(item, 'jti');
  if (revokedAt !== undefined && kind === 'jti' && jti) {
    return { kind, jti, ...(issuer ? { issuer } : {}), revokedAt, ...audit };
  }
  throw new Error(`revocation item ${str(item, 'pk')} is not a valid revocation`);
}
