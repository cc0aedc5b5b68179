// The real Lambda runtime on this machine: AWS's Runtime Interface Emulator (a Go module) serving
// the Runtime API, and AWS's Node.js runtime interface client (aws-lambda-ric from npm) running a
// function's bundle against it, on the project's Node.js (build/node-runtime.ts).
import { join } from "node:path";
import { installNodeRuntime, NODE_VERSION } from "../../build/node-runtime.js";
import { cached } from "./cache.js";
import { goInstall } from "./go.js";
import { run } from "./process.js";

/** The emulator's module as the Go module proxy serves it (it publishes no tagged release there). */
const RIE_MODULE = "github.com/aws/aws-lambda-runtime-interface-emulator";
const RIE_VERSION = "v0.0.0-20261030222936-bef5c4ba774d";
/** The runtime interface client; it builds curl and aws-lambda-cpp from the sources it ships, then its addon with node-gyp. */
const RIC_VERSION = "4.0.2";

/** Path of the `aws-lambda-rie` binary, built on first use. */
export async function installLambdaRie(): Promise<string> {
  const dir = await cached(`aws-lambda-rie-${RIE_VERSION}`, (scratch) => goInstall(`${RIE_MODULE}/cmd/aws-lambda-rie`, RIE_VERSION, scratch));
  return join(dir, "aws-lambda-rie");
}

/**
 * Path of aws-lambda-ric's entry (`index.mjs`), installed with npm into the tool cache on first
 * use. Its native addon is compiled against the project's Node.js, whose headers that install
 * ships (npm_config_nodedir), so node-gyp downloads nothing; it needs cmake, make and a C++ compiler.
 */
export async function installLambdaRic(): Promise<string> {
  const node = await installNodeRuntime();
  const nodeDir = join(node, "..", "..");
  const dir = await cached(`aws-lambda-ric-${RIC_VERSION}-node-${NODE_VERSION}`, async (scratch) => {
    const env = { ...process.env, PATH: `${join(nodeDir, "bin")}:${process.env.PATH ?? ""}`, npm_config_nodedir: nodeDir };
    const args = ["install", "--prefix", scratch, "--no-audit", "--no-fund", "--no-save", `aws-lambda-ric@${RIC_VERSION}`];
    await run("npm", args, { env, label: "npm install aws-lambda-ric" });
  });
  return join(dir, "node_modules", "aws-lambda-ric", "index.mjs");
}
