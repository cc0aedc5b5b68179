/**
 * The kustomize the project pins, for the embedded hub: taken from the tool cache (where the test
 * engines put the same build), else built there from its Go module, with `go`'s progress handed
 * on. On AWS the binary comes with the function (RADIAL_KUSTOMIZE) and none of this runs.
 */
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cached, toolCacheRoot } from "../../../core/tool-cache.js";

/** v5.8.3 and later need Go 1.27; this is the newest that builds with Go 1.26. */
export const KUSTOMIZE_VERSION = "v5.8.2";
const MODULE = "sigs.k8s.io/kustomize/kustomize/v5";

export interface InstallOptions {
  env?: NodeJS.ProcessEnv;
  /** One line at a time: what is being downloaded and built. */
  onProgress?: (line: string) => void;
}

/** The path of the pinned kustomize binary, building it into the tool cache on first use. */
export async function installKustomize(options: InstallOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const progress = options.onProgress ?? (() => undefined);
  const dir = await cached(
    `kustomize-${KUSTOMIZE_VERSION}`,
    async (scratch) => {
      const started = Date.now();
      progress(
        `kustomize ${KUSTOMIZE_VERSION} is not in ${toolCacheRoot(env)} yet: building it with go install ${MODULE}@${KUSTOMIZE_VERSION} (a minute or two, once)`,
      );
      await goInstall(`${MODULE}@${KUSTOMIZE_VERSION}`, join(scratch, "bin"), env, progress);
      progress(`kustomize ${KUSTOMIZE_VERSION} built in ${Math.round((Date.now() - started) / 1000)} s`);
    },
    toolCacheRoot(env),
  );
  return join(dir, "bin", "kustomize");
}

/**
 * `go install` into `binDir`, stripped, from the temp dir so no go.mod around the caller changes
 * what is resolved. GOTOOLCHAIN=local makes a Go too old fail plainly instead of fetching a
 * toolchain; -p=2 keeps the build from taking every core of a shared machine.
 */
function goInstall(target: string, binDir: string, env: NodeJS.ProcessEnv, progress: (line: string) => void): Promise<void> {
  const goEnv = { ...env, GOTOOLCHAIN: "local", GOFLAGS: [env.GOFLAGS, "-p=2"].filter(Boolean).join(" "), GOBIN: binDir };
  return new Promise((resolve, reject) => {
    const child = spawn("go", ["install", "-trimpath", "-ldflags=-s -w", target], { cwd: tmpdir(), env: goEnv, stdio: ["ignore", "ignore", "pipe"] });
    let output = "";
    let partial = "";
    child.stderr.on("data", (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) progress(line.trim());
    });
    child.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        new Error(
          error.code === "ENOENT"
            ? `kustomize is not installed and cannot be built: go is not on PATH. Install Go 1.26 or newer, or set RADIAL_KUSTOMIZE to a kustomize v5 binary`
            : `go install ${target} could not start: ${error.message}`,
        ),
      );
    });
    child.once("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`go install ${target} failed (exit ${code}): ${output.trim()}; set RADIAL_KUSTOMIZE to a kustomize v5 binary instead`));
    });
  });
}
