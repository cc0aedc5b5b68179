import * as z from "zod";
import { ApplicationName } from "./names.js";

/**
 * An Argo CD Application as Radial generates it and the agent reads it from
 * `clusters/<cluster>/<app>/application.yaml`. Spec fields are checked strictly, so a field Radial
 * would not honour is an error rather than a surprise; source details stay open because each
 * source type (directory, kustomize, helm) is validated where it is hydrated.
 */
export const ApplicationSource = z.looseObject({
  repoURL: z.string().min(1),
  path: z.string().optional(),
  targetRevision: z.string().optional(),
  chart: z.string().optional(),
  ref: z.string().optional(),
});

export const ApplicationDestination = z
  .strictObject({
    name: z.string().optional(),
    server: z.string().optional(),
    namespace: z.string().optional(),
  })
  .refine((d) => Boolean(d.name) !== Boolean(d.server), "needs exactly one of name or server");

export const SyncPolicy = z.looseObject({
  automated: z
    .looseObject({ prune: z.boolean().optional(), selfHeal: z.boolean().optional(), allowEmpty: z.boolean().optional(), enabled: z.boolean().optional() })
    .optional(),
  syncOptions: z.array(z.string()).optional(),
});

export const IgnoreDifference = z.strictObject({
  group: z.string().optional(),
  kind: z.string(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  jsonPointers: z.array(z.string()).optional(),
  jqPathExpressions: z.array(z.string()).optional(),
  managedFieldsManagers: z.array(z.string()).optional(),
});

export const Application = z.strictObject({
  apiVersion: z.literal("argoproj.io/v1alpha1"),
  kind: z.literal("Application"),
  metadata: z.looseObject({
    name: ApplicationName,
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    finalizers: z.array(z.string()).optional(),
  }),
  spec: z
    .strictObject({
      project: z.string().optional(),
      source: ApplicationSource.optional(),
      sources: z.array(ApplicationSource).min(1).optional(),
      destination: ApplicationDestination,
      syncPolicy: SyncPolicy.optional(),
      ignoreDifferences: z.array(IgnoreDifference).optional(),
      info: z.array(z.strictObject({ name: z.string(), value: z.string() })).optional(),
      revisionHistoryLimit: z.number().int().optional(),
    })
    .refine((s) => Boolean(s.source) !== Boolean(s.sources), "needs exactly one of source or sources"),
});

export type Application = z.infer<typeof Application>;
export type ApplicationSource = z.infer<typeof ApplicationSource>;
