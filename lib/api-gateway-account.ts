import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';
import { API_GATEWAY_LOGGING_ACTIONS } from './private/iam-actions.ts';

export interface ApiGatewayAccountProps {
  /**
   * What happens to the role and the account setting when they leave the stack. Every API of
   * the account and region logs through this role, not only this stack's: keep it.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * API Gateway's account-level CloudWatch Logs role: an IAM role API Gateway assumes to write
 * access and execution logs, set in the account's API Gateway settings
 * (`AWS::ApiGateway::Account`). A stage with logging cannot be created until it is set.
 *
 * The setting is a singleton per account and region: of two stacks in one account and region,
 * exactly one may create it (the other relies on it), or each overwrites the other's role.
 * Call `requiredBy(stage)` for every stage that logs, so CloudFormation sets the role first.
 */
export class ApiGatewayAccount extends Construct {
  public readonly role: iam.Role;
  public readonly account: apigateway.CfnAccount;

  constructor(scope: Construct, id: string, props: ApiGatewayAccountProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description:
        'API Gateway account CloudWatch Logs role: every API of this account and region logs with it',
    });
    const policy = new iam.Policy(this, 'Policy', {
      roles: [this.role],
      statements: [new iam.PolicyStatement({ actions: [...API_GATEWAY_LOGGING_ACTIONS], resources: ['*'] })],
    });
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        "The account-wide API Gateway logging role: API Gateway writes every API's execution and access logs of " +
        'this account and region with it, into log groups it names at run time, and checks the role holds the ' +
        'actions of AmazonAPIGatewayPushToCloudWatchLogs (Resource *) when the setting is made. An identity ' +
        "policy cannot reach another account's log groups; only API Gateway can assume the role.",
    });
    this.role.applyRemovalPolicy(removalPolicy);
    policy.applyRemovalPolicy(removalPolicy);

    this.account = new apigateway.CfnAccount(this, 'Account', { cloudWatchRoleArn: this.role.roleArn });
    // API Gateway checks the role's permissions when the setting is made.
    this.account.node.addDependency(policy);
    this.account.applyRemovalPolicy(removalPolicy);
  }

  /** Makes `stage` wait for the setting: creating a logging stage before it fails. */
  public requiredBy(stage: IConstruct): void {
    stage.node.addDependency(this.account);
  }
}
