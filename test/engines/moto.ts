import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cached, fingerprint } from "./cache.js";
import { freePort, run, startDaemon, waitFor } from "./process.js";

const REQUIREMENTS = join(dirname(fileURLToPath(import.meta.url)), "moto", "requirements.txt");

/** The pinned moto version, read from requirements.txt so that file stays the one place to change it. */
function motoVersion(requirements: string): string {
  const version = /^moto==(\S+)$/m.exec(requirements)?.[1];
  if (!version) throw new Error(`${REQUIREMENTS} pins no moto version`);
  return version;
}

/**
 * Returns the path of a virtualenv holding moto's server, creating it on first use. The key
 * includes a hash of requirements.txt, so changing any pin builds a fresh venv.
 */
export async function installMoto(): Promise<string> {
  const requirements = await readFile(REQUIREMENTS, "utf8");
  const key = `moto-${motoVersion(requirements)}-${fingerprint(requirements)}`;
  return cached(key, async (venv) => {
    await run("python3", ["-m", "venv", venv], { label: "venv" });
    const pip = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input", "-r", REQUIREMENTS];
    await run(join(venv, "bin", "python"), pip, { label: "pip" });
  });
}

export interface MotoServer {
  /** Base URL for an AWS SDK client's `endpoint`; any region and dummy credentials work. */
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts moto's server on a free loopback port and resolves once it answers HTTP. */
export async function startMoto(): Promise<MotoServer> {
  const venv = await installMoto();
  const port = await freePort();
  // `python -m` rather than the venv's `moto_server` script: the venv was built in a scratch
  // folder and renamed, so the scripts' shebangs point at a path that no longer exists.
  const daemon = startDaemon(join(venv, "bin", "python"), ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], {
    label: "moto",
    // Cognito's user pools then check TOTP codes as Cognito does, instead of taking any code.
    env: { ...process.env, MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP: "true" },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor("moto server", async () => (await fetch(`${endpoint}/moto-api/`)).ok, { daemon }).catch(async (error: unknown) => {
    await daemon.stop();
    throw error;
  });
  return { endpoint, pid: daemon.child.pid!, stop: () => daemon.stop() };
}
