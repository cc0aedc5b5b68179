import { installHelm as install } from "../../lambdas/adapters/helm/install.js";

/** Path of the helm binary the embedded hub uses, built from its Go module into the tool cache on first use. */
export function installHelm(): Promise<string> {
  return install({ onProgress: (line) => console.error(`helm: ${line}`) });
}
