// Go's text/template with the functions Argo CD's ApplicationSet controller gives it (go-template/
// main.go): the oracle the template engine's agreement test holds lambdas/generate/template to. Built
// from the committed go.mod and go.sum into the tool cache, like the other Go engines.
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { cached, fingerprint } from "./cache.js";
import { GO_ENV } from "./go.js";
import { run } from "./process.js";

const MODULE_DIR = fileURLToPath(new URL("./go-template/", import.meta.url));
const MODULE_FILES = ["go.mod", "go.sum", "main.go"];

/** One rendering as Argo CD does it: the template, the parameters (JSON), the goTemplateOptions. */
export interface GoTemplateRequest {
  template: string;
  data: Record<string, unknown>;
  options?: string[];
}

/** What Go answered: the output, or the error parsing or executing gave. */
export type GoTemplateAnswer = { output: string } | { error: string };

/** Path of the oracle binary, built on first use. */
export async function installGoTemplate(): Promise<string> {
  const sources = await Promise.all(MODULE_FILES.map((file) => readFile(join(MODULE_DIR, file), "utf8")));
  const dir = await cached(`go-template-${fingerprint(...sources)}`, async (scratch) => {
    // -mod=readonly: the committed go.sum decides every version.
    await run("go", ["build", "-mod=readonly", "-trimpath", "-ldflags=-s -w", "-o", join(scratch, "go-template"), "."], {
      cwd: MODULE_DIR,
      env: GO_ENV,
      label: "go build go-template",
    });
  });
  return join(dir, "go-template");
}

/** Renders every request with Go, in one process; the answers in the requests' order. */
export async function renderWithGo(requests: GoTemplateRequest[]): Promise<GoTemplateAnswer[]> {
  const child = spawn(await installGoTemplate(), [], { stdio: ["pipe", "pipe", "inherit"] });
  // A crash (Go's stderr says why) closes stdin early: the exit code below reports it, not EPIPE.
  let writeError: Error | undefined;
  child.stdin.on("error", (error) => {
    writeError = error;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", resolve);
  });
  const answers: GoTemplateAnswer[] = [];
  const lines = createInterface({ input: child.stdout });
  const read = (async () => {
    for await (const line of lines) answers.push(JSON.parse(line) as GoTemplateAnswer);
  })();
  for (const request of requests) {
    if (writeError) break;
    if (!child.stdin.write(`${JSON.stringify(request)}\n`))
      await new Promise<void>((resolve) => {
        const done = () => {
          child.stdin.off("drain", done).off("close", done);
          resolve();
        };
        child.stdin.on("drain", done).on("close", done);
      });
  }
  child.stdin.end();
  await read;
  const code = await exited;
  if (code !== 0 || answers.length !== requests.length)
    throw new Error(
      `go-template exited with ${code} after ${answers.length} of ${requests.length} answers` +
        (writeError ? ` (writing its input failed: ${writeError.message})` : ""),
    );
  return answers;
}
