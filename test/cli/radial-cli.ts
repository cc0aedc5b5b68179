import { spawn } from "node:child_process";
import { join } from "node:path";
import type { TestHub } from "../hub/harness.js";

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

const BIN = join(import.meta.dirname, "../../bin/radial.js");

/**
 * Runs the real CLI, `node bin/radial.js`, asynchronously: a hub in the test's own process must
 * keep answering meanwhile. The caller's RADIAL_HUB and RADIAL_TOKEN are not passed on, so a test
 * reaches only the hub it names in `env`; `input` is the command's stdin.
 */
export function radial(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      env: { ...process.env, RADIAL_HUB: undefined, RADIAL_TOKEN: undefined, ...options.env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** The environment that points the CLI at a test hub, as its admin. */
export function adminOf(hub: TestHub): NodeJS.ProcessEnv {
  return { RADIAL_HUB: hub.url, RADIAL_TOKEN: hub.adminToken };
}
