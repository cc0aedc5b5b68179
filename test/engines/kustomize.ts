import { join } from "node:path";
import { cached } from "./cache.js";
import { goInstall } from "./go.js";

/** v5.8.3 and later need Go 1.27; this is the newest that builds with the Go 1.26 we have. */
export const KUSTOMIZE_VERSION = "v5.8.2";

/** Path of the kustomize binary, built from its Go module into the engine cache on first use. */
export async function installKustomize(): Promise<string> {
  const dir = await cached(`kustomize-${KUSTOMIZE_VERSION}`, async (scratch) => {
    const started = Date.now();
    await goInstall("sigs.k8s.io/kustomize/kustomize/v5", KUSTOMIZE_VERSION, join(scratch, "bin"));
    console.error(`kustomize: built ${KUSTOMIZE_VERSION} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  });
  return join(dir, "bin", "kustomize");
}
