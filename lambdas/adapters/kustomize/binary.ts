import { execFile } from "node:child_process";
import type { KustomizeRunner } from "../../ports.js";

export interface KustomizeBinaryOptions {
  /** Kill kustomize after this long; default 60 s. */
  timeoutMs?: number;
  /** Largest output accepted; default 256 MiB. */
  maxOutputBytes?: number;
}

/**
 * The real runner: `<path> build <dir>` as a child process, with a timeout. `binary` is a path, or
 * finds one when first needed (the embedded hub builds the pinned kustomize then); a failed lookup
 * is tried again at the next build.
 */
export function KustomizeBinary(binary: string | (() => Promise<string>), options: KustomizeBinaryOptions = {}): KustomizeRunner {
  const timeout = options.timeoutMs ?? 60_000;
  const maxBuffer = options.maxOutputBytes ?? 256 * 1024 * 1024;
  let found: Promise<string> | undefined;
  const lookup = (): Promise<string> => {
    if (typeof binary === "string") return Promise.resolve(binary);
    found ??= binary().catch((error: unknown) => {
      found = undefined;
      throw error;
    });
    return found;
  };
  return {
    async build(dir) {
      const path = await lookup();
      return new Promise((resolve, reject) => {
        execFile(path, ["build", dir], { timeout, maxBuffer, encoding: "utf8", killSignal: "SIGKILL" }, (error, stdout, stderr) => {
          if (!error) {
            resolve(stdout);
            return;
          }
          const detail = stderr.trim() || error.message;
          const e = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
          if (e.killed && e.signal === "SIGKILL") reject(new Error(`kustomize build timed out after ${timeout} ms: ${detail}`));
          else if (e.code === "ENOENT") reject(new Error(`kustomize binary not found at ${path}: set RADIAL_KUSTOMIZE to a kustomize v5 binary`));
          else reject(new Error(`kustomize build failed: ${detail}`));
        });
      });
    },
  };
}
