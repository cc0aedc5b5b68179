#!/usr/bin/env node
// The `radial` command: runs the TypeScript CLI through tsx's loader, so no build step is needed.
// On a node older than the project's Node.js (build/node-runtime.ts: Lambda's LTS; Node.js 20 is
// past its end of life and the AWS SDK warns on it), it runs itself again on the project's, which
// it installs into the tool cache the first time.
import process from "node:process";
import { register } from "tsx/esm/api";

register();
const { installNodeRuntime, nodeMajor, NODE_MAJOR } = await import("../build/node-runtime.ts");
if (nodeMajor(process.versions.node) < NODE_MAJOR) {
  const { spawn } = await import("node:child_process");
  const node = await installNodeRuntime((line) => process.stderr.write(`radial: ${line} (this node is ${process.version})\n`));
  const child = spawn(node, [...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit" });
  const forwarded = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const signal of forwarded) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => {
    if (code !== null) process.exit(code);
    // Dies of the child's signal, as a shell expects of the command.
    for (const name of forwarded) process.removeAllListeners(name);
    process.kill(process.pid, signal ?? "SIGTERM");
  });
} else {
  await import("../cli/main.ts");
}
