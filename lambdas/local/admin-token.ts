import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { newToken } from "../inventory/token.js";
import { HubSetupError } from "./setup-error.js";

const MIN_LENGTH = 16;

/**
 * One rule for the admin token wherever it comes from: at least 16 characters (guessable below
 * that) and no whitespace or control characters (a bearer token cannot carry them, so nobody
 * could ever send it).
 */
function adminTokenProblem(token: string): string | undefined {
  if (token.length < MIN_LENGTH) return `is ${token.length === 0 ? "empty" : `${token.length} characters long`}; it must be at least ${MIN_LENGTH}`;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\s\x00-\x1f\x7f]/.test(token)) return "contains whitespace or control characters, which a bearer token cannot carry";
  return undefined;
}

function unreadable(path: string, error: unknown): never {
  throw new HubSetupError(
    `cannot read the admin token in ${path} (${(error as Error).message}): make it a readable file, or delete it to have a new one generated`,
  );
}

/**
 * The embedded hub's admin token: RADIAL_ADMIN_TOKEN when set, else the one kept in
 * `<dataDir>/admin-token` (mode 0600), generated on first start. `created` tells the caller to
 * show it, once.
 */
export async function loadAdminToken(dataDir: string, fromEnv: string | undefined): Promise<{ token: string; path: string | null; created: boolean }> {
  if (fromEnv !== undefined) {
    const problem = adminTokenProblem(fromEnv);
    if (problem)
      throw new HubSetupError(`RADIAL_ADMIN_TOKEN ${problem}: set a longer one, or unset it to use the token kept in ${join(dataDir, "admin-token")}`);
    return { token: fromEnv, path: null, created: false };
  }
  const path = join(dataDir, "admin-token");
  if (existsSync(path)) {
    // The file ends with a newline as written here, or as an editor saves it.
    const token = (await readFile(path, "utf8").catch((error: unknown) => unreadable(path, error))).trim();
    const problem = adminTokenProblem(token);
    if (problem) throw new HubSetupError(`the admin token in ${path} ${problem}: write a longer one there, or delete the file to have a new one generated`);
    return { token, path, created: false };
  }
  const token = newToken("rdl_admin");
  await writeFile(path, `${token}\n`, { mode: 0o600, flag: "wx" });
  return { token, path, created: true };
}
