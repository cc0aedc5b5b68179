import { readdir, readFile } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import type { RepoReader } from "../core/git/reader.js";

/**
 * A repository checked out on disk, for `radial render --repo DIR`: every repoURL maps to DIR and
 * the revision is whatever is checked out, so a user can try generator files before pushing.
 */
export class DirectoryRepo implements RepoReader {
  private files: Promise<string[]> | undefined;
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  listFiles(): Promise<string[]> {
    this.files ??= this.walk(this.root).then((paths) => paths.sort());
    return this.files;
  }

  async readFile(_repoURL: string, _revision: string, path: string): Promise<Uint8Array> {
    const full = resolve(this.root, path);
    if (full !== this.root && !full.startsWith(this.root + sep)) throw new Error(`path ${path} is outside the repository`);
    return readFile(full);
  }

  private async walk(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true });
    const nested = await Promise.all(
      entries
        .filter((entry) => entry.name !== ".git")
        .map(async (entry) => {
          const full = join(dir, entry.name);
          if (entry.isDirectory()) return this.walk(full);
          return entry.isFile() ? [relative(this.root, full).split(sep).join("/")] : [];
        }),
    );
    return nested.flat();
  }
}
