// Flux (toolkit.fluxcd.io): HelmRelease, Kustomization and GitRepository, as Argo CD's
// resource_customizations/<group>/<Kind>/health.lua count their conditions: two "in progress"
// signals (Ready Unknown, Reconciling True) are Progressing, enough successes Healthy, else Degraded;
// the message is the Ready condition's reason.
import type { KubeObject } from "../../kube/object.js";
import type { ResourceHealth } from "../resource-health.js";
import { conditions, fail, get, isFields } from "./read.js";

interface Counts {
  progressing: number;
  succeeded: number;
  message: string;
}

function flux(
  object: KubeObject,
  needed: number,
  extra: (type: string | undefined, status: string | undefined, reason: string | undefined, counts: Counts) => void = () => undefined,
): ResourceHealth {
  if (!isFields(object.spec)) fail("attempt to index a nil value (field 'spec')");
  if (get(object, "spec", "suspend") === true) return { status: "Suspended", message: `${object.kind} is suspended` };
  if (!isFields(object.status) || object.status.conditions == null) return { status: "Progressing", message: "Status unknown" };
  const counts: Counts = { progressing: 0, succeeded: 0, message: "" };
  for (const { type, status, reason } of conditions(object)) {
    if (type === "Ready") {
      if (status === "True") counts.succeeded++;
      else if (status === "Unknown") counts.progressing++;
      counts.message = reason ?? "";
    } else if (type === "Reconciling" && status === "True") counts.progressing++;
    else extra(type, status, reason, counts);
  }
  if (counts.progressing === 2) return { status: "Progressing", message: counts.message };
  if (counts.succeeded === needed) return { status: "Healthy", message: counts.message };
  return { status: "Degraded", message: counts.message };
}

/** Healthy when Ready and Released (or TestSuccess) are True. */
export const helmReleaseHealth = (release: KubeObject): ResourceHealth =>
  flux(release, 2, (type, status, _reason, counts) => {
    if ((type === "Released" || type === "TestSuccess") && status === "True") counts.succeeded++;
  });

export const kustomizationHealth = (kustomization: KubeObject): ResourceHealth => flux(kustomization, 1);

/** Healthy when Ready and ArtifactInStorage are True; an outdated artifact adds its reason to the message. */
export const gitRepositoryHealth = (repository: KubeObject): ResourceHealth =>
  flux(repository, 2, (type, status, reason, counts) => {
    if (type === "ArtifactOutdated" && status === "True") counts.message = `${counts.message} ${reason ?? ""}`;
    else if (type === "ArtifactInStorage" && status === "True") counts.succeeded++;
  });
