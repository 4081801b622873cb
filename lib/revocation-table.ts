import { RemovalPolicy, Token } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  REVOCATION_AUDIT_ACTIONS,
  REVOCATION_LOOKUP_ACTIONS,
  REVOCATION_WRITE_ACTIONS,
} from './private/iam-actions.ts';
import { SuiteTable } from './suite-table.ts';

export interface RevocationTableProps {
  /**
   * The table's physical name, a literal: the authorizer's packaged config and
   * `zta revoke --env <env>` (through `config/<env>.json`) find the table by it.
   */
  readonly tableName: string;
  /** Encrypts the table. */
  readonly encryptionKey: kms.IKey;
  /**
   * Any policy but `DESTROY` also turns on deletion protection: losing this table un-revokes
   * everyone.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The DynamoDB revocation store (`functions/runtime/dynamodb/revocation-items.ts`): a state
 * item per revoked subject or token and an audit entry per request. The authorizer reads it on
 * every decision; the revoker and the admin route write it. Grants follow those three roles.
 */
export class RevocationTable extends Construct {
  /** The literal physical name (also `table.tableName`, which is a reference). */
  public readonly tableName: string;
  public readonly table: dynamodb.Table;

  private readonly suiteTable: SuiteTable;

  constructor(scope: Construct, id: string, props: RevocationTableProps) {
    super(scope, id);
    if (Token.isUnresolved(props.tableName)) {
      throw new Error(
        `${this.node.path}: tableName must be a literal (the authorizer's packaged config names the table), got a token`,
      );
    }
    this.tableName = props.tableName;
    this.suiteTable = new SuiteTable(this, 'Store', {
      encryptionKey: props.encryptionKey,
      tableName: props.tableName,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.table = this.suiteTable.table;
  }

  /** The authorizer's lookups: `BatchGetItem` and the key's read actions, nothing else. */
  public grantLookup(grantee: iam.IGrantable): iam.Grant {
    return this.suiteTable.grantItems(grantee, REVOCATION_LOOKUP_ACTIONS);
  }

  /** Revoking and un-revoking, with the audit entry (the revoker). */
  public grantRevoke(grantee: iam.IGrantable): iam.Grant {
    return this.suiteTable.grantItems(grantee, REVOCATION_WRITE_ACTIONS);
  }

  /** Revoking plus reading a target's audit trail (the admin route). */
  public grantAdminister(grantee: iam.IGrantable): iam.Grant {
    return this.suiteTable.grantItems(grantee, [...REVOCATION_WRITE_ACTIONS, ...REVOCATION_AUDIT_ACTIONS]);
  }
}
