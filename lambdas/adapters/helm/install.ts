/** The helm the project pins, for the embedded hub (see ../go-install.ts). */
import { installPinnedTool, type InstallOptions } from "../go-install.js";

/** Helm 4, the major version Argo CD's current release runs (its hack/tool-versions.sh); v4.3.2 builds with Go 1.26. */
export const HELM_VERSION = "v4.3.2";
export const HELM_PACKAGE = "helm.sh/helm/v4/cmd/helm";

/** The path of the pinned helm binary, building it into the tool cache on first use. */
export function installHelm(options: InstallOptions = {}): Promise<string> {
  return installPinnedTool({ name: "helm", version: HELM_VERSION, pkg: HELM_PACKAGE, instead: "set RADIAL_HELM to a helm v4 binary" }, options);
}
