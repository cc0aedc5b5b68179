import { stringify } from "yaml";
import { AGENT_NAMESPACE, AGENT_VARIABLES } from "../../contract/agent-config.js";

export interface BootstrapSettings {
  cluster: string;
  token: string;
  hubUrl: string;
  /** The deploy repo the agent pulls; null until the hub is configured with one. */
  repoUrl: string | null;
  image: string;
  /**
   * A read-only credential for the fleet repo (RADIAL_AGENT_GIT_USERNAME/PASSWORD), null for a
   * public repo. Never the hub's own, which can write every cluster's deploy branch.
   */
  gitAuth: { username: string; password: string } | null;
}

const NAME = "radial-agent";
const labels = { "app.kubernetes.io/name": NAME, "app.kubernetes.io/part-of": "radial" };
/** Where the agent reads its token (RADIAL_AGENT_TOKEN_FILE). */
const TOKEN_DIR = "/var/run/secrets/radial";
const SECRET = `${NAME}-token`;

function document(comment: string | null, object: object): string {
  const header = comment
    ? comment
        .split("\n")
        .map((line) => `# ${line}`)
        .join("\n") + "\n"
    : "";
  return header + stringify(object, { lineWidth: 0 });
}

/**
 * The manifest that installs the agent with one `kubectl apply -f`: Namespace, ServiceAccount,
 * RBAC, the token Secret (with the fleet repo's read-only credential, if any) and the agent Deployment.
 */
export function bootstrapManifest(settings: BootstrapSettings): string {
  return [...accessDocuments(settings.cluster), secretDocument(settings), document(null, agentDeployment(settings))].join("---\n");
}

/** The namespace and the identity the agent acts as. */
function accessDocuments(cluster: string): string[] {
  return [
    document(`Radial agent for cluster ${cluster}. Apply with: kubectl apply --server-side -f <this file>`, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: AGENT_NAMESPACE, labels },
    }),
    document(null, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: NAME, namespace: AGENT_NAMESPACE, labels } }),
    document(
      "The agent applies whatever the cluster's folder in Git holds (any kind, any namespace, CRDs\n" +
        "included), prunes what it owns when it leaves Git, and watches it all for drift, so it needs\n" +
        "every verb on every resource, as Argo CD's application controller does. Narrow this role if\n" +
        "the fleet repo should only ever manage some kinds.",
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: NAME, labels },
        rules: [
          { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
          { nonResourceURLs: ["*"], verbs: ["get"] },
        ],
      },
    ),
    document(null, {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: NAME, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: NAME },
      subjects: [{ kind: "ServiceAccount", name: NAME, namespace: AGENT_NAMESPACE }],
    }),
  ];
}

function secretDocument({ token, gitAuth }: BootstrapSettings): string {
  return document(
    "The agent's token: it authenticates this cluster, and only this cluster, to the hub." +
      (gitAuth ? "\nWith it, the read-only credential the agent pulls its deploy branch with." : ""),
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: SECRET, namespace: AGENT_NAMESPACE, labels },
      type: "Opaque",
      stringData: { token, ...(gitAuth ? { "git-username": gitAuth.username, "git-password": gitAuth.password } : {}) },
    },
  );
}

function agentDeployment(settings: BootstrapSettings): object {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: NAME, namespace: AGENT_NAMESPACE, labels },
    spec: {
      replicas: 1,
      // Two agents must never apply at once: replace, do not surge.
      strategy: { type: "Recreate" },
      selector: { matchLabels: { "app.kubernetes.io/name": NAME } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: NAME,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
          containers: [agentContainer(settings)],
          volumes: [
            { name: "data", emptyDir: {} },
            { name: "tmp", emptyDir: {} },
            // Only the token file: the agent takes the Git credential from its variables, never from here.
            { name: "token", secret: { secretName: SECRET, defaultMode: 0o440, items: [{ key: "token", path: "token" }] } },
          ],
        },
      },
    },
  };
}

function agentContainer(settings: BootstrapSettings): object {
  const fromSecret = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: SECRET, key } } });
  return {
    name: "agent",
    image: settings.image,
    imagePullPolicy: "IfNotPresent",
    args: ["agent"],
    env: [
      { name: AGENT_VARIABLES.hubUrl, value: settings.hubUrl },
      { name: AGENT_VARIABLES.cluster, value: settings.cluster },
      ...(settings.repoUrl ? [{ name: AGENT_VARIABLES.repoUrl, value: settings.repoUrl }] : []),
      // A mounted file, not an env var: a rotated Secret reaches the running agent without a restart.
      { name: AGENT_VARIABLES.tokenFile, value: `${TOKEN_DIR}/token` },
      { name: AGENT_VARIABLES.dataDir, value: "/var/lib/radial" },
      // The agent reads these once at start: a rotated credential takes a restart.
      ...(settings.gitAuth ? [fromSecret(AGENT_VARIABLES.repoUsername, "git-username"), fromSecret(AGENT_VARIABLES.repoPassword, "git-password")] : []),
    ],
    ports: [{ name: "metrics", containerPort: 8080 }],
    livenessProbe: { httpGet: { path: "/healthz", port: "metrics" }, periodSeconds: 20, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: "/readyz", port: "metrics" }, periodSeconds: 10 },
    resources: { requests: { cpu: "50m", memory: "96Mi" }, limits: { cpu: "1", memory: "384Mi" } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
    volumeMounts: [
      { name: "data", mountPath: "/var/lib/radial" },
      { name: "tmp", mountPath: "/tmp" },
      { name: "token", mountPath: TOKEN_DIR, readOnly: true },
    ],
  };
}
