/**
 * A small line diff for dry runs: `--- a/path`, `+++ b/path`, then the changed lines prefixed with
 * `-` / `+` (unchanged lines are left out; there are no hunk headers). The common prefix and suffix
 * are stripped first; the middle is matched by longest common subsequence when it is small enough,
 * else shown as all-removed then all-added.
 */

import type { BlobNode } from "../../../core/git/objects.js";
import type { DeployRepository } from "../../ports.js";

/** Largest (old lines × new lines) of the middle part compared line by line. */
const MAX_LCS_CELLS = 4_000_000;

function lines(text: string | undefined): string[] {
  if (text === undefined || text === "") return [];
  const split = text.split("\n");
  if (split[split.length - 1] === "") split.pop();
  return split;
}

/** The diff of one file; `before` undefined means added, `after` undefined means removed. */
export function lineDiff(path: string, before: string | undefined, after: string | undefined): string {
  const a = lines(before);
  const b = lines(after);
  const header = `--- ${before === undefined ? "/dev/null" : `a/${path}`}\n+++ ${after === undefined ? "/dev/null" : `b/${path}`}\n`;
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const out: string[] = [];
  if (midA.length * midB.length > MAX_LCS_CELLS || midA.length === 0 || midB.length === 0) {
    for (const line of midA) out.push(`-${line}`);
    for (const line of midB) out.push(`+${line}`);
  } else {
    // lcs[i][j]: LCS length of midA[i..] and midB[j..], as one flat array.
    const width = midB.length + 1;
    const lcs = new Uint32Array((midA.length + 1) * width);
    for (let i = midA.length - 1; i >= 0; i--) {
      for (let j = midB.length - 1; j >= 0; j--) {
        lcs[i * width + j] = midA[i] === midB[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < midA.length && j < midB.length) {
      if (midA[i] === midB[j]) {
        i++;
        j++;
      } else if (lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!) out.push(`-${midA[i++]}`);
      else out.push(`+${midB[j++]}`);
    }
    while (i < midA.length) out.push(`-${midA[i++]}`);
    while (j < midB.length) out.push(`+${midB[j++]}`);
  }
  return header + out.map((line) => `${line}\n`).join("");
}

const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * The diffs of one branch's new tree against its head (`before`, undefined when the branch is new):
 * `files` are the paths written afresh, `kept` the folders left as the head holds them.
 */
export async function branchDiffs(
  deploy: DeployRepository,
  branch: string,
  before: string | undefined,
  files: Record<string, string | BlobNode>,
  kept: Record<string, string>,
): Promise<{ path: string; diff: string }[]> {
  const oldFiles = new Map<string, string>();
  if (before !== undefined) {
    if ((await deploy.ensureCommit(branch, before)) !== before) throw new Error(`${branch} moved on the remote during the dry run; run it again`);
    for (const path of await deploy.listFiles(deploy.url, before)) oldFiles.set(path, decoder.decode(await deploy.readFile(deploy.url, before, path)));
  }
  const newFiles = new Map<string, string>();
  const keptFolders = Object.keys(kept).map((folder) => `${folder}/`);
  for (const [path, content] of oldFiles) if (keptFolders.some((folder) => path.startsWith(folder))) newFiles.set(path, content);
  for (const [path, content] of Object.entries(files)) newFiles.set(path, typeof content === "string" ? content : decoder.decode(content.content));
  const paths = [...new Set([...oldFiles.keys(), ...newFiles.keys()])].sort();
  return paths
    .filter((path) => oldFiles.get(path) !== newFiles.get(path))
    .map((path) => ({ path, diff: lineDiff(path, oldFiles.get(path), newFiles.get(path)) }));
}
