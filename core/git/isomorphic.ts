/**
 * isomorphic-git and its Node.js HTTP client, imported at the first git operation instead of with
 * the modules that use them. The hub's API function imports those modules (deploy heads, fleet
 * views, rebuilds), but most of its requests (agents' reports and heartbeats, cluster lists) never
 * touch git: loaded this way, the ~210 KB of isomorphic-git and pako are a chunk of the function's
 * bundle that a cold start neither compiles nor evaluates until a request needs git.
 */
import type git from "isomorphic-git";
import type { HttpClient } from "isomorphic-git";

export interface IsomorphicGit {
  git: typeof git;
  http: HttpClient;
}

let loading: Promise<IsomorphicGit> | undefined;

/** isomorphic-git, loaded once per process. */
export function isomorphicGit(): Promise<IsomorphicGit> {
  loading ??= Promise.all([import("isomorphic-git"), import("isomorphic-git/http/node")]).then(([lib, http]) => ({ git: lib.default, http: http.default }));
  return loading;
}
