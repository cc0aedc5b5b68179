// The hub under test, as `radial hub up` runs it, in its own process: its CPU is not the
// simulated agents', and its resident memory is its own.
import { spawn, type ChildProcess } from "node:child_process";
import { installNodeRuntime } from "../../build/node-runtime.js";
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface HubProcess {
  url: string;
  token: string;
  pid: number;
  /** Resident memory now, in bytes (VmRSS). */
  rss(): Promise<number>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `profileDir`: the hub writes a V8 CPU profile there when it stops (node --cpu-prof). */
export async function startHubProcess(env: NodeJS.ProcessEnv, profileDir?: string): Promise<HubProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), "radial-bench-console-"));
  const port = await freePort();
  const token = "bench-console-admin-token-0123456789";
  // The project's Node.js itself, not bin/radial.js's re-run on it from an older node: the pid is the hub's (its RSS, its profile).
  const child: ChildProcess = spawn(
    await installNodeRuntime(),
    [...(profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : []), "bin/radial.js", "hub", "up", "--port", String(port), "--data-dir", dataDir],
    {
      env: { ...process.env, RADIAL_ADMIN_TOKEN: token, RADIAL_HUB_URL: "https://hub.radial.bench", RADIAL_GENERATE_INTERVAL: "0", ...env },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`the hub exited (${code}) before it answered`))));
  const up = (async () => {
    for (;;) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  await Promise.race([up, exited]);
  exited.catch(() => undefined);
  return {
    url,
    token,
    pid: child.pid!,
    async rss() {
      const status = await readFile(`/proc/${child.pid}/status`, "utf8");
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    },
    async stop() {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await gone;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
