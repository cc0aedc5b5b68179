// Helpers of the end-to-end agent tests: `radial agent` as its own process, as an operator runs it,
// and deploy-branch edits made the way the hub writes branches.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { GitRepository } from "../../../lambdas/adapters/git/repository.js";
import type { Cluster } from "../../engines/kubernetes.js";
import { freePort } from "../../engines/process.js";

const author = { name: "Fleet Owner", email: "owner@radial.invalid" };

export interface AgentProcess {
  child: ChildProcess;
  output: () => string;
  /** `http://127.0.0.1:<port>`: /metrics, /healthz, /readyz. */
  metrics: string;
}

/** Starts `node bin/radial.js agent` polling every 5 s, with a clean environment as in a pod. */
export async function spawnAgent(options: {
  kube: Cluster;
  cluster: string;
  hubUrl: string;
  /** Without it the agent fetches from the fleet repo the hub names. */
  repoUrl?: string;
  tokenFile: string;
  scratch: string;
}): Promise<AgentProcess> {
  const metricsPort = await freePort();
  const child = spawn(
    process.execPath,
    [
      "bin/radial.js",
      "agent",
      "--kubeconfig",
      options.kube.kubeconfig,
      "--cluster",
      options.cluster,
      "--hub",
      options.hubUrl,
      ...(options.repoUrl ? ["--repo", options.repoUrl] : []),
      "--token-file",
      options.tokenFile,
      "--poll-interval",
      "5s",
      "--heartbeat-interval",
      "5",
      "--data-dir",
      join(options.scratch, "agent-data"),
      "--metrics-port",
      String(metricsPort),
    ],
    { cwd: join(import.meta.dirname, "../../.."), env: { PATH: process.env.PATH, HOME: options.scratch }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output, metrics: `http://127.0.0.1:${metricsPort}` };
}

/** Writes a deploy branch as the hub would, from its current files changed by `change`; returns the new commit. */
export async function rewriteBranch(fleet: GitRepository, branch: string, change: (files: Record<string, string>) => void): Promise<string> {
  const head = await fleet.fetch(branch);
  const files: Record<string, string> = {};
  for (const path of await fleet.listFiles(fleet.url, head)) files[path] = new TextDecoder().decode(await fleet.readFile(fleet.url, head, path));
  change(files);
  const [result] = await fleet.writeBranches([{ branch, files, message: "written by the test" }], { author, now: new Date() });
  return result!.commit!;
}
