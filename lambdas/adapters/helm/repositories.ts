/**
 * RADIAL_HELM_REPOSITORIES: credentials and settings per chart repository URL prefix, matched as
 * git sources' RADIAL_GIT_CREDENTIALS are (the longest prefix on whole path segments wins). An OCI
 * registry is named `oci://host/path`; an Application may name it without the scheme, as in Argo CD.
 */
import * as z from "zod";
import { credentialsFor } from "../git/source-repositories.js";

export const HelmRepositorySettings = z.strictObject({
  username: z.string().min(1).optional(),
  password: z.string().optional(),
  /** Talk plain HTTP to this OCI registry (Argo CD's `insecureOCIForceHttp`). */
  plainHttp: z.boolean().optional(),
});
export type HelmRepositorySettings = z.infer<typeof HelmRepositorySettings>;

export const HelmRepositories = z.record(z.string(), HelmRepositorySettings).superRefine((repositories, ctx) => {
  for (const prefix of Object.keys(repositories)) {
    if (!/^(https?|oci):\/\/[^\s/]+/.test(prefix))
      ctx.addIssue({ code: "custom", path: [prefix], message: "must be an http://, https:// or oci:// URL prefix" });
  }
});
export type HelmRepositories = z.infer<typeof HelmRepositories>;

/** Parses RADIAL_HELM_REPOSITORIES; undefined or empty is none. Errors name the setting, never a password. */
export function parseHelmRepositories(text: string | undefined): HelmRepositories {
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('RADIAL_HELM_REPOSITORIES must be JSON: {"oci://registry/prefix": {"username": "...", "password": "..."}}');
  }
  const parsed = HelmRepositories.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`RADIAL_HELM_REPOSITORIES ${issue.path.map(String).join(".") || "(top level)"}: ${issue.message}`);
  }
  return parsed.data;
}

/** Whether an Application's chart `repoURL` names an OCI registry: `oci://…`, or no scheme at all (Argo CD's OCI helm repositories). */
export function isOciRepository(repoURL: string): boolean {
  return repoURL.startsWith("oci://") || !/^[a-z][a-z0-9+.-]*:\/\//i.test(repoURL);
}

/** The repository's URL as helm takes it, and its settings. */
export function chartRepository(repoURL: string, repositories: HelmRepositories): HelmRepositorySettings & { url: string; oci: boolean } {
  const oci = isOciRepository(repoURL);
  const url = (oci && !repoURL.startsWith("oci://") ? `oci://${repoURL}` : repoURL).replace(/\/+$/, "");
  return { ...(credentialsFor(url, repositories) ?? {}), url, oci };
}
