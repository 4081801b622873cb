import { Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { afterAll, describe, expect, it } from 'vitest';
import { RevocationTable } from '../../lib/revocation-table.ts';
import { fastApp, removeOutdirs } from './helpers.ts';

afterAll(removeOutdirs);

const subject = (removalPolicy?: RemovalPolicy) => {
  const stack = new Stack(fastApp(), 'Subject');
  const encryptionKey = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const table = new RevocationTable(stack, 'Revocations', {
    tableName: 'zta-test-revocations',
    encryptionKey,
    ...(removalPolicy ? { removalPolicy } : {}),
  });
  return { stack, table };
};

const grantee = (stack: Stack, id: string) =>
  new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

describe('RevocationTable', () => {
  it('refuses a token for a name: the bundled config and the CLI name the table', () => {
    const stack = new Stack(fastApp(), 'Subject');
    expect(
      () =>
        new RevocationTable(stack, 'Revocations', {
          tableName: Lazy.string({ produce: () => 'later' }),
          encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
        }),
    ).toThrow(/Subject\/Revocations: tableName must be a literal/);
  });

  it('retains by default, with deletion protection: losing it un-revokes everyone', () => {
    const { stack } = subject();
    Template.fromStack(stack).hasResource('AWS::DynamoDB::Table', {
      Properties: { TableName: 'zta-test-revocations', DeletionProtectionEnabled: true },
      DeletionPolicy: 'Retain',
    });
  });

  it.each([
    ['grantLookup', ['dynamodb:BatchGetItem'], ['kms:Decrypt', 'kms:DescribeKey']],
    [
      'grantRevoke',
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
    ],
    [
      'grantAdminister',
      // Sorted: cdk.json's @aws-cdk/aws-iam:minimizePolicies orders the actions.
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
    ],
  ] as const)(
    '%s grants exactly %j on the table, and the key only through DynamoDB',
    (method, actions, keyActions) => {
      const { stack, table } = subject(RemovalPolicy.DESTROY);
      table[method](grantee(stack, 'Grantee'));
      Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: [...keyActions],
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
              Condition: {
                StringEquals: { 'kms:ViaService': Match.objectLike({ 'Fn::Join': Match.anyValue() }) },
              },
            },
            {
              Effect: 'Allow',
              Action: actions.length === 1 ? actions[0] : [...actions],
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RevocationsStoreTable'), 'Arn'] },
            },
          ],
        },
      });
    },
  );
});
