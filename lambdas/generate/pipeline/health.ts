/**
 * Beside stage 1: the users' health checks (health-customizations.ts) for every deploy branch, read
 * from the fleet repo at the run's revision. A file that reads well goes to every branch as
 * `clusters/<cluster>/health-customizations.yaml`; no file, no file on the branches; a file that does
 * not read is an error naming it and the key at fault, and every branch keeps the checks it has
 * (the carry-over rule generator files follow).
 */
import type { RepoReader } from "../../../core/git/reader.js";
import { HEALTH_SETTINGS_FILE, HealthSettingsError, healthCustomizationsYaml, parseHealthSettings } from "../health-customizations.js";
import type { GenerationError } from "./result.js";
import type { BranchState } from "./state.js";

/** What the run writes: the file's text for every branch (undefined: none), or why each branch keeps its own. */
export type HealthOutput = { text: string | undefined } | { error: GenerationError };

const decoder = new TextDecoder("utf-8", { fatal: true });

/** The last repository and revision read, and what it gave: a revision is content, so it never changes. */
let last: { at: string; output: HealthOutput } | undefined;

async function read(repo: RepoReader & { readonly url: string }, revision: string): Promise<HealthOutput> {
  if (!(await repo.listFiles(repo.url, revision)).includes(HEALTH_SETTINGS_FILE)) return { text: undefined };
  try {
    const text = decoder.decode(await repo.readFile(repo.url, revision, HEALTH_SETTINGS_FILE));
    return { text: healthCustomizationsYaml(parseHealthSettings(text)) };
  } catch (error) {
    const field = error instanceof HealthSettingsError ? error.key : undefined;
    const reason = error instanceof TypeError ? "not UTF-8 text" : (error as Error).message;
    return {
      error: { file: HEALTH_SETTINGS_FILE, ...(field !== undefined ? { field } : {}), message: `${reason}; every cluster keeps the health checks it has` },
    };
  }
}

export async function readHealthOutput(repo: RepoReader & { readonly url: string }, revision: string): Promise<HealthOutput> {
  const at = `${repo.url} ${revision}`;
  if (last?.at !== at) last = { at, output: await read(repo, revision) };
  return last.output;
}

/** The file a branch should hold: the run's, or the one it has when the run's did not read. */
export const healthOnBranch = (output: HealthOutput | undefined, before: BranchState | undefined): string | undefined =>
  output === undefined ? undefined : "error" in output ? before?.health : output.text;
