// The agent as its own process, as the container runs it: the esbuild bundle under plain node
// (or `bin/radial.js agent` when the bundle cannot be built), and its resident memory from /proc.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AGENT_ENV, AGENT_NODE_FLAGS, bundleAgent } from "../../agent/bundle.js";
import { installNodeRuntime } from "../../build/node-runtime.js";
import { AGENT_VARIABLES } from "../../contract/agent-config.js";
import { freePort } from "../../test/engines/process.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** How the agent is started: the program and arguments before `agent`, its environment, and what to call it in the output. */
export interface AgentCommand {
  argv: string[];
  env: Record<string, string>;
  description: string;
}

/** The bundle the image runs, built into `dir`; `bin/radial.js` (tsx at run time) if esbuild fails. */
export async function agentCommand(dir: string): Promise<AgentCommand> {
  const bundle = join(dir, "radial-agent.mjs");
  // The image's Node.js (the project's), whatever node runs the bench: the pid is then the agent's own.
  const node = await installNodeRuntime();
  try {
    await bundleAgent(bundle);
    return {
      argv: [node, ...AGENT_NODE_FLAGS, bundle],
      env: AGENT_ENV,
      description: "esbuild bundle (agent/bundle.ts) under plain node with the image's node flags, as the container runs it",
    };
  } catch (error) {
    process.stderr.write(`bench: cannot bundle the agent (${(error as Error).message}); running bin/radial.js instead\n`);
    return {
      argv: [node, join(ROOT, "bin/radial.js")],
      env: {},
      description: "node bin/radial.js agent (tsx at run time; the bundle could not be built)",
    };
  }
}

export interface AgentSettings {
  kubeconfig: string;
  cluster: string;
  hubUrl: string;
  repoUrl: string;
  token: string;
  dataDir: string;
  pollSeconds: number;
}

export interface AgentProcess {
  pid: number;
  /** `http://127.0.0.1:<port>`: /metrics, /healthz, /readyz. */
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startAgentProcess(command: AgentCommand, settings: AgentSettings): Promise<AgentProcess> {
  const port = await freePort();
  const args = [
    ...command.argv.slice(1),
    "agent",
    "--kubeconfig",
    settings.kubeconfig,
    "--cluster",
    settings.cluster,
    "--hub",
    settings.hubUrl,
    "--repo",
    settings.repoUrl,
    "--poll-interval",
    String(settings.pollSeconds),
    "--data-dir",
    settings.dataDir,
    "--metrics-port",
    String(port),
  ];
  // A clean environment, as in a pod: nothing from the developer's shell changes what runs. The
  // token goes in RADIAL_AGENT_TOKEN, the variable the agent reads (RADIAL_TOKEN is the CLI's admin token).
  const child: ChildProcess = spawn(command.argv[0]!, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: settings.dataDir, [AGENT_VARIABLES.token]: settings.token, ...command.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    // The tail is enough to explain a failure; the whole log of a long run is not needed.
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    pid: child.pid!,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Resident set size of a process in bytes (VmRSS), as `ps` and the kubelet's working set start from. */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}
