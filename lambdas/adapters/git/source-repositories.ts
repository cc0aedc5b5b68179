/**
 * Application sources outside the fleet repo's source branch: another repository, or the fleet
 * repo at another revision. Each repository URL gets its own bare object store (a GitReader
 * under `dir`, named by a hash of the URL), kept between runs so a fetch only brings what is new.
 *
 * `targetRevision` resolves as Argo CD resolves it: "" or HEAD is the remote's default branch, then
 * a branch, then a tag (annotated tags peeled to their commit), or a full commit id. Branches and
 * tags are fetched at depth 1; a commit id not yet in the store is fetched with all branches' and
 * tags' history (once, then it is in the store).
 *
 * Within one run (`session`) every (URL, revision) resolves once, so all Applications naming the
 * same branch read the same commit and the repository is fetched once.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import { join } from "node:path";
import * as z from "zod";
import { GitReader } from "../../../core/git/index.js";
import { isomorphicGit } from "../../../core/git/isomorphic.js";
import type { SourceCheckout, SourceRepositories } from "../../ports.js";

export interface GitAuth {
  username: string;
  password: string;
}

/** `RADIAL_GIT_CREDENTIALS`: URL prefix → HTTP basic credentials. */
export const GitCredentialsConfig = z.record(z.url({ protocol: /^https?$/ }), z.strictObject({ username: z.string().min(1), password: z.string() }));
export type GitCredentialsConfig = z.infer<typeof GitCredentialsConfig>;

/** Parses RADIAL_GIT_CREDENTIALS; undefined or empty is no credentials. Errors name the setting, never a password. */
export function parseGitCredentials(text: string | undefined): GitCredentialsConfig {
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('RADIAL_GIT_CREDENTIALS must be JSON: {"https://host/prefix": {"username": "...", "password": "..."}}');
  }
  const parsed = GitCredentialsConfig.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`RADIAL_GIT_CREDENTIALS ${issue.path.map(String).join(".") || "(top level)"}: ${issue.message}`);
  }
  return parsed.data;
}

/** The credentials of the longest prefix of `url` in `config`, matched on whole path segments. */
export function credentialsFor<T = GitAuth>(url: string, config: Readonly<Record<string, T>>): T | undefined {
  let best: { length: number; auth: T } | undefined;
  for (const [prefix, auth] of Object.entries(config)) {
    const base = prefix.replace(/\/+$/, "");
    const matches = url === base || url.startsWith(`${base}/`) || url.startsWith(`${base}.git`);
    if (matches && (!best || base.length > best.length)) best = { length: base.length, auth };
  }
  return best?.auth;
}

const OID = /^[0-9a-f]{40}$/;
const normalizeURL = (url: string) => url.replace(/\/+$/, "").replace(/\.git$/, "");

export class GitSourceRepositories {
  private readonly stores = new Map<string, GitReader>();
  private referenced: Map<string, Map<string, string>> | undefined;

  constructor(
    private readonly options: {
      /** Where the per-repository object stores live. */
      dir: string;
      credentials: (url: string) => GitAuth | undefined;
    },
  ) {}

  /** A reader for one run: each (URL, revision) is resolved and fetched once. */
  session(): SourceRepositories {
    const resolved = new Map<string, Promise<SourceCheckout>>();
    const referenced = new Map<string, Map<string, string>>();
    this.referenced = referenced;
    return {
      checkout: (repoURL, targetRevision) => {
        const key = `${normalizeURL(repoURL)}\u0000${targetRevision}`;
        let checkout = resolved.get(key);
        if (!checkout) {
          checkout = this.checkoutNow(repoURL, targetRevision);
          resolved.set(key, checkout);
          void checkout.then(
            ({ ref, revision }) => ref && referenced.set(repoURL, (referenced.get(repoURL) ?? new Map<string, string>()).set(ref, revision)),
            () => undefined,
          );
        }
        return checkout;
      },
    };
  }

  /** Repository URL → the refs (`refs/heads/main`) the latest session read, each with the commit it resolved to; undefined before the first session. */
  references(): ReadonlyMap<string, ReadonlyMap<string, string>> | undefined {
    return this.referenced;
  }

  private store(repoURL: string): GitReader {
    let repo = this.stores.get(repoURL);
    if (!repo) {
      const id = createHash("sha256").update(normalizeURL(repoURL)).digest("hex").slice(0, 24);
      const auth = this.options.credentials(repoURL);
      repo = new GitReader({ url: repoURL, dir: join(this.options.dir, id), ...(auth ? { auth } : {}) });
      this.stores.set(repoURL, repo);
    }
    return repo;
  }

  private async checkoutNow(repoURL: string, targetRevision: string): Promise<SourceCheckout> {
    if (!/^https?:\/\//.test(repoURL)) throw new Error(`${repoURL}: only http:// and https:// repositories can be fetched`);
    const repo = this.store(repoURL);
    const auth = this.options.credentials(repoURL);
    const onAuth = auth ? { onAuth: () => auth } : {};
    const { git, http: nodeHttp } = await isomorphicGit();
    const refs = await git.listServerRefs({ http: nodeHttp, url: repoURL, protocolVersion: 2, symrefs: true, peelTags: true, ...onAuth });
    const byName = new Map(refs.map((r) => [r.ref, r]));
    const target = targetRevision === "" ? "HEAD" : targetRevision;

    if (OID.test(target)) {
      if (!(await this.has(repo, target))) {
        // `has` created the store; fetch every branch and tag with their whole history (deepening a shallow store).
        await git.fetch({ fs, http: nodeHttp, gitdir: repo.dir, url: repoURL, singleBranch: false, tags: true, depth: 2147483647, ...onAuth });
        if (!(await this.has(repo, target))) throw new Error(`commit ${target} is not reachable from any branch or tag of ${repoURL}`);
      }
      return { reader: repo, revision: target };
    }
    if (target === "HEAD") {
      const head = byName.get("HEAD")?.target;
      if (!head?.startsWith("refs/heads/")) throw new Error(`${repoURL} has no default branch (HEAD)`);
      return { reader: repo, revision: await repo.fetch(head), ref: head };
    }
    const branch = target.startsWith("refs/heads/") ? target : `refs/heads/${target}`;
    if (byName.has(branch)) return { reader: repo, revision: await repo.fetch(branch), ref: branch };
    const tag = byName.get(target.startsWith("refs/tags/") ? target : `refs/tags/${target}`);
    if (tag) {
      await repo.fetch(tag.ref);
      const commit = tag.peeled ?? tag.oid;
      if (!(await this.has(repo, commit))) throw new Error(`tag ${target} of ${repoURL} does not point to a commit`);
      return { reader: repo, revision: commit, ref: tag.ref };
    }
    throw new Error(`${repoURL} has no branch or tag ${JSON.stringify(targetRevision)}`);
  }

  private async has(repo: GitReader, oid: string): Promise<boolean> {
    try {
      await repo.resolve(oid);
      return true;
    } catch {
      return false;
    }
  }
}
