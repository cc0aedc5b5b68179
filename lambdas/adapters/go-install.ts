/**
 * The embedded hub's pinned Go tools (kustomize, helm): taken from the tool cache (where the test
 * engines put the same builds), else built there from their Go module, with `go`'s progress handed
 * on. On AWS the binaries come with the function (RADIAL_KUSTOMIZE, RADIAL_HELM) and none of this runs.
 */
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cached, toolCacheRoot } from "../../core/tool-cache.js";

export interface PinnedTool {
  /** The binary's name, also the cache folder's prefix: `helm`. */
  name: string;
  version: string;
  /** The main package: `helm.sh/helm/v4/cmd/helm`. */
  pkg: string;
  /** What the user can do instead, ending every error: `set RADIAL_HELM to a helm v4 binary`. */
  instead: string;
}

export interface InstallOptions {
  env?: NodeJS.ProcessEnv;
  /** One line at a time: what is being downloaded and built. */
  onProgress?: (line: string) => void;
}

/** The path of the tool's binary, building it into the tool cache on first use. */
export async function installPinnedTool(tool: PinnedTool, options: InstallOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const progress = options.onProgress ?? (() => undefined);
  const target = `${tool.pkg}@${tool.version}`;
  const dir = await cached(
    `${tool.name}-${tool.version}`,
    async (scratch) => {
      const started = Date.now();
      progress(`${tool.name} ${tool.version} is not in ${toolCacheRoot(env)} yet: building it with go install ${target} (a minute or two, once)`);
      await goInstall(tool, target, join(scratch, "bin"), env, progress);
      progress(`${tool.name} ${tool.version} built in ${Math.round((Date.now() - started) / 1000)} s`);
    },
    toolCacheRoot(env),
  );
  return join(dir, "bin", tool.name);
}

/**
 * `go install` into `binDir`, stripped, from the temp dir so no go.mod around the caller changes
 * what is resolved. GOTOOLCHAIN=local makes a Go too old fail plainly instead of fetching a
 * toolchain; -p=2 keeps the build from taking every core of a shared machine.
 */
function goInstall(tool: PinnedTool, target: string, binDir: string, env: NodeJS.ProcessEnv, progress: (line: string) => void): Promise<void> {
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
            ? `${tool.name} is not installed and cannot be built: go is not on PATH. Install Go 1.26 or newer, or ${tool.instead}`
            : `go install ${target} could not start: ${error.message}`,
        ),
      );
    });
    child.once("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`go install ${target} failed (exit ${code}): ${output.trim()}; ${tool.instead} instead`));
    });
  });
}
