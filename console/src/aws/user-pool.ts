// Signing in to the console's Cognito user pool with the SDK's client: InitiateAuth
// (USER_PASSWORD_AUTH) and the challenges an operator meets: a new password after the temporary one
// admin-create-user gave, setting up an authenticator app (the pool requires TOTP MFA), then its code
// at every sign-in. The password goes to Cognito over TLS and nowhere else.
import {
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  VerifySoftwareTokenCommand,
  type InitiateAuthCommandOutput,
} from "@aws-sdk/client-cognito-identity-provider";
import type { AwsConsoleConfig } from "../../../contract/console-config.js";

/** What the operator is asked next, or that sign-in is done. */
export type SignInStep =
  { kind: "signed-in"; tokens: UserTokens } | { kind: "new-password" } | { kind: "mfa-setup"; secret: string; uri: string } | { kind: "mfa-code" };

/** The ID token (what the identity pool takes), when it expires (ms since the epoch), and the refresh token that renews it. */
export interface UserTokens {
  idToken: string;
  expiresAt: number;
  refreshToken: string;
}

/** When a token Cognito just gave, valid for `expiresIn` seconds, expires. */
const expiresAt = (expiresIn: number | undefined) => Date.now() + (expiresIn ?? 0) * 1000;

/** One sign-in's conversation with the user pool: each method answers the operator's last step. */
export class UserPoolSignIn {
  private readonly client: CognitoIdentityProviderClient;
  private session = "";
  /** The user's name as Cognito knows it (with email sign-in, not the email): challenges are answered for it. */
  private username = "";
  private email = "";

  constructor(private readonly config: AwsConsoleConfig) {
    this.client = new CognitoIdentityProviderClient({ region: config.region });
  }

  async start(email: string, password: string): Promise<SignInStep> {
    this.username = email;
    this.email = email;
    const answer = await this.client.send(
      new InitiateAuthCommand({
        AuthFlow: "USER_PASSWORD_AUTH",
        ClientId: this.config.userPoolClientId,
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
    return this.next(answer);
  }

  newPassword(password: string): Promise<SignInStep> {
    return this.respond("NEW_PASSWORD_REQUIRED", { NEW_PASSWORD: password });
  }

  /** Checks the first code of the newly added authenticator app, then finishes the MFA_SETUP challenge. */
  async verifyMfaSetup(code: string): Promise<SignInStep> {
    const verified = await this.client.send(new VerifySoftwareTokenCommand({ Session: this.session, UserCode: code, FriendlyDeviceName: "Radial console" }));
    if (verified.Status !== "SUCCESS") throw new Error("Cognito did not accept the code: try the next one.");
    this.session = verified.Session ?? this.session;
    return this.respond("MFA_SETUP", {});
  }

  mfaCode(code: string): Promise<SignInStep> {
    return this.respond("SOFTWARE_TOKEN_MFA", { SOFTWARE_TOKEN_MFA_CODE: code });
  }

  private async respond(challenge: "NEW_PASSWORD_REQUIRED" | "MFA_SETUP" | "SOFTWARE_TOKEN_MFA", responses: Record<string, string>): Promise<SignInStep> {
    const answer = await this.client.send(
      new RespondToAuthChallengeCommand({
        ClientId: this.config.userPoolClientId,
        ChallengeName: challenge,
        Session: this.session,
        ChallengeResponses: { USERNAME: this.username, ...responses },
      }),
    );
    return this.next(answer);
  }

  private async next(
    answer: Pick<InitiateAuthCommandOutput, "AuthenticationResult" | "ChallengeName" | "ChallengeParameters" | "Session">,
  ): Promise<SignInStep> {
    const result = answer.AuthenticationResult;
    if (result?.IdToken && result.RefreshToken)
      return { kind: "signed-in", tokens: { idToken: result.IdToken, expiresAt: expiresAt(result.ExpiresIn), refreshToken: result.RefreshToken } };
    this.session = answer.Session ?? "";
    this.username = answer.ChallengeParameters?.USER_ID_FOR_SRP ?? answer.ChallengeParameters?.USERNAME ?? this.username;
    switch (answer.ChallengeName) {
      case "NEW_PASSWORD_REQUIRED":
        return { kind: "new-password" };
      case "SOFTWARE_TOKEN_MFA":
        return { kind: "mfa-code" };
      case "MFA_SETUP": {
        const associated = await this.client.send(new AssociateSoftwareTokenCommand({ Session: this.session }));
        if (!associated.SecretCode) throw new Error("Cognito gave no authenticator key");
        this.session = associated.Session ?? this.session;
        const secret = associated.SecretCode;
        return { kind: "mfa-setup", secret, uri: `otpauth://totp/Radial:${encodeURIComponent(this.email)}?secret=${secret}&issuer=Radial` };
      }
      default:
        throw new Error(`Cognito asks for ${answer.ChallengeName ?? "nothing this console knows"}, which this console cannot answer.`);
    }
  }
}

/** A new ID token from the refresh token (REFRESH_TOKEN_AUTH), or null when Cognito no longer takes it. */
export async function refreshIdToken(config: AwsConsoleConfig, refreshToken: string): Promise<Omit<UserTokens, "refreshToken"> | null> {
  const client = new CognitoIdentityProviderClient({ region: config.region });
  try {
    const answer = await client.send(
      new InitiateAuthCommand({ AuthFlow: "REFRESH_TOKEN_AUTH", ClientId: config.userPoolClientId, AuthParameters: { REFRESH_TOKEN: refreshToken } }),
    );
    const idToken = answer.AuthenticationResult?.IdToken;
    return idToken ? { idToken, expiresAt: expiresAt(answer.AuthenticationResult?.ExpiresIn) } : null;
  } catch (error) {
    if ((error as Error).name === "NotAuthorizedException") return null;
    throw error;
  }
}
