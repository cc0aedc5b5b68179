import { kustomizeLayerDir } from "../../infra/kustomize-layer.js";

/** The worker's kustomize layer (linux/arm64), cross-built into the tool cache on first use. */
export function installKustomizeLayer(): Promise<string> {
  return kustomizeLayerDir((line) => console.error(`kustomize layer: ${line}`));
}
