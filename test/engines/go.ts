import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import { run } from "./process.js";

/**
 * Environment for every Go command the engines run. GOTOOLCHAIN=local makes a module that needs
 * a newer Go fail plainly instead of fetching a toolchain; GOFLAGS adds -p=2 because builds
 * run beside tests on a 2-core machine. GOMODCACHE and GOCACHE stay the user's, so module
 * downloads and compiled packages are shared with every other build.
 */
export const GO_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GOTOOLCHAIN: "local",
  GOFLAGS: [process.env.GOFLAGS, "-p=2"].filter(Boolean).join(" "),
};

/**
 * `go install <pkg>@<version>` into `binDir`, stripped. Runs from the temp dir so that no
 * go.mod or go.work around the caller can change what gets resolved.
 */
export async function goInstall(pkg: string, version: string, binDir: string): Promise<void> {
  await run("go", ["install", "-trimpath", "-ldflags=-s -w", `${pkg}@${version}`], {
    cwd: tmpdir(),
    env: { ...GO_ENV, GOBIN: binDir },
    label: `go install ${pkg}`,
  });
}

/** The read-only folder of a module version in the module cache, downloading it if needed. */
export async function goModuleDir(module: string, version: string): Promise<string> {
  const { stdout } = await promisify(execFile)("go", ["mod", "download", "-json", `${module}@${version}`], {
    cwd: tmpdir(),
    env: GO_ENV,
  });
  const dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!dir) throw new Error(`go mod download ${module}@${version} gave no Dir: ${stdout}`);
  return dir;
}
