// What Argo CD's ApplicationSet controller sets on every generated Application besides the
// template: the resources finalizer (utils.RenderTemplateParams) and the set's namespace
// (controllers/template.GenerateApplications). Pure functions.
import { DEFAULT_APPLICATION_SET_NAMESPACE, type ApplicationSet } from "./application-set.js";
import { isMap } from "./template/values.js";

/** Argo CD's finalizer: deleting the Application deletes its resources (`/foreground`, `/background` pick the propagation). */
export const RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io";

export const isResourcesFinalizer = (finalizer: string) => finalizer === RESOURCES_FINALIZER || finalizer.startsWith(`${RESOURCES_FINALIZER}/`);

const preserves = (set: ApplicationSet) => set.spec.syncPolicy?.preserveResourcesOnDeletion === true;

/**
 * RenderTemplateParams: an Application whose rendered template names no finalizer gets the
 * resources finalizer, unless the set preserves resources on deletion. Applied before templatePatch,
 * as in Argo CD.
 */
export function withDefaultFinalizer(rendered: unknown, set: ApplicationSet): unknown {
  if (!isMap(rendered) || preserves(set)) return rendered;
  const metadata = isMap(rendered.metadata) ? rendered.metadata : {};
  const finalizers = metadata.finalizers;
  if (Array.isArray(finalizers) && finalizers.length > 0) return rendered;
  return { ...rendered, metadata: { ...metadata, finalizers: [RESOURCES_FINALIZER] } };
}

/**
 * After templatePatch: the Application lives in the set's namespace, whatever the template says (Argo
 * CD's appsets-in-any-namespace boundary). With `preserveResourcesOnDeletion: true` Radial also drops
 * any resources finalizer the template or patch names, so removing the Application never deletes its
 * resources, even once the set itself is gone (Argo CD would keep one written in the template).
 */
export function asGenerated(application: unknown, set: ApplicationSet): unknown {
  if (!isMap(application)) return application;
  const metadata: Record<string, unknown> = { ...(isMap(application.metadata) ? application.metadata : {}) };
  metadata.namespace = set.metadata.namespace ?? DEFAULT_APPLICATION_SET_NAMESPACE;
  if (preserves(set) && Array.isArray(metadata.finalizers)) {
    const kept = metadata.finalizers.filter((f) => typeof f !== "string" || !isResourcesFinalizer(f));
    if (kept.length > 0) metadata.finalizers = kept;
    else delete metadata.finalizers;
  }
  return { ...application, metadata };
}
