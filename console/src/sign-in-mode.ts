import { CONSOLE_CONFIG_PATH, ConsoleConfig } from "../../contract/console-config.js";
import { forgetToken, storedToken } from "./api/session.js";
import { awsSignIn, type AwsScript } from "./views/aws-sign-in.js";
import { SignInView, type SignInMode } from "./views/sign-in.js";

/** Where console/build.ts put the AWS sign-in's script, which it builds apart from the page. */
declare const AWS_SIGN_IN_SCRIPT: string;

const tokenMode: SignInMode = { resume: () => Promise.resolve(storedToken() !== null), SignIn: SignInView, signOut: forgetToken };

export type { SignInMode };

/**
 * Reads the console's configuration beside its files (the embedded hub answers `{"auth":"token"}`,
 * the stack on AWS writes its pools and API host). The AWS sign-in is a script of its own, fetched
 * only here, so the embedded hub's page never loads the AWS SDK.
 */
export async function signInMode(): Promise<SignInMode> {
  const response = await fetch(CONSOLE_CONFIG_PATH, { cache: "no-cache" });
  if (!response.ok) throw new Error(`The console's configuration (${CONSOLE_CONFIG_PATH}) could not be read: ${response.status} ${response.statusText}`);
  const parsed = ConsoleConfig.safeParse(await response.json().catch(() => null));
  if (!parsed.success) throw new Error(`The console's configuration (${CONSOLE_CONFIG_PATH}) is not what this console expects: ${parsed.error.message}`);
  if (parsed.data.auth === "token") return tokenMode;
  return awsSignIn((await import(AWS_SIGN_IN_SCRIPT)) as AwsScript, parsed.data);
}
