// The worker's tools layer: the kustomize and helm the embedded hub and the tests build
// (lambdas/adapters/kustomize/install.ts, lambdas/adapters/helm/install.ts), from the same Go
// modules at the same versions, cross-built for Lambda's linux/arm64 into the tool cache.
import { execFile, spawn } from "node:child_process";
import { mkdir, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { cached, toolCacheRoot } from "../core/tool-cache.js";
import { HELM_PACKAGE, HELM_VERSION } from "../lambdas/adapters/helm/install.js";
import { KUSTOMIZE_PACKAGE, KUSTOMIZE_VERSION } from "../lambdas/adapters/kustomize/install.js";

/** Lambda layers unpack under /opt, and /opt/bin is on a function's PATH. */
export const LAYER_BIN = "/opt/bin";

const TOOLS = [
  { name: "kustomize", pkg: KUSTOMIZE_PACKAGE, version: KUSTOMIZE_VERSION },
  { name: "helm", pkg: HELM_PACKAGE, version: HELM_VERSION },
];

/**
 * A folder holding `bin/kustomize` and `bin/helm` for linux/arm64, built on first use with
 * `go install` (Go's own cross-compilation, no cgo) and cached. Go refuses GOBIN for a cross build,
 * so each binary is built into a scratch GOPATH (its `bin/linux_arm64/`) with the user's module
 * cache kept.
 */
export async function toolsLayerDir(onProgress: (line: string) => void = () => undefined, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const key = TOOLS.map((tool) => `${tool.name}-${tool.version}`).join("-");
  return cached(
    `lambda-tools-${key}-linux-arm64`,
    async (scratch) => {
      const { stdout } = await promisify(execFile)("go", ["env", "GOMODCACHE"], { env });
      const gopath = join(scratch, "gopath");
      const goEnv = {
        ...env,
        GOOS: "linux",
        GOARCH: "arm64",
        CGO_ENABLED: "0",
        GOPATH: gopath,
        GOMODCACHE: stdout.trim(),
        GOBIN: "",
        GOTOOLCHAIN: "local",
        GOFLAGS: [env.GOFLAGS, "-p=2"].filter(Boolean).join(" "),
      };
      await mkdir(join(scratch, "bin"));
      for (const tool of TOOLS) {
        const started = Date.now();
        onProgress(`building ${tool.name} ${tool.version} for linux/arm64 (the Lambda worker's layer) with go install: a few minutes, once`);
        await goInstall(`${tool.pkg}@${tool.version}`, goEnv);
        await rename(join(gopath, "bin", "linux_arm64", tool.name), join(scratch, "bin", tool.name));
        onProgress(`${tool.name} ${tool.version} for linux/arm64 built in ${Math.round((Date.now() - started) / 1000)} s`);
      }
      await rm(gopath, { recursive: true, force: true });
    },
    toolCacheRoot(env),
  );
}

function goInstall(target: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("go", ["install", "-trimpath", "-ldflags=-s -w", target], { cwd: tmpdir(), env, stdio: ["ignore", "ignore", "pipe"] });
    let output = "";
    child.stderr.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === "ENOENT" ? "go is not on PATH: the Lambda tools layer is built with Go 1.26 or newer" : error.message)),
    );
    child.once("close", (code) => (code === 0 ? resolve() : reject(new Error(`go install ${target} for linux/arm64 failed (exit ${code}): ${output.trim()}`))));
  });
}
