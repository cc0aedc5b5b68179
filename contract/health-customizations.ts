import * as z from "zod";

/**
 * Users' own health checks, as the hub delivers them to each agent: the Lua scripts of the fleet
 * repo's `health/argocd-cm.yaml` (Argo CD's `resource.customizations.health.<group>_<kind>` and
 * `resource.customizations` keys), checked and written as this file in each cluster's folder of
 * its deploy branch, `clusters/<cluster>/health-customizations.yaml`, beside the application folders.
 */
export const HEALTH_CUSTOMIZATIONS_FILE = "health-customizations.yaml";

/** The largest script the hub accepts; Argo CD's own scripts are under 8 KiB. */
export const MAX_HEALTH_SCRIPT_BYTES = 64 * 1024;

/**
 * One check. `groupKind` is Argo CD's override key: `<group>/<Kind>`, or `<Kind>` for the core
 * group, and may hold Argo CD's glob wildcards (`*.example.com/*`).
 */
export const HealthCheckScript = z.strictObject({
  groupKind: z.string().min(1).max(317),
  lua: z.string().min(1).max(MAX_HEALTH_SCRIPT_BYTES),
});

export const HealthCustomizations = z.strictObject({
  apiVersion: z.literal("radial.dev/v1alpha1"),
  kind: z.literal("HealthCustomizations"),
  spec: z.strictObject({
    /** Sorted by `groupKind`, each key once. */
    checks: z.array(HealthCheckScript).max(1000),
    /** Whether custom resources no check covers are assessed by their standard conditions (kstatus); off as in Argo CD. */
    genericConditions: z.boolean(),
  }),
});

export type HealthCheckScript = z.infer<typeof HealthCheckScript>;
export type HealthCustomizations = z.infer<typeof HealthCustomizations>;
