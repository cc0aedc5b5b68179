// Test data for the RepoReader interface: a repo as a map from path to content, at one revision.
import type { RepoReader } from "../../../core/git/reader.js";

export function memoryRepo(files: Record<string, string>, expected = { repoURL: "https://git.example.com/fleet.git", revision: "c0ffee" }): RepoReader {
  const check = (repoURL: string, revision: string) => {
    if (repoURL !== expected.repoURL) throw new Error(`unknown repo ${repoURL}`);
    if (revision !== expected.revision) throw new Error(`unknown revision ${revision}`);
  };
  return {
    listFiles(repoURL, revision) {
      return settle(() => {
        check(repoURL, revision);
        return Object.keys(files).sort();
      });
    },
    readFile(repoURL, revision, path) {
      return settle(() => {
        check(repoURL, revision);
        const content = files[path];
        if (content === undefined) throw new Error(`no file ${path}`);
        return new TextEncoder().encode(content);
      });
    },
  };
}

export const REPO = "https://git.example.com/fleet.git";
/** Every ref resolves to one commit in these tests. */
export const revision = (repoURL: string, ref: string) => {
  if (repoURL !== REPO) throw new Error(`unknown repo ${repoURL}`);
  if (ref !== "HEAD" && ref !== "main") throw new Error(`unknown ref ${ref}`);
  return "c0ffee";
};

/** Runs `body` now and settles with its result or what it throws, as an async function without an await would. */
export function settle<T>(body: () => T): Promise<T> {
  return new Promise((resolve) => {
    resolve(body());
  });
}
