import { Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import type { IHttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import { AccountRecovery, FeaturePlan, Mfa, StandardThreatProtectionMode, UserPool, UserPoolClient } from "aws-cdk-lib/aws-cognito";
import { IdentityPool, UserPoolAuthenticationProvider } from "aws-cdk-lib/aws-cognito-identitypool";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";

export interface ConsoleSignInProps {
  /** The HTTP API whose routes signed-in operators may call. */
  api: IHttpApi;
}

/**
 * Sign-in for the console on AWS, keeping the operators' IAM model: a Cognito user pool (no self
 * sign-up, TOTP MFA required) whose public client signs in from the console's own page
 * (InitiateAuth USER_PASSWORD_AUTH over TLS, then the MFA challenge), and whose ID token an identity
 * pool exchanges for temporary credentials of one IAM role, allowed execute-api:Invoke on this API
 * only. The browser signs its /v1 calls with SigV4 like `radial --auth aws` does, so every operator
 * route stays behind the HTTP API's IAM authorizer: no second authorizer, no route the console
 * reaches that IAM does not guard. Not the hosted page (OAuth code flow): no local engine runs it,
 * so the console's side of it could not be tested; USER_PASSWORD_AUTH and its challenges can, on
 * moto, where SRP's proof is not checked at all.
 */
export class ConsoleSignIn extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly identityPool: IdentityPool;

  constructor(scope: Construct, id: string, props: ConsoleSignInProps) {
    super(scope, id);
    this.userPool = new UserPool(this, "Operators", {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 14, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.client = this.userPool.addClient("Console", {
      generateSecret: false,
      // The password flow and, added with it, refresh; no SRP or custom flow, no OAuth (no hosted page).
      authFlows: { userPassword: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    this.identityPool = new IdentityPool(this, "Identities", {
      allowUnauthenticatedIdentities: false,
      authenticationProviders: { userPools: [new UserPoolAuthenticationProvider({ userPool: this.userPool, userPoolClient: this.client })] },
    });
    this.identityPool.authenticatedRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ["execute-api:Invoke"], resources: [props.api.arnForExecuteApi()] }),
    );
    Validations.of(this.identityPool.authenticatedRole).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${Stack.of(this).getLogicalId(
        props.api.node.defaultChild as never,
      )}>/*/*/*]`,
      reason: "Signed-in console operators call every route of this one HTTP API, as an operator's IAM policy allows; nothing else.",
    });
  }
}
