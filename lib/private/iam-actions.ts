/**
 * IAM action lists, in one place so a reviewer sees every permission the constructs hand out.
 * Grants that CDK's own `grant*` methods cover (log groups, keys, invoke) are not repeated here.
 */

/**
 * What a Lambda function attached to a VPC needs to manage its Hyperplane network interfaces.
 * The same list as the AWS managed policy `AWSLambdaVPCAccessExecutionRole`, kept inline so each
 * function role is self-contained (no managed policy to audit separately). EC2 does not support
 * resource-level permissions for the Describe call, and Lambda creates the interfaces on the
 * function's behalf, so these take `Resource: *`.
 */
export const LAMBDA_VPC_NETWORK_INTERFACE_ACTIONS: readonly string[] = Object.freeze([
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
]);

/**
 * What CloudWatch Logs needs on the customer-managed key to encrypt a log group
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
 */
export const LOGS_KEY_ACTIONS: readonly string[] = Object.freeze([
  'kms:Encrypt*',
  'kms:Decrypt*',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:Describe*',
]);

/** What CloudWatch alarms need on the key of the encrypted SNS topic they publish to. */
export const ALARM_PUBLISH_KEY_ACTIONS: readonly string[] = Object.freeze([
  'kms:Decrypt',
  'kms:GenerateDataKey*',
]);

/**
 * The DynamoDB data-plane calls the gateway endpoint lets through: the revocation store's, the
 * denial counters' and the forwarder's duplicate filter (`BatchWriteItem`).
 */
export const DYNAMODB_ENDPOINT_ACTIONS: readonly string[] = Object.freeze([
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
]);

/**
 * The API Gateway account's CloudWatch Logs role: exactly the AWS managed policy
 * `AmazonAPIGatewayPushToCloudWatchLogs`, inline (API Gateway checks the role holds these when
 * the account setting is made; the reads are part of what it checks).
 */
export const API_GATEWAY_LOGGING_ACTIONS: readonly string[] = Object.freeze([
  'logs:CreateLogGroup',
  'logs:CreateLogStream',
  'logs:DescribeLogGroups',
  'logs:DescribeLogStreams',
  'logs:PutLogEvents',
  'logs:GetLogEvents',
  'logs:FilterLogEvents',
]);
