import { installNodeRuntime as install } from "../../build/node-runtime.js";

/** Path of the Node.js the suite, the Lambda bundles and the agent image run on (build/node-runtime.ts), installed into the tool cache when the machine's node is another major. */
export function installNodeRuntime(): Promise<string> {
  return install((line) => console.error(`node: ${line}`));
}
