import { Logger } from "@aws-lambda-powertools/logger";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHub, type RunningHub } from "../../../lambdas/local/hub.js";
import { freePort } from "../../engines/process.js";
import { TEST_HUB_URL } from "../../hub/harness.js";

export const ADMIN_TOKEN = "test-admin-token-0123456789";

/**
 * The real embedded hub on a fixed port and data folder, so it can be stopped and started again
 * and an agent sees "the hub is down, then back" at the same URL.
 */
export interface RestartableHub {
  url: string;
  start(): Promise<void>;
  /** Stops the hub, keeping its data. */
  stop(): Promise<void>;
  /** Calls the API with the admin token; fails the test on a non-2xx answer. */
  api(method: string, path: string, body?: unknown): Promise<unknown>;
  /** Stops it for good and removes its data. */
  close(): Promise<void>;
}

export async function restartableHub(env: NodeJS.ProcessEnv): Promise<RestartableHub> {
  const dataDir = await mkdtemp(join(tmpdir(), "radial-agent-hub-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let hub: RunningHub | undefined;
  const self: RestartableHub = {
    url,
    async start() {
      hub = await startHub({
        port,
        host: "127.0.0.1",
        dataDir,
        logger: new Logger({ serviceName: "radial-hub-test", logLevel: "SILENT" }),
        // No background runs: tests start each run themselves (RADIAL_SOURCE_POLL_INTERVAL in env turns the poll on).
        // RADIAL_HUB_URL: the public URL bootstrap manifests give agents (a loopback one is refused); agents here reach `url`.
        env: { RADIAL_ADMIN_TOKEN: ADMIN_TOKEN, RADIAL_HUB_URL: TEST_HUB_URL, RADIAL_GENERATE_INTERVAL: "0", RADIAL_SOURCE_POLL_INTERVAL: "0", ...env },
      });
    },
    async stop() {
      await hub?.stop();
      hub = undefined;
    },
    async api(method, path, body) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
      return text ? (JSON.parse(text) as unknown) : undefined;
    },
    async close() {
      await self.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  await self.start();
  return self;
}
