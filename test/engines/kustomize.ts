import { installKustomize as install } from "../../lambdas/adapters/kustomize/install.js";

/** Path of the kustomize binary the embedded hub uses, built from its Go module into the tool cache on first use. */
export function installKustomize(): Promise<string> {
  return install({ onProgress: (line) => console.error(`kustomize: ${line}`) });
}
