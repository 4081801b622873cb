import { describe, expect, it } from 'vitest';
import { signingKeyPolicy } from '../../functions/workload-keys/key-policy.ts';

const SIGNER = 'arn:aws:iam::123456789012:role/zta-token-service';
const ROTATOR = 'arn:aws:iam::123456789012:role/zta-key-rotation';

interface Statement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Principal: { AWS: string | string[] };
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

const policy = JSON.parse(signingKeyPolicy({ signerRoleArns: [SIGNER], rotatorRoleArn: ROTATOR })) as {
  Statement: Statement[];
};
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const principals = (s: Statement) => (Array.isArray(s.Principal.AWS) ? s.Principal.AWS : [s.Principal.AWS]);
const allowedTo = (action: string) =>
  policy.Statement.filter((s) => s.Effect === 'Allow' && actions(s).includes(action))
    .flatMap(principals)
    .sort();

describe('signingKeyPolicy', () => {
  it('lets only the signer sign, with ECDSA_SHA_256, and denies signing to everyone else', () => {
    const sign = policy.Statement.find((s) => s.Effect === 'Allow' && actions(s).includes('kms:Sign'));
    const deny = policy.Statement.find((s) => s.Effect === 'Deny' && actions(s).includes('kms:Sign'));
    expect(allowedTo('kms:Sign')).toEqual([SIGNER]);
    expect(sign?.Condition).toEqual({ StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256' } });
    expect(deny).toMatchObject({
      Principal: { AWS: '*' },
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': [SIGNER] } },
    });
  });

  it('lets only the rotator disable, schedule deletion and move aliases', () => {
    for (const action of [
      'kms:DisableKey',
      'kms:ScheduleKeyDeletion',
      'kms:CreateAlias',
      'kms:UpdateAlias',
    ]) {
      expect(allowedTo(action)).toEqual([ROTATOR]);
    }
    const deny = policy.Statement.find(
      (s) => s.Effect === 'Deny' && actions(s).includes('kms:ScheduleKeyDeletion'),
    );
    expect(deny?.Condition).toEqual({ ArnNotEquals: { 'aws:PrincipalArn': ROTATOR } });
  });

  it('never grants a wildcard action, and keeps the account as break-glass for the policy only', () => {
    expect(policy.Statement.flatMap(actions).filter((a) => a.includes('*'))).toEqual([]);
    expect(allowedTo('kms:PutKeyPolicy')).toEqual(['arn:aws:iam::123456789012:root', ROTATOR].sort());
  });

  it.each([
    [{ signerRoleArns: ['*'], rotatorRoleArn: ROTATOR }],
    [{ signerRoleArns: [SIGNER], rotatorRoleArn: 'arn:aws:iam::123456789012:user/admin' }],
  ])('refuses principals that are not roles: %j', (principalsIn) => {
    expect(() => signingKeyPolicy(principalsIn)).toThrow(TypeError);
  });
});
