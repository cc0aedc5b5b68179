// An embedded hub serving a freshly built console, for the console's tests: the build goes to a
// temporary folder, so a stale console/dist never stands in for the code under test.
import { Logger } from "@aws-lambda-powertools/logger";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildConsole, type ConsoleBuild } from "../../console/build.js";
import { startHub } from "../../lambdas/local/hub.js";

export const ADMIN_TOKEN = "console-test-admin-token-0123456789";

export interface ConsoleHub {
  url: string;
  build: ConsoleBuild;
  /** Calls the API with the admin token and returns the parsed JSON body (throws on a non-2xx answer). */
  api(method: string, path: string, body?: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startConsoleHub(env: NodeJS.ProcessEnv = {}): Promise<ConsoleHub> {
  const dir = await mkdtemp(join(tmpdir(), "radial-console-hub-"));
  const build = await buildConsole(join(dir, "console"));
  const hub = await startHub({
    port: 0,
    host: "127.0.0.1",
    dataDir: join(dir, "data"),
    logger: new Logger({ serviceName: "radial-console-test", logLevel: "SILENT" }),
    // Bootstrap manifests name a URL agents in a cluster could reach; the tests' agents are given `url` themselves.
    env: { RADIAL_ADMIN_TOKEN: ADMIN_TOKEN, RADIAL_HUB_URL: "https://hub.radial.test", ...env },
    consoleDir: build.dir,
  });
  return {
    url: hub.url,
    build,
    async api(method, path, body) {
      const response = await fetch(`${hub.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return text ? (JSON.parse(text) as unknown) : undefined;
    },
    async stop() {
      await hub.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
