/** The kustomize the project pins, for the embedded hub (see ../go-install.ts). */
import { installPinnedTool, type InstallOptions } from "../go-install.js";

/** v5.8.3 and later need Go 1.27; this is the newest that builds with Go 1.26. */
export const KUSTOMIZE_VERSION = "v5.8.2";
export const KUSTOMIZE_PACKAGE = "sigs.k8s.io/kustomize/kustomize/v5";

/** The path of the pinned kustomize binary, building it into the tool cache on first use. */
export function installKustomize(options: InstallOptions = {}): Promise<string> {
  return installPinnedTool(
    { name: "kustomize", version: KUSTOMIZE_VERSION, pkg: KUSTOMIZE_PACKAGE, instead: "set RADIAL_KUSTOMIZE to a kustomize v5 binary" },
    options,
  );
}
