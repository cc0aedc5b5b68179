import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { newToken } from "../inventory/token.js";

/**
 * The embedded hub's admin token: RADIAL_ADMIN_TOKEN when set, else the one kept in
 * `<dataDir>/admin-token` (mode 0600), generated on first start. `created` tells the caller to
 * show it, once.
 */
export async function loadAdminToken(dataDir: string, fromEnv: string | undefined): Promise<{ token: string; path: string | null; created: boolean }> {
  if (fromEnv !== undefined) {
    if (fromEnv.length < 16) throw new Error("RADIAL_ADMIN_TOKEN must be at least 16 characters");
    return { token: fromEnv, path: null, created: false };
  }
  const path = join(dataDir, "admin-token");
  if (existsSync(path)) return { token: (await readFile(path, "utf8")).trim(), path, created: false };
  const token = newToken("rdl_admin");
  await writeFile(path, `${token}\n`, { mode: 0o600, flag: "wx" });
  return { token, path, created: true };
}
