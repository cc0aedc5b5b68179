import type { ComponentType } from "preact";
import { useState } from "preact/hooks";
import { ClusterList } from "../../../contract/clusters.js";
import { ApiFailure, clearCache, getJson } from "../api/client.js";
import { forgetToken, storeToken } from "../api/session.js";
import { Page } from "../ui/page.js";

/**
 * Asks for the admin token once per tab. It is checked with one cheap read, kept in sessionStorage
 * and sent only as a header; the form posts nowhere, so it never reaches a URL or a server log.
 */
export interface SignInProps {
  onSignedIn: () => void;
  /** The hub refused the last sign-in, or it could no longer be renewed. */
  expired: boolean;
}

/** How this console signs in: the hub's admin token on the embedded hub, a Cognito user on AWS (aws-sign-in.tsx). */
export interface SignInMode {
  /** Whether this tab is signed in already: a kept token, or on AWS a session it could renew. */
  resume(): Promise<boolean>;
  SignIn: ComponentType<SignInProps>;
  signOut(): void;
}

export function SignInView({ onSignedIn, expired }: SignInProps) {
  const [token, setToken] = useState("");
  const [problem, setProblem] = useState<string | null>(expired ? "The hub refused the token: sign in again." : null);
  const [checking, setChecking] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setChecking(true);
    storeToken(token.trim());
    clearCache();
    try {
      await getJson("/v1/clusters?limit=1", ClusterList);
      onSignedIn();
    } catch (error) {
      forgetToken();
      setProblem(error instanceof ApiFailure && error.status === 401 ? "The hub does not accept this token." : (error as Error).message);
    } finally {
      setChecking(false);
    }
  };
  return (
    <Page title="Sign in to Radial">
      <form class="sign-in" onSubmit={(event) => void submit(event)}>
        <p>
          Enter the hub's admin token (<code>radial hub up</code> prints where it is kept). It stays in this tab only and is sent to the hub alone.
        </p>
        <div class="field">
          <label for="admin-token">Admin token</label>
          <input
            id="admin-token"
            type="password"
            autocomplete="off"
            required
            value={token}
            aria-invalid={problem !== null}
            aria-describedby="sign-in-error"
            onInput={(event) => setToken(event.currentTarget.value)}
          />
          <p id="sign-in-error" class="field-error" role="alert">
            {problem}
          </p>
        </div>
        <button type="submit" disabled={checking || token.trim() === ""}>
          {checking ? "Checking…" : "Sign in"}
        </button>
      </form>
    </Page>
  );
}
