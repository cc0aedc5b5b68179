// One Lambda function on this machine as Lambda runs it: its bundle loaded by AWS's Node.js
// runtime interface client under AWS's Runtime Interface Emulator, invoked over the emulator's
// HTTP endpoint, on the project's Node.js.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installNodeRuntime, NODE_MAJOR } from "../../build/node-runtime.js";
import { installLambdaRic, installLambdaRie } from "../engines/lambda-rie.js";
import { freePort, startDaemon, waitFor } from "../engines/process.js";

export interface LambdaFunction {
  /** Invokes the function with `event`; resolves with what its handler returned and the wall time. */
  invoke(event: unknown): Promise<{ result: unknown; ms: number }>;
  /** The init durations the emulator reported (INIT REPORT), in ms, one per init so far. */
  inits(): number[];
  output(): string;
  stop(): Promise<void>;
}

/**
 * What Lambda sets in every function's environment that the hub's code, the SDK or Powertools reads
 * (Tracer traces only where AWS_EXECUTION_ENV says Lambda; the emulator does not set it). The
 * emulator passes no trace header to the runtime (its tracer is a no-op), so an invocation here
 * has no X-Ray trace context, as one on Lambda without active tracing.
 */
const LAMBDA_ENV = {
  AWS_REGION: "us-east-1",
  AWS_DEFAULT_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${NODE_MAJOR}.x`,
  TZ: ":UTC",
};

/** Starts the emulator for the bundle in `dir` (its `index.mjs` exporting `handler`); the runtime starts at the first invoke. */
export async function startFunction(dir: string, env: Record<string, string>, name = "function"): Promise<LambdaFunction> {
  const [rie, ric, node] = await Promise.all([installLambdaRie(), installLambdaRic(), installNodeRuntime()]);
  const [port, apiPort] = await Promise.all([freePort(), freePort()]);
  // Each instance's own /tmp, as Lambda gives it: nothing a function keeps there (git objects, charts) reaches another instance or run.
  const instanceTmp = await mkdtemp(join(tmpdir(), `radial-lambda-${name}-`));
  const args = ["--runtime-interface-emulator-address", `127.0.0.1:${port}`, "--runtime-api-address", `127.0.0.1:${apiPort}`, node, ric, "index.handler"];
  const daemon = startDaemon(rie, args, {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: instanceTmp, LAMBDA_TASK_ROOT: dir, AWS_LAMBDA_FUNCTION_NAME: name, ...LAMBDA_ENV, ...env },
    label: `lambda ${name}`,
  });
  const inits: number[] = [];
  const log: string[] = [];
  const read = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) {
      log.push(line);
      const init = /INIT REPORT\(durationMs: ([\d.]+)\)/.exec(line);
      // The emulator reports a second, empty init for the invoke phase; the real one is the first.
      if (init && inits.length === 0) inits.push(Number(init[1]));
    }
  };
  // The emulator logs on stderr, the function on stdout.
  daemon.child.stdout?.on("data", read);
  daemon.child.stderr?.on("data", read);
  const url = `http://127.0.0.1:${port}/2015-03-31/functions/function/invocations`;
  await waitFor(`the emulator of ${name}`, async () => (await fetch(`http://127.0.0.1:${port}/`, { method: "GET" })).status > 0, { daemon });
  return {
    async invoke(event) {
      const started = performance.now();
      const response = await fetch(url, { method: "POST", body: JSON.stringify(event) }).catch((error: unknown) => {
        throw new Error(`${name}: the emulator dropped the invocation (${(error as Error).message})\n${log.slice(-40).join("\n")}`, { cause: error });
      });
      const text = await response.text();
      const ms = performance.now() - started;
      const result: unknown = text ? JSON.parse(text) : undefined;
      if (typeof result === "object" && result !== null && "errorType" in result) {
        throw new Error(`${name} failed: ${text}\n${log.slice(-40).join("\n")}`);
      }
      return { result, ms };
    },
    inits: () => [...inits],
    output: () => log.join("\n"),
    async stop() {
      await daemon.stop();
      await rm(instanceTmp, { recursive: true, force: true });
    },
  };
}
