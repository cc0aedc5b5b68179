/**
 * One ref's head on a remote, by one protocol v2 ls-refs call limited to that ref: what the
 * source poll asks every few seconds, so it must stay one small request.
 */
import http from "node:http";
import { isomorphicGit } from "../../../core/git/isomorphic.js";
import type { RefLookup } from "../../generate/source-poll.js";
import type { GitAuth } from "./source-repositories.js";

/** A lookup that hangs (a stalled connection) fails after this long, so the next poll can run. */
const TIMEOUT_MS = 30_000;
/** Each request gets its own connection (see core/git: a reused idle one may be reset by the server). */
const FRESH_CONNECTIONS = new http.Agent({ keepAlive: false });

export class GitRefLookup implements RefLookup {
  constructor(private readonly credentials: (url: string) => GitAuth | undefined) {}

  async head(url: string, ref: string): Promise<string | null> {
    const auth = this.credentials(url);
    const { git, http: nodeHttp } = await isomorphicGit();
    const listing = git.listServerRefs({
      http: { request: (request) => nodeHttp.request({ ...request, agent: FRESH_CONNECTIONS }) },
      url,
      prefix: ref,
      protocolVersion: 2,
      peelTags: true,
      ...(auth ? { onAuth: () => auth } : {}),
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`ls-refs of ${ref} at ${url} took over ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    });
    try {
      const found = (await Promise.race([listing, timeout])).find((listed) => listed.ref === ref);
      return found ? (found.peeled ?? found.oid) : null;
    } finally {
      clearTimeout(timer);
    }
  }
}
