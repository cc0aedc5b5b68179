import { toolsLayerDir } from "../../infra/tools-layer.js";

/** The Lambda worker's tools layer (kustomize and helm for linux/arm64), cross-built into the tool cache on first use. */
export function installToolsLayer(): Promise<string> {
  return toolsLayerDir((line) => console.error(`tools layer: ${line}`));
}
