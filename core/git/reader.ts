/** Read access to Git repositories at one revision, for the git generators (and, later, hydration). */
export interface RepoReader {
  /** Every file path (POSIX, no leading slash) in the repo at `revision`, sorted. */
  listFiles(repoURL: string, revision: string): Promise<string[]>;
  readFile(repoURL: string, revision: string, path: string): Promise<Uint8Array>;
}
