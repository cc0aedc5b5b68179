// The objects the agent benchmark applies: a mix of kinds spread over a few namespaces, shaped
// like an application team's folder, and the deploy-branch files the hub would write for them.
import { stringify } from "yaml";
import type { KubeObject } from "../../agent/kube/object.js";
import { APPLICATION_FILE, MANIFESTS_FILE } from "../../contract/deploy-branch.js";

/** Every object of one run carries this label, so the benchmark's watches find exactly that run. */
export const RUN_LABEL = "bench.radial.dev/run";

/** Objects per namespace, by kind: 99 in all, so 100 objects make one namespace. */
const MIX = [
  ["ConfigMap", 30],
  ["Secret", 20],
  ["ServiceAccount", 15],
  ["Service", 10],
  ["Deployment", 8],
  ["Role", 8],
  ["RoleBinding", 8],
] as const;
const PER_NAMESPACE = 1 + MIX.reduce((sum, [, count]) => sum + count, 0);

export type MixedKind = (typeof MIX)[number][0] | "Namespace";

/** apiVersion of each kind, for the watches that count what was applied. */
export const KINDS: Record<MixedKind, string> = {
  Namespace: "v1",
  ConfigMap: "v1",
  Secret: "v1",
  ServiceAccount: "v1",
  Service: "v1",
  Deployment: "apps/v1",
  Role: "rbac.authorization.k8s.io/v1",
  RoleBinding: "rbac.authorization.k8s.io/v1",
};

function objectOf(kind: MixedKind, namespace: string, name: string, labels: Record<string, string>): KubeObject {
  const metadata = { name, namespace, labels };
  switch (kind) {
    case "Namespace":
      return { apiVersion: "v1", kind, metadata: { name: namespace, labels } };
    case "ConfigMap":
      return { apiVersion: "v1", kind, metadata, data: { color: "blue", "app.properties": `name=${name}\nlevel=info\n` } };
    case "Secret":
      return { apiVersion: "v1", kind, metadata, type: "Opaque", data: { password: Buffer.from(`${name}-secret`).toString("base64") } };
    case "ServiceAccount":
      return { apiVersion: "v1", kind, metadata };
    case "Service":
      return { apiVersion: "v1", kind, metadata, spec: { selector: { app: name }, ports: [{ name: "http", port: 80, targetPort: 8080 }] } };
    case "Deployment":
      return {
        apiVersion: "apps/v1",
        kind,
        metadata,
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: { containers: [{ name: "app", image: "registry.k8s.io/pause:3.10", ports: [{ containerPort: 8080 }] }] },
          },
        },
      };
    case "Role":
      return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind,
        metadata,
        rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }],
      };
    case "RoleBinding":
      return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind,
        metadata,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
        subjects: [{ kind: "ServiceAccount", name, namespace }],
      };
  }
}

/**
 * `count` objects (a multiple of 100): one Namespace per 100, then its 99 objects of mixed kinds,
 * all labelled with `run`. Namespaces are named `<run>-<i>`, so every run lands in fresh ones.
 */
export function mixedObjects(run: string, count: number): KubeObject[] {
  if (count % PER_NAMESPACE !== 0) throw new Error(`the object count must be a multiple of ${PER_NAMESPACE}, got ${count}`);
  const labels = { [RUN_LABEL]: run };
  const objects: KubeObject[] = [];
  for (let n = 0; n < count / PER_NAMESPACE; n++) {
    const namespace = `${run}-${n}`;
    objects.push(objectOf("Namespace", namespace, namespace, labels));
    for (const [kind, perNamespace] of MIX) {
      for (let i = 0; i < perNamespace; i++) objects.push(objectOf(kind, namespace, `${kind.toLowerCase()}-${i}`, labels));
    }
  }
  return objects;
}

/** The namespaces `mixedObjects` creates for a run. */
export function namespacesOf(objects: KubeObject[]): string[] {
  return objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name);
}

/** One multi-document YAML stream, as `kubectl apply -f` and the deploy branch's manifests.yaml take it. */
export function toYaml(objects: KubeObject[]): string {
  return objects.map((object) => stringify(object)).join("---\n");
}

/** The Application the hub would generate: automated sync with self-heal, as a fleet team sets it. */
export function applicationOf(name: string, cluster: string): KubeObject {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name },
    spec: {
      project: "default",
      source: { repoURL: "https://git.example.com/fleet.git", targetRevision: "HEAD", path: `apps/${name}` },
      destination: { name: cluster, namespace: "default" },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
  };
}

/** The files of `radial/clusters/<cluster>`: one application holding `objects`. */
export function deployBranchFiles(cluster: string, application: string, objects: KubeObject[]): Record<string, string> {
  const folder = `clusters/${cluster}/${application}`;
  return {
    [`${folder}/${APPLICATION_FILE}`]: stringify(applicationOf(application, cluster)),
    [`${folder}/${MANIFESTS_FILE}`]: toYaml(objects),
  };
}
