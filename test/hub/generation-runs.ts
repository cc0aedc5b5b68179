// Following a queued generation run as `radial generate` does: POST /v1/generate answers 202 with
// the run, GET /v1/generations/{id} until it ends.
import { setTimeout as sleep } from "node:timers/promises";
import { GenerationRun, type GenerationRunResult } from "../../contract/index.js";

/** Any way a test calls the API that yields the answer's body. */
export type CallApi = (method: string, path: string) => Promise<unknown>;

/** Queues a run (`query`: `?dryRun=true`, `?force=true`) and resolves with its result once it finished; a failed run rejects with why. */
export async function generateAndWait(call: CallApi, query = ""): Promise<GenerationRunResult> {
  return followRun(call, GenerationRun.parse(await call("POST", `/v1/generate${query}`)).id);
}

/** Polls a queued run until it ends: its result, or a rejection with why it failed. */
export async function followRun(call: CallApi, id: string): Promise<GenerationRunResult> {
  let run = GenerationRun.parse(await call("GET", `/v1/generations/${id}`));
  while (run.state === "queued" || run.state === "running") {
    await sleep(100);
    run = GenerationRun.parse(await call("GET", `/v1/generations/${run.id}`));
  }
  if (run.state === "failed" || !run.result) throw new Error(`generation run ${run.id} failed: ${run.error ?? "no result"}`);
  return run.result;
}
