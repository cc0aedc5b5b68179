import { Aws, Duration, Names, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import type { IHttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import {
  AccountRecovery,
  CfnUserPoolClient,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
  UserPoolDomain,
} from "aws-cdk-lib/aws-cognito";
import { IdentityPool, UserPoolAuthenticationProvider } from "aws-cdk-lib/aws-cognito-identitypool";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";

export interface ConsoleSignInProps {
  /** The console's origin, `https://<distribution domain>`: where sign-in returns to. */
  consoleUrl: string;
  /** The HTTP API whose routes signed-in operators may call. */
  api: IHttpApi;
}

/**
 * Sign-in for the console on AWS, keeping the operators' IAM model: a Cognito user pool (no self
 * sign-up, MFA required, Cognito's hosted sign-in page, OAuth code flow with PKCE for a public
 * client) whose ID token an identity pool exchanges for temporary credentials of one IAM role,
 * allowed execute-api:Invoke on this API only. The browser signs its /v1 calls with SigV4 like
 * `radial --auth aws` does, so every operator route stays behind the HTTP API's IAM authorizer:
 * no second authorizer, no route the console reaches that IAM does not guard.
 */
export class ConsoleSignIn extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
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
    this.domain = this.userPool.addDomain("SignIn", {
      // Unique per account and stack; Cognito refuses "aws", "amazon" and "cognito" in the prefix.
      cognitoDomain: { domainPrefix: `radial-${Aws.ACCOUNT_ID}-${Names.uniqueId(this).slice(-8).toLowerCase()}` },
    });
    this.client = this.userPool.addClient("Console", {
      generateSecret: false,
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL],
        callbackUrls: [`${props.consoleUrl}/`],
        logoutUrls: [`${props.consoleUrl}/`],
      },
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    // Left unset, Cognito allows SRP and custom sign-in from the client too; the hosted page needs neither.
    (this.client.node.defaultChild as CfnUserPoolClient).explicitAuthFlows = ["ALLOW_REFRESH_TOKEN_AUTH"];
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
