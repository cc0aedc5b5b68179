import { useState } from "preact/hooks";
import type { AwsConsoleConfig } from "../../../contract/console-config.js";
import { ClusterList } from "../../../contract/clusters.js";
import { ApiFailure, clearCache, getJson, setAuthorizer, SignInExpired } from "../api/client.js";
import type { SignInStep } from "../aws/user-pool.js";
import { Page } from "../ui/page.js";
import type { SignInMode, SignInProps } from "./sign-in.js";

/** The AWS sign-in's script (console/src/aws/index.ts), loaded apart from the page. */
export type AwsScript = typeof import("../aws/index.js");

const expired = (message: string) => new SignInExpired(message);

type Asking = Exclude<SignInStep, { kind: "signed-in" }> | { kind: "credentials" };

/** What each step asks for: the fields' labels, ids and autocomplete hints. */
const FIELDS: Record<Asking["kind"], { id: string; label: string; type: "email" | "password" | "text"; autocomplete: string }[]> = {
  credentials: [
    { id: "email", label: "Email", type: "email", autocomplete: "username" },
    { id: "password", label: "Password", type: "password", autocomplete: "current-password" },
  ],
  "new-password": [{ id: "new-password", label: "New password", type: "password", autocomplete: "new-password" }],
  "mfa-setup": [{ id: "mfa-code", label: "Code from the authenticator app", type: "text", autocomplete: "one-time-code" }],
  "mfa-code": [{ id: "mfa-code", label: "Code from the authenticator app", type: "text", autocomplete: "one-time-code" }],
};

const INTRO: Record<Asking["kind"], string> = {
  credentials: "Sign in with your console operator account (the hub's Cognito user pool).",
  "new-password": "Choose a new password: at least 14 characters with upper and lower case letters, digits and symbols.",
  "mfa-setup": "Add this key to an authenticator app (it is shown once), then enter the code the app shows.",
  "mfa-code": "Enter the code your authenticator app shows.",
};

/** Signs the console's calls with the operator's credentials and checks them with one cheap read. */
async function startSession(aws: AwsScript, config: AwsConsoleConfig, step: Extract<SignInStep, { kind: "signed-in" }>): Promise<void> {
  setAuthorizer(aws.awsAuthorizer(config, step.tokens, expired));
  clearCache();
  try {
    await getJson("/v1/clusters?limit=1", ClusterList);
  } catch (error) {
    aws.forgetSession();
    throw error;
  }
}

function AwsSignInView({ aws, config, onSignedIn, expired: refused }: SignInProps & { aws: AwsScript; config: AwsConsoleConfig }) {
  const [signIn] = useState(() => new aws.UserPoolSignIn(config));
  const [asking, setAsking] = useState<Asking>({ kind: "credentials" });
  const [values, setValues] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(refused ? "The sign-in has expired: sign in again." : null);
  const [busy, setBusy] = useState(false);
  const answer = (): Promise<SignInStep> => {
    const value = (id: string) => values[id]?.trim() ?? "";
    if (asking.kind === "credentials") return signIn.start(value("email"), values.password ?? "");
    if (asking.kind === "new-password") return signIn.newPassword(values["new-password"] ?? "");
    return asking.kind === "mfa-setup" ? signIn.verifyMfaSetup(value("mfa-code")) : signIn.mfaCode(value("mfa-code"));
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const step = await answer();
      setValues({});
      setProblem(null);
      if (step.kind !== "signed-in") {
        setAsking(step);
        return;
      }
      await startSession(aws, config, step).catch((error: unknown) => {
        setAsking({ kind: "credentials" });
        throw error;
      });
      onSignedIn();
    } catch (error) {
      setProblem(error instanceof ApiFailure && error.status === 403 ? `The hub's API refused the signed request: ${error.message}` : (error as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title="Sign in to Radial">
      <form class="sign-in" onSubmit={(event) => void submit(event)}>
        <p>{INTRO[asking.kind]}</p>
        {asking.kind === "mfa-setup" && (
          <p>
            Key: <code class="mfa-secret">{asking.secret}</code> (or the app's link: <code>{asking.uri}</code>)
          </p>
        )}
        {FIELDS[asking.kind].map((field) => (
          <div class="field" key={field.id}>
            <label for={field.id}>{field.label}</label>
            <input
              id={field.id}
              // Preact types each input type's attributes apart; these three take the same ones.
              type={field.type as "text"}
              autocomplete={field.autocomplete}
              required
              value={values[field.id] ?? ""}
              aria-invalid={problem !== null}
              aria-describedby="sign-in-error"
              onInput={(event) => setValues({ ...values, [field.id]: event.currentTarget.value })}
            />
          </div>
        ))}
        <p id="sign-in-error" class="field-error" role="alert">
          {problem}
        </p>
        <button type="submit" disabled={busy}>
          {busy ? "Checking…" : asking.kind === "credentials" ? "Sign in" : "Continue"}
        </button>
      </form>
    </Page>
  );
}

/**
 * Sign-in on AWS: a Cognito user of the stack's user pool, whose ID token the identity pool turns
 * into temporary credentials that sign every /v1 call. A reload renews the session from the refresh
 * token kept for the tab; sign-out forgets it.
 */
export function awsSignIn(aws: AwsScript, config: AwsConsoleConfig): SignInMode {
  return {
    resume() {
      const refreshToken = aws.keptRefreshToken();
      if (refreshToken) setAuthorizer(aws.awsAuthorizer(config, { idToken: "", expiresAt: 0, refreshToken }, expired));
      return Promise.resolve(refreshToken !== null);
    },
    SignIn: (props) => <AwsSignInView aws={aws} config={config} {...props} />,
    signOut: aws.forgetSession,
  };
}
