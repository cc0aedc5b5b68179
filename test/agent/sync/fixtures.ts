// Desired applications and manifests for the sync and drift tests, as the deploy branch would hold them.
import type { Application } from "../../../contract/application.js";
import type { KubeObject } from "../../../agent/kube/object.js";
import type { PresentApplication } from "../../../agent/sync/sync.js";

let revisions = 0;
/** A fresh, valid commit id per call: each sync reads a new revision. */
export const revision = () => (++revisions).toString(16).padStart(40, "0");

export function application(
  name: string,
  namespace: string,
  syncPolicy?: Application["spec"]["syncPolicy"],
  extra: Partial<Application["spec"]> = {},
): Application {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name },
    spec: {
      source: { repoURL: "https://git.example/fleet", path: `apps/${name}` },
      destination: { server: "https://kubernetes.default.svc", namespace },
      ...(syncPolicy ? { syncPolicy } : {}),
      ...extra,
    },
  };
}

export function present(app: Application, manifests: KubeObject[]): PresentApplication {
  return { state: "present", name: app.metadata.name, revision: revision(), application: app, manifests };
}

export function configMap(name: string, data: Record<string, string> = { key: name }, annotations?: Record<string, string>, namespace?: string): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, ...(namespace ? { namespace } : {}), ...(annotations ? { annotations } : {}) }, data };
}

export function deployment(name: string, replicas: number, annotations?: Record<string, string>): KubeObject {
  const labels = { app: name };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [{ name: "app", image: "registry.example/app:1" }],
          // The fake node KWOK runs: its pods turn Ready, so the Deployment becomes Available.
          nodeSelector: { type: "kwok" },
        },
      },
    },
  };
}

/** A Job hook; on KWOK its pod succeeds, so the Job completes. */
export function hookJob(name: string, hook: string, deletePolicy?: string, wave?: number): KubeObject {
  const annotations: Record<string, string> = { "argocd.argoproj.io/hook": hook };
  if (deletePolicy) annotations["argocd.argoproj.io/hook-delete-policy"] = deletePolicy;
  if (wave !== undefined) annotations["argocd.argoproj.io/sync-wave"] = String(wave);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, annotations },
    spec: {
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: "Never",
          containers: [{ name: "hook", image: "registry.example/hook:1" }],
          nodeSelector: { type: "kwok" },
        },
      },
    },
  };
}

export const wave = (n: number) => ({ "argocd.argoproj.io/sync-wave": String(n) });
