import * as z from "zod";

/**
 * Which signed webhook deliveries start a run. GitHub (and Gitea, which sends the same payloads)
 * names the event in `X-GitHub-Event`; a push payload names the repository and the pushed `ref`.
 *
 * A run starts for a push to the fleet repo's source branch, or to a repository and branch or tag
 * that an Application source read in this process's last run. Until this process has run once it
 * cannot know those, so a push to any other repository starts a run (a run that changes nothing
 * commits nothing). Pushes to the deploy branches — the hub's own writes — never start one.
 */
export const EVENT_HEADER = "x-github-event";

const Url = z.string().max(2048);
/** Only the fields used; GitHub sends many more, which pass. */
export const PushPayload = z.looseObject({
  ref: z.string().min(1).max(1024),
  deleted: z.boolean().optional(),
  repository: z
    .looseObject({ clone_url: Url.optional(), html_url: Url.optional(), url: Url.optional(), git_url: Url.optional(), ssh_url: Url.optional() })
    .optional(),
});
export type PushPayload = z.infer<typeof PushPayload>;

export interface PushContext {
  fleetURL: string;
  sourceBranch: string;
  /** Normalized repository URL → refs (`refs/heads/main`, a set or a map from ref) Application sources read in the last run; undefined before the first run. */
  references: ReadonlyMap<string, { has(ref: string): boolean }> | undefined;
}

export interface PushDecision {
  started: boolean;
  reason: string;
}

/** `https://Host/org/repo.git/` → `host/org/repo`: what the payload's several URLs and the configured one share. */
export function repositoryKey(url: string): string {
  return url
    .trim()
    .replace(/^[a-z+]+:\/\//i, "")
    .replace(/^[^@/]*@/, "")
    .replace(":", "/")
    .replace(/\/+$/, "")
    .replace(/\.git$/, "")
    .replace(/^[^/]+/, (host) => host.toLowerCase());
}

export function decidePush(push: PushPayload, context: PushContext): PushDecision {
  const urls = Object.values(push.repository ?? {}).filter((u): u is string => typeof u === "string" && u.length > 0);
  const fleetKey = repositoryKey(context.fleetURL);
  // A payload that names no repository is taken to be about the fleet repo.
  const keys = urls.length === 0 ? [fleetKey] : [...new Set(urls.map(repositoryKey))];
  const label = keys.includes(fleetKey) ? "the fleet repo" : (urls[0] ?? "the repository");
  if (push.deleted) return { started: false, reason: `${push.ref} was deleted in ${label}; nothing to generate from` };
  if (keys.includes(fleetKey) && push.ref === `refs/heads/${context.sourceBranch}`)
    return { started: true, reason: `push to the source branch ${context.sourceBranch}` };
  if (keys.includes(fleetKey) && push.ref.startsWith("refs/heads/radial/clusters/"))
    return { started: false, reason: `${push.ref} is a deploy branch written by the hub` };
  if (context.references === undefined && !keys.includes(fleetKey)) {
    return { started: true, reason: `push to ${label}, which Application sources may read (this hub has not run yet)` };
  }
  if (keys.some((key) => context.references?.get(key)?.has(push.ref)))
    return { started: true, reason: `push to ${label} ${push.ref}, which an Application source reads` };
  return {
    started: false,
    reason: `push to ${label} ${push.ref}: neither the source branch (${context.sourceBranch}) of the fleet repo nor read by any Application source`,
  };
}
