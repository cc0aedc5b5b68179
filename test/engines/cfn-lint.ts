import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cached, fingerprint } from "./cache.js";
import { run } from "./process.js";

const REQUIREMENTS = join(dirname(fileURLToPath(import.meta.url)), "cfn-lint", "requirements.txt");

/**
 * Returns the path of a virtualenv holding cfn-lint, creating it on first use. The key includes a
 * hash of requirements.txt, so changing any pin builds a fresh venv.
 */
export async function installCfnLint(): Promise<string> {
  const requirements = await readFile(REQUIREMENTS, "utf8");
  const version = /^cfn-lint==(\S+)$/m.exec(requirements)?.[1];
  if (!version) throw new Error(`${REQUIREMENTS} pins no cfn-lint version`);
  return cached(`cfn-lint-${version}-${fingerprint(requirements)}`, async (venv) => {
    await run("python3", ["-m", "venv", venv], { label: "venv" });
    const pip = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input", "-r", REQUIREMENTS];
    await run(join(venv, "bin", "python"), pip, { label: "pip" });
  });
}

export interface CfnLintResult {
  /** cfn-lint's exit code: a bit field, 2 for errors, 4 for warnings, 8 for informational matches. */
  code: number;
  /** Each match as cfn-lint prints it in its parseable format (`file:line:col:...:rule:message`). */
  matches: string[];
}

/** Lints a CloudFormation template file in every region cfn-lint knows the resources of, or `regions`. */
export async function cfnLint(template: string, regions: string[] = ["us-east-1"]): Promise<CfnLintResult> {
  const venv = await installCfnLint();
  // The console script's entry called through the venv's python: the venv's scripts point at the
  // scratch folder it was built in, and the package has no __main__.
  const main = "import sys; from cfnlint.runner import main; sys.exit(main())";
  const args = ["-c", main, "--format", "parseable", "--regions", ...regions, "--", template];
  return new Promise((resolve, reject) => {
    execFile(join(venv, "bin", "python"), args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      if (code < 0 || code === 1) reject(new Error(`cfn-lint could not run (exit ${code}): ${stderr || error?.message}`));
      else resolve({ code, matches: stdout.split("\n").filter((line) => line.trim() !== "") });
    });
  });
}
