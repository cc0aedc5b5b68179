// The worker's kustomize layer: the kustomize module the embedded hub and the tests build
// (lambdas/adapters/kustomize/install.ts), cross-built for Lambda's linux/arm64 into the tool cache.
import { execFile, spawn } from "node:child_process";
import { mkdir, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { cached, toolCacheRoot } from "../core/tool-cache.js";
import { KUSTOMIZE_PACKAGE, KUSTOMIZE_VERSION } from "../lambdas/adapters/kustomize/install.js";

/** Lambda layers unpack under /opt, and /opt/bin is on a function's PATH. */
export const KUSTOMIZE_LAYER_BINARY = "/opt/bin/kustomize";

/**
 * A folder holding `bin/kustomize` for linux/arm64, built on first use with `go install` (Go's own
 * cross-compilation, no cgo) and cached. Go refuses GOBIN for a cross build, so the binary is built
 * into a scratch GOPATH (its `bin/linux_arm64/`) with the user's module cache kept.
 */
export async function kustomizeLayerDir(onProgress: (line: string) => void = () => undefined, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return cached(
    `kustomize-${KUSTOMIZE_VERSION}-linux-arm64`,
    async (scratch) => {
      const started = Date.now();
      onProgress(`building kustomize ${KUSTOMIZE_VERSION} for linux/arm64 (the worker's layer) with go install: a few minutes, once`);
      const gopath = join(scratch, "gopath");
      const { stdout } = await promisify(execFile)("go", ["env", "GOMODCACHE"], { env });
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
      await goInstall(`${KUSTOMIZE_PACKAGE}@${KUSTOMIZE_VERSION}`, goEnv);
      await mkdir(join(scratch, "bin"));
      await rename(join(gopath, "bin", "linux_arm64", "kustomize"), join(scratch, "bin", "kustomize"));
      await rm(gopath, { recursive: true, force: true });
      onProgress(`kustomize ${KUSTOMIZE_VERSION} for linux/arm64 built in ${Math.round((Date.now() - started) / 1000)} s`);
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
      reject(new Error(error.code === "ENOENT" ? "go is not on PATH: the kustomize layer is built with Go 1.26 or newer" : error.message)),
    );
    child.once("close", (code) => (code === 0 ? resolve() : reject(new Error(`go install ${target} for linux/arm64 failed (exit ${code}): ${output.trim()}`))));
  });
}
