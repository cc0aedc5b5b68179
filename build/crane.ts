// go-containerregistry's crane, which assembles the agent image (build/image.ts): built from its Go
// module into the tool cache on first use, as the hub's kustomize and helm are.
import { installPinnedTool, type InstallOptions } from "../lambdas/adapters/go-install.js";

export const CRANE_VERSION = "v0.22.1";

/** The path of the pinned crane binary, building it into the tool cache on first use. */
export function installCrane(options: InstallOptions = {}): Promise<string> {
  return installPinnedTool(
    { name: "crane", version: CRANE_VERSION, pkg: "github.com/google/go-containerregistry/cmd/crane", instead: "install Go 1.26 or newer and try again" },
    options,
  );
}
