import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { createServer } from "node:net";

/** A free TCP port on loopback, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") throw new Error("no port from listen(0)");
      server.close(() => resolve(address.port));
    });
  });
}

/** Runs a command to completion, streaming its output with a prefix; rejects on a non-zero exit. */
export async function run(cmd: string, args: string[], options: SpawnOptions & { label?: string } = {}): Promise<void> {
  const label = options.label ?? cmd;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
    const tail: string[] = [];
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (!line) continue;
        tail.push(line);
        if (tail.length > 40) tail.shift();
        if (process.env.RADIAL_ENGINE_VERBOSE) process.stderr.write(`[${label}] ${line}\n`);
      }
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${label}: ${cmd} ${args.join(" ")} exited with ${code ?? signal}\n${tail.join("\n")}`));
    });
  });
}

export interface Daemon {
  readonly child: ChildProcess;
  /** The last lines it printed, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Every daemon still running; killed when the test process exits, so none outlives it. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Starts a long-running process and keeps the tail of its output. `stop` sends SIGTERM, then
 * SIGKILL after a grace period; the process is also killed if the test process exits.
 */
export function startDaemon(cmd: string, args: string[], options: SpawnOptions & { label?: string } = {}): Daemon {
  const label = options.label ?? cmd;
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  const tail: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) {
      if (!line) continue;
      tail.push(line);
      if (tail.length > 60) tail.shift();
      if (process.env.RADIAL_ENGINE_VERBOSE) process.stderr.write(`[${label}] ${line}\n`);
    }
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  running.add(child);
  let exited = false;
  child.once("exit", () => {
    exited = true;
    running.delete(child);
  });
  return {
    child,
    output: () => tail.join("\n"),
    async stop() {
      if (exited) return;
      const done = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await done;
      clearTimeout(timer);
    },
  };
}

/**
 * Polls `probe` until it resolves truthy, failing with the daemon's output if the daemon exits
 * first or the deadline passes, so a failed start explains itself.
 */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number; daemon?: Daemon } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (options.daemon && options.daemon.child.exitCode !== null) {
      throw new Error(`${what}: process exited with ${options.daemon.child.exitCode}\n${options.daemon.output()}`);
    }
    try {
      if (await probe()) return;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not ready after ${options.timeoutMs ?? 60_000} ms\n${options.daemon?.output() ?? ""}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
  }
}
