// CNCF Distribution's `registry`, a real OCI registry, built from its Go module into the tool cache
// and started on loopback with basic auth (an htpasswd file of bcrypt hashes, the only kind it reads).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { cached } from "./cache.js";
import { goInstall } from "./go.js";
import { freePort, startDaemon, waitFor } from "./process.js";

export const REGISTRY_VERSION = "v3.1.2";

/** Path of the `registry` binary, built on first use. */
export async function installRegistry(): Promise<string> {
  const dir = await cached(`registry-${REGISTRY_VERSION}`, (scratch) =>
    goInstall("github.com/distribution/distribution/v3/cmd/registry", REGISTRY_VERSION, join(scratch, "bin")),
  );
  return join(dir, "bin", "registry");
}

export interface Registry {
  /** `localhost:<port>`, as helm names an OCI registry after `oci://`. */
  host: string;
  username: string;
  password: string;
  stop(): Promise<void>;
}

/** A registry with one user, storing in a temp folder removed on stop. */
export async function startRegistry(): Promise<Registry> {
  const binary = await installRegistry();
  const dir = await mkdtemp(join(tmpdir(), "radial-registry-"));
  const [port, debugPort] = [await freePort(), await freePort()];
  const username = "charts";
  const password = "s3cret-registry-password";
  await writeFile(join(dir, "htpasswd"), `${username}:${bcrypt.hashSync(password, 5)}\n`);
  await writeFile(
    join(dir, "config.yml"),
    [
      "version: 0.1",
      "log: { level: warn }",
      `storage: { filesystem: { rootdirectory: ${join(dir, "data")} } }`,
      `http: { addr: "127.0.0.1:${port}", debug: { addr: "127.0.0.1:${debugPort}" } }`,
      `auth: { htpasswd: { realm: radial-test, path: ${join(dir, "htpasswd")} } }`,
      "",
    ].join("\n"),
  );
  const daemon = startDaemon(binary, ["serve", join(dir, "config.yml")], { label: "registry", env: { ...process.env, OTEL_TRACES_EXPORTER: "none" } });
  const host = `localhost:${port}`;
  try {
    // Without credentials the API root answers 401: the registry is up and enforcing auth.
    await waitFor("registry /v2/", async () => (await fetch(`http://${host}/v2/`)).status === 401, { daemon });
  } catch (error) {
    await daemon.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    host,
    username,
    password,
    async stop() {
      await daemon.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
