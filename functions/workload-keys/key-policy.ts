/**
 * The key policy the rotator gives every signing key it creates. Keys are created at run time,
 * so CDK cannot attach their policy; the rotator passes this document to `CreateKey`.
 *
 * - Only the signer roles may `kms:Sign`, with ECDSA_SHA_256 only — an explicit Deny for every
 *   other principal, so even an IAM policy granting `kms:*` cannot sign tokens.
 * - Only the rotator may disable a key or schedule its deletion (explicit Deny for the others).
 * - The rotator may `PutKeyPolicy`: KMS's lockout safety check requires it of whoever creates
 *   the key, and the rotator chooses the policy at `CreateKey` anyway, so it gains nothing.
 * - The account root keeps `PutKeyPolicy` as the audited break-glass KMS recommends (without
 *   it, a mistake here makes the key unmanageable forever).
 */
export interface KeyPolicyPrincipals {
  /** Roles of the token service Lambda (the only signers). */
  readonly signerRoleArns: readonly string[];
  /** Role of the rotation Lambda. */
  readonly rotatorRoleArn: string;
}

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/[\w+=,.@/-]+$/;

/** The key policy JSON. Throws a TypeError for a principal that is not an IAM role ARN. */
export function signingKeyPolicy(principals: KeyPolicyPrincipals): string {
  const rotator = ROLE_ARN.exec(principals.rotatorRoleArn);
  if (!rotator) throw new TypeError(`rotatorRoleArn is not an IAM role ARN: ${principals.rotatorRoleArn}`);
  for (const arn of principals.signerRoleArns) {
    if (!ROLE_ARN.test(arn))
      throw new TypeError(`signerRoleArns has a value that is not an IAM role ARN: ${arn}`);
  }
  const [, partition, account] = rotator;
  const signers = [...principals.signerRoleArns];
  const statements = [
    {
      Sid: 'AccountBreakGlass',
      Effect: 'Allow',
      Principal: { AWS: `arn:${partition}:iam::${account}:root` },
      Action: [
        'kms:DescribeKey',
        'kms:GetKeyPolicy',
        'kms:PutKeyPolicy',
        'kms:ListResourceTags',
        'kms:GetPublicKey',
      ],
      Resource: '*',
    },
    {
      Sid: 'RotatorManagesKey',
      Effect: 'Allow',
      Principal: { AWS: principals.rotatorRoleArn },
      Action: [
        'kms:DescribeKey',
        'kms:GetPublicKey',
        'kms:ListResourceTags',
        'kms:TagResource',
        'kms:CreateAlias',
        'kms:UpdateAlias',
        'kms:DisableKey',
        'kms:ScheduleKeyDeletion',
        'kms:GetKeyPolicy',
        'kms:PutKeyPolicy',
      ],
      Resource: '*',
    },
    {
      Sid: 'SignerReadsKey',
      Effect: 'Allow',
      Principal: { AWS: signers },
      Action: ['kms:DescribeKey', 'kms:GetPublicKey'],
      Resource: '*',
    },
    {
      Sid: 'SignerSignsEs256',
      Effect: 'Allow',
      Principal: { AWS: signers },
      Action: 'kms:Sign',
      Resource: '*',
      Condition: { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256' } },
    },
    {
      Sid: 'NobodyElseSigns',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'kms:Sign',
      Resource: '*',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': signers } },
    },
    {
      Sid: 'OnlyRotatorRetires',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['kms:DisableKey', 'kms:ScheduleKeyDeletion'],
      Resource: '*',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': principals.rotatorRoleArn } },
    },
  ];
  return JSON.stringify({ Version: '2012-10-17', Id: 'zta-token-signing-key', Statement: statements });
}
