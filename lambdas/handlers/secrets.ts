import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import * as z from "zod";
import { HelmRepositories } from "../adapters/helm/repositories.js";

/**
 * The hub's secrets, read from Secrets Manager at a function's init with Powertools Parameters
 * (cached for five minutes within an instance; a rotated value reaches the next instances). A secret
 * that is missing, unreadable or not of its shape stops the init with a message naming it; nothing
 * secret is in the environment.
 */
const MAX_AGE_SECONDS = 300;

const Credential = z.strictObject({ username: z.string().min(1), password: z.string().min(1) });

/** The hub's git credential: the fleet repo's, and by URL prefix other source repositories'. */
export const GitSecret = Credential.extend({ credentials: z.record(z.string(), Credential).optional() });
export type GitSecret = z.infer<typeof GitSecret>;
/** The read-only credential bootstrap manifests give agents. */
export const AgentGitSecret = Credential;
/** Chart repository credentials by URL prefix, as RADIAL_HELM_REPOSITORIES takes them. */
export const HelmSecret = HelmRepositories;
/** The webhook's shared secret: the whole secret string. */
export const WebhookSecret = z.string().min(16, { error: "at least 16 characters" });

export async function readSecret<T extends z.ZodType>(what: string, secretId: string, schema: T): Promise<z.infer<T>> {
  let value: unknown;
  try {
    value = await getSecret(secretId, { maxAge: MAX_AGE_SECONDS });
  } catch (error) {
    throw new Error(`cannot read the ${what} secret ${secretId} from Secrets Manager: ${(error as Error).message}`, { cause: error });
  }
  if (typeof value !== "string") throw new Error(`the ${what} secret ${secretId} holds no SecretString`);
  let json: unknown = value;
  if (!(schema instanceof z.ZodString)) {
    try {
      json = JSON.parse(value);
    } catch {
      throw new Error(`the ${what} secret ${secretId} is not JSON`);
    }
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`the ${what} secret ${secretId} is not usable: ${issue.path.join(".") || "(the value)"}: ${issue.message}`);
  }
  return parsed.data;
}
