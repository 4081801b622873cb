import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { RevocationRecord } from '../../core/revocation.ts';
import {
  type AuditEntry,
  type RevocationAudit,
  type RevocationLedger,
  type RevocationTarget,
  type RevokeResult,
  recordFor,
} from '../../core/revocation-writer.ts';
import {
  type Item,
  inForce,
  key,
  n,
  num,
  recordOf,
  STATE_SK,
  s,
  str,
  targetKey,
} from './revocation-items.ts';

/**
 * Revocation writes to the DynamoDB table (layout in `revocation-items.ts`), for the revoker,
 * the admin route and `zta revoke --env`.
 *
 * Idempotency without transactions: the state item is changed by one conditional update that
 * refuses (a) a revocation not later than the one in force and (b) a request already applied
 * (`revokeRequestId`). A refused update is `unchanged`, except for a repeat of the very request
 * that put the revocation in force, which reports `revoked` again — so a retry gets the answer
 * the first attempt would have given. The audit entry is keyed by request id, so a retry
 * rewrites it rather than adding a second one; it is written after the state, and a failure
 * there throws so the caller retries (the state write is then a no-op).
 */
export class DynamoRevocationWriter implements RevocationLedger {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    /** Wall clock for audit entries (`at`: when the request was made, not what it asked for). */
    private readonly now: () => number = Date.now,
  ) {}

  async revoke(
    target: RevocationTarget,
    revokedAt: number,
    audit: RevocationAudit,
    options: { readonly expiresAt?: number } = {},
  ): Promise<RevokeResult> {
    const pk = targetKey(target);
    const values: Item = {
      ':kind': s(target.kind),
      ':t': n(revokedAt),
      ':by': s(audit.actor),
      ':reason': s(audit.reason),
      ':rid': s(audit.requestId),
      ':trigger': s(audit.trigger),
    };
    const sets = ['kind = :kind', 'revokedAt = :t', 'revokedBy = :by', 'reason = :reason'];
    sets.push('revokeRequestId = :rid', '#trigger = :trigger');
    if (target.issuer !== undefined) {
      values[':iss'] = s(target.issuer);
      sets.push('issuer = :iss');
    }
    values[':id'] = s(target.kind === 'subject' ? target.subject : target.jti);
    sets.push(target.kind === 'subject' ? 'subject = :id' : 'jti = :id');
    if (options.expiresAt !== undefined) {
      values[':exp'] = n(options.expiresAt);
      sets.push('expiresAt = :exp');
    }
    // A subject revocation may move later (it then covers more tokens); a jti one cannot.
    const replaceable = [
      'attribute_not_exists(revokedAt)',
      'attribute_exists(liftedAt)',
      'expiresAt <= :t',
      ...(target.kind === 'subject' ? ['revokedAt < :t'] : []),
    ].join(' OR ');
    const removes = [
      'liftedAt',
      'liftedBy',
      'liftReason',
      ...(options.expiresAt === undefined ? ['expiresAt'] : []),
    ];
    let outcome: RevokeResult['outcome'] = 'revoked';
    let record: RevocationRecord = recordFor(target, revokedAt, audit);
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(pk),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
          ConditionExpression: `(${replaceable}) AND (attribute_not_exists(revokeRequestId) OR revokeRequestId <> :rid)`,
          ExpressionAttributeNames: { '#trigger': 'trigger' },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.state(pk);
      if (!current) throw new Error('revocation state vanished during a conditional update; retry');
      record = recordOf(current);
      const repeat = str(current, 'revokeRequestId') === audit.requestId && inForce(current, revokedAt);
      outcome = repeat ? 'revoked' : 'unchanged';
    }
    await this.audit(pk, target, {
      action: 'revoke',
      ...auditFields(audit),
      at: Math.floor(this.now() / 1000),
      outcome,
      revokedAt: record.revokedAt,
    });
    return { outcome, record };
  }

  async unrevoke(target: RevocationTarget, atSeconds: number, audit: RevocationAudit) {
    const pk = targetKey(target);
    let outcome: 'unrevoked' | 'unchanged' = 'unrevoked';
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(pk),
          UpdateExpression:
            'SET liftedAt = :now, liftedBy = :by, liftReason = :reason, unrevokeRequestId = :rid',
          ConditionExpression:
            'attribute_exists(revokedAt) AND (attribute_not_exists(liftedAt) OR unrevokeRequestId = :rid) AND (attribute_not_exists(expiresAt) OR expiresAt > :now)',
          ExpressionAttributeValues: {
            ':now': n(atSeconds),
            ':by': s(audit.actor),
            ':reason': s(audit.reason),
            ':rid': s(audit.requestId),
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      outcome = 'unchanged';
    }
    await this.audit(pk, target, { action: 'unrevoke', ...auditFields(audit), at: atSeconds, outcome });
    return { outcome };
  }

  /**
   * Revocations in force at `nowSeconds`: a Scan, for operators (`zta revocations list --env`),
   * never on the decision path.
   */
  async list(nowSeconds: number): Promise<RevocationRecord[]> {
    const records: RevocationRecord[] = [];
    let start: Item | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'sk = :state',
          ExpressionAttributeValues: { ':state': s(STATE_SK) },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) if (inForce(item, nowSeconds)) records.push(recordOf(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return records.sort((a, b) => a.revokedAt - b.revokedAt);
  }

  /** Every audit entry of a target, oldest first. */
  async history(target: RevocationTarget): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    let start: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
          ExpressionAttributeValues: { ':pk': s(targetKey(target)), ':audit': s('audit#') },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) entries.push(entryOf(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return entries.sort((a, b) => a.at - b.at);
  }

  private async state(pk: string): Promise<Item | undefined> {
    const answer = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: key(pk), ConsistentRead: true }),
    );
    return answer.Item;
  }

  private async audit(pk: string, target: RevocationTarget, entry: AuditEntry): Promise<void> {
    const item: Item = {
      ...key(pk, `audit#${entry.action}#${entry.requestId}`),
      kind: s(target.kind),
      action: s(entry.action),
      actor: s(entry.actor),
      reason: s(entry.reason),
      trigger: s(entry.trigger),
      requestId: s(entry.requestId),
      at: n(entry.at),
      outcome: s(entry.outcome),
      ...(target.issuer === undefined ? {} : { issuer: s(target.issuer) }),
      ...(target.kind === 'subject' ? { subject: s(target.subject) } : { jti: s(target.jti) }),
      ...(entry.revokedAt === undefined ? {} : { revokedAt: n(entry.revokedAt) }),
    };
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: item }));
  }
}

const auditFields = (a: RevocationAudit) => ({
  actor: a.actor,
  reason: a.reason,
  trigger: a.trigger,
  requestId: a.requestId,
});

function entryOf(item: Item): AuditEntry {
  const revokedAt = num(item, 'revokedAt');
  return {
    action: str(item, 'action') === 'unrevoke' ? 'unrevoke' : 'revoke',
    actor: str(item, 'actor') ?? '',
    reason: str(item, 'reason') ?? '',
    trigger: str(item, 'trigger') === 'auto' ? 'auto' : 'manual',
    requestId: str(item, 'requestId') ?? '',
    at: num(item, 'at') ?? 0,
    outcome: str(item, 'outcome') ?? '',
    ...(revokedAt === undefined ? {} : { revokedAt }),
  };
}
