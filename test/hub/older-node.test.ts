// `radial` started by a node older than the project's (Node.js 20, past its end of life, on this
// machine's PATH) runs itself again on the project's Node.js: the hub that answers is on Node.js 24,
// the AWS SDK's end-of-support warning never shows, and the command's exit status is the hub's.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { test } from "node:test";
import { nodeMajor, NODE_MAJOR } from "../../build/node-runtime.js";
import { scratchDir } from "../scratch.js";

const TOKEN = "older-node-admin-token-0123456789";

/** A `node` on PATH of an older major than the project's, if the machine has one. */
function olderNode(): string | undefined {
  const found = execFileSync("sh", ["-c", "which -a node || true"], { encoding: "utf8" }).split("\n").filter(Boolean);
  return found.find((node) => nodeMajor(execFileSync(node, ["--version"], { encoding: "utf8" }).trim()) < NODE_MAJOR);
}

const older = olderNode();

test(
  "npm start on an older node: the hub runs on the project's Node.js, without the SDK's warning, and exits 0 on SIGTERM",
  { skip: older ? false : `no node older than ${NODE_MAJOR} on PATH` },
  async (t) => {
    const dataDir = await scratchDir(t);
    const child = spawn(older!, ["bin/radial.js", "hub", "up", "--port", "0", "--data-dir", dataDir], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, RADIAL_ADMIN_TOKEN: TOKEN, RADIAL_GENERATE_INTERVAL: "0", RADIAL_SOURCE_POLL_INTERVAL: "0" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let stderr = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        const listening = /Radial hub listening on (http:\/\/\S+)/.exec(stderr);
        if (listening) resolve(listening[1]!);
      });
      void exited.then((code) => reject(new Error(`the hub exited (${code}) before it listened:\n${stderr}`)));
    });
    const metrics = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    const version = /radial_hub_nodejs_version_info\{version="v(\d+)\./.exec(metrics)?.[1];
    assert.equal(Number(version), NODE_MAJOR, "the hub that answers runs on the project's Node.js");
    child.kill("SIGTERM");
    assert.equal(await exited, 0, stderr);
    assert.doesNotMatch(stderr, /NodeVersionSupportWarning|upgrade to node/);
  },
);
