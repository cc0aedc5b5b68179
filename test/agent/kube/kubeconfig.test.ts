import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { KubeClient } from "../../../agent/kube/client.js";
import { KubeApiError } from "../../../agent/kube/errors.js";
import { KubeConfigError, loadKubeConfig } from "../../../agent/kube/kubeconfig.js";
import { kubectl, startCluster, type Cluster } from "../../engines/kubernetes.js";

let cluster: Cluster;
let dir: string;
let caPem: string;

before(async () => {
  cluster = await startCluster();
  dir = await mkdtemp(join(tmpdir(), "radial-kubeconfig-"));
  caPem = Buffer.from(cluster.caData, "base64").toString("utf8");
});
after(async () => {
  await cluster.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let files = 0;
async function writeKubeconfig(config: unknown): Promise<string> {
  const file = join(dir, `config-${++files}`);
  await writeFile(file, typeof config === "string" ? config : stringify(config));
  return file;
}

/** A kubeconfig with one context `c` for the given cluster entry and user entry. */
const kubeconfig = (cluster: Record<string, unknown>, user: Record<string, unknown> | null) => ({
  apiVersion: "v1",
  kind: "Config",
  "current-context": "c",
  clusters: [{ name: "k", cluster }],
  users: [{ name: "u", user }],
  contexts: [{ name: "c", context: { cluster: "k", user: "u" } }],
});

async function rejectsWith(file: string, pattern: RegExp, context?: string): Promise<void> {
  await assert.rejects(loadKubeConfig({ kubeconfig: file, context }), (error: unknown) => {
    assert.ok(error instanceof KubeConfigError, String(error));
    assert.ok(error.message.startsWith(`kubeconfig ${file}: `), error.message);
    assert.match(error.message, pattern);
    return true;
  });
}

describe("kubeconfig file", () => {
  test("the engine's kubeconfig gives a connection that reaches the cluster", async () => {
    const connection = await loadKubeConfig({ kubeconfig: cluster.kubeconfig });
    assert.deepEqual(connection, { server: cluster.server, caData: caPem, token: cluster.token });
    const client = new KubeClient(connection);
    try {
      assert.equal((await client.get({ apiVersion: "v1", kind: "Namespace", name: "default" }))?.metadata.name, "default");
    } finally {
      client.close();
    }
  });

  test("a chosen context, with files relative to the kubeconfig and the context's namespace", async () => {
    await writeFile(join(dir, "ca.crt"), caPem);
    await writeFile(join(dir, "token"), `${cluster.token}\n`);
    await kubectl(cluster, ["create", "namespace", "team-a"]);
    const file = await writeKubeconfig({
      "current-context": "broken",
      clusters: [
        { name: "real", cluster: { server: cluster.server, "certificate-authority": "ca.crt" } },
        { name: "gone", cluster: { server: "https://127.0.0.1:1" } },
      ],
      users: [{ name: "admin", user: { tokenFile: "token" } }],
      contexts: [
        { name: "broken", context: { cluster: "gone", user: "admin" } },
        { name: "team-a", context: { cluster: "real", user: "admin", namespace: "team-a" } },
      ],
    });
    const connection = await loadKubeConfig({ kubeconfig: file, context: "team-a" });
    assert.deepEqual(connection, { server: cluster.server, caData: caPem, tokenFile: join(dir, "token"), namespace: "team-a" });
    const client = new KubeClient(connection);
    try {
      const applied = await client.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "here" }, data: {} });
      assert.equal(applied.metadata.namespace, "team-a", "no namespace given: the context's");
    } finally {
      client.close();
    }
    await rejectsWith(file, /contexts: no context named "nope"/, "nope");
  });

  test("exec and auth-provider users are refused, saying what to use instead", async () => {
    const eks = await writeKubeconfig({
      ...kubeconfig({ server: cluster.server }, null),
      users: [{ name: "u", user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token"] } } }],
    });
    await rejectsWith(eks, /users\[u\]\.user\.exec: exec credential plugins .* not supported .*tokenFile.*client certificate/);
    const gcp = await writeKubeconfig(kubeconfig({ server: cluster.server }, { "auth-provider": { name: "gcp" } }));
    await rejectsWith(gcp, /users\[u\]\.user\.auth-provider: auth-provider plugins .* not supported/);
  });

  test("a broken file names the file and the field", async () => {
    await rejectsWith(join(dir, "missing"), /cannot read it/);
    await rejectsWith(await writeKubeconfig("clusters: [\n"), /not valid YAML/);
    await rejectsWith(await writeKubeconfig(kubeconfig({ "certificate-authority-data": cluster.caData }, {})), /clusters\[k\]\.cluster\.server: /);
    await rejectsWith(await writeKubeconfig(kubeconfig({ server: "ftp://x" }, {})), /clusters\[k\]\.cluster\.server: /);
    await rejectsWith(
      await writeKubeconfig(kubeconfig({ server: cluster.server, "certificate-authority-data": "bm90IGEgY2VydA==" }, {})),
      /clusters\[k\]\.cluster\.certificate-authority-data: not the base64 of a PEM block/,
    );
    await rejectsWith(
      await writeKubeconfig(kubeconfig({ server: cluster.server, "certificate-authority": "nowhere.crt" }, {})),
      new RegExp(`clusters\\[k\\]\\.cluster\\.certificate-authority: cannot read ${join(dir, "nowhere.crt")}`),
    );
    await rejectsWith(
      await writeKubeconfig(kubeconfig({ server: cluster.server }, { "client-certificate-data": cluster.caData })),
      /users\[u\]\.user: client-certificate and client-key go together/,
    );
    await rejectsWith(
      await writeKubeconfig({ ...kubeconfig({ server: cluster.server }, {}), "current-context": undefined }),
      /no context given and no current-context set/,
    );
  });
});

describe("in-cluster", () => {
  const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
  after(() => {
    for (const [key, value] of [
      ["KUBERNETES_SERVICE_HOST", saved.host],
      ["KUBERNETES_SERVICE_PORT", saved.port],
    ] as const) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
  });

  test("outside a cluster, without a kubeconfig, says so", async () => {
    delete process.env.KUBERNETES_SERVICE_HOST;
    await assert.rejects(loadKubeConfig({ serviceAccountDir: dir }), /not running in a cluster \(KUBERNETES_SERVICE_HOST/);
  });

  test("the ServiceAccount's token, CA and namespace; a rotated token is picked up", async () => {
    await kubectl(cluster, ["create", "namespace", "radial-system"]);
    await kubectl(cluster, ["create", "serviceaccount", "agent", "-n", "radial-system"]);
    await kubectl(cluster, ["create", "configmap", "settings", "-n", "radial-system"]);
    await kubectl(cluster, ["create", "role", "agent", "-n", "radial-system", "--verb=get,list", "--resource=configmaps"]);
    await kubectl(cluster, ["create", "rolebinding", "agent", "-n", "radial-system", "--role=agent", "--serviceaccount=radial-system:agent"]);
    const sa = await mkdtemp(join(dir, "sa-"));
    await writeFile(join(sa, "ca.crt"), caPem);
    await writeFile(join(sa, "namespace"), "radial-system");
    await writeFile(join(sa, "token"), "not-a-valid-token");
    const { hostname, port } = new URL(cluster.server);
    process.env.KUBERNETES_SERVICE_HOST = hostname;
    process.env.KUBERNETES_SERVICE_PORT = port;

    const connection = await loadKubeConfig({ serviceAccountDir: sa });
    assert.deepEqual(connection, { server: cluster.server, caData: caPem, tokenFile: join(sa, "token"), namespace: "radial-system" });
    const client = new KubeClient(connection);
    try {
      await assert.rejects(
        client.list("v1", "ConfigMap", { namespace: "radial-system" }),
        (error: unknown) => error instanceof KubeApiError && error.reason === "Unauthorized",
      );
      // The kubelet rotates the projected token in place; the client must not keep the old one.
      await writeFile(join(sa, "token"), await kubectl(cluster, ["create", "token", "agent", "-n", "radial-system"]));
      const list = await client.list("v1", "ConfigMap", { namespace: "radial-system" });
      assert.ok(list.items.some((item) => item.metadata.name === "settings"));
      // It is the ServiceAccount that acts: it may not read elsewhere.
      await assert.rejects(
        client.list("v1", "ConfigMap", { namespace: "default" }),
        (error: unknown) => error instanceof KubeApiError && error.reason === "Forbidden",
      );
    } finally {
      client.close();
    }
  });

  test("a missing ServiceAccount file is named", async () => {
    const empty = await mkdtemp(join(dir, "empty-"));
    process.env.KUBERNETES_SERVICE_HOST = "127.0.0.1";
    process.env.KUBERNETES_SERVICE_PORT = "443";
    await assert.rejects(
      loadKubeConfig({ serviceAccountDir: empty }),
      new RegExp(`in-cluster: cannot read the ServiceAccount's ca.crt at ${join(empty, "ca.crt")}`),
    );
  });
});
