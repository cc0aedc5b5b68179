import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { request as httpsRequest } from "node:https";
import { after, before, describe, test } from "node:test";
import { KubeClient, type RequestEvent, type WatchEvent } from "../../../agent/kube/client.js";
import { KubeApiError, NoKindMatchError } from "../../../agent/kube/errors.js";
import { loadKubeConfig } from "../../../agent/kube/kubeconfig.js";
import type { KubeObject } from "../../../agent/kube/object.js";
import { kubectl, startCluster, type Cluster } from "../../engines/kubernetes.js";

let cluster: Cluster;
let client: KubeClient;
const requests: RequestEvent[] = [];

before(async () => {
  cluster = await startCluster();
  client = new KubeClient(await loadKubeConfig({ kubeconfig: cluster.kubeconfig }), { onRequest: (event) => requests.push(event) });
});
after(async () => {
  client.close();
  await cluster.stop();
});

let namespaces = 0;
/** A fresh namespace per test, so tests do not see each other's objects. */
async function namespace(): Promise<string> {
  const name = `t${++namespaces}`;
  await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
  return name;
}

const configMap = (ns: string, name: string, data: Record<string, string>, labels?: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: ns, ...(labels ? { labels } : {}) },
  data,
});

async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("discovery", () => {
  test("finds built-in kinds with their plural, scope and verbs", async () => {
    const deployments = await client.resourceFor("apps/v1", "Deployment");
    assert.deepEqual(
      { ...deployments, verbs: undefined },
      { group: "apps", version: "v1", kind: "Deployment", resource: "deployments", namespaced: true, verbs: undefined },
    );
    assert.ok(deployments.verbs.includes("patch") && deployments.verbs.includes("watch"));
    const namespaces = await client.resourceFor("v1", "Namespace");
    assert.equal(namespaces.resource, "namespaces");
    assert.equal(namespaces.namespaced, false);
  });

  test("lists every served kind, as kubectl api-resources", async () => {
    const { resources, failedGroupVersions } = await client.serverResources();
    assert.deepEqual(failedGroupVersions, []);
    const names = new Set(resources.map((r) => `${r.group}/${r.version}/${r.kind}`));
    for (const expected of ["/v1/ConfigMap", "/v1/Namespace", "apps/v1/Deployment", "batch/v1/Job", "apiextensions.k8s.io/v1/CustomResourceDefinition"])
      assert.ok(names.has(expected), expected);
    assert.ok(!resources.some((r) => r.resource.includes("/")), "no subresources");
  });

  test("an unknown kind is a NoKindMatchError naming it", async () => {
    await assert.rejects(client.resourceFor("apps/v1", "Deploymint"), (error: unknown) => {
      assert.ok(error instanceof NoKindMatchError);
      assert.match(error.message, /no matches for kind "Deploymint" in version "apps\/v1"/);
      return true;
    });
    await assert.rejects(client.resourceFor("nope.example.com/v1", "Thing"), NoKindMatchError);
  });

  test("a CRD's kind is found once the CRD is created, without a restart", async () => {
    await assert.rejects(client.resourceFor("radial.test/v1", "Widget"), NoKindMatchError);
    await createWidgetCrd();
    const widgets = await client.resourceFor("radial.test/v1", "Widget");
    assert.deepEqual({ resource: widgets.resource, namespaced: widgets.namespaced }, { resource: "widgets", namespaced: true });
    const ns = await namespace();
    const applied = await client.apply({ apiVersion: "radial.test/v1", kind: "Widget", metadata: { name: "w", namespace: ns }, spec: { size: 3 } });
    assert.equal((applied.spec as { size: number }).size, 3);
  });
});

/** Creates the Widget CRD (once) and waits until its kind is served. */
async function createWidgetCrd(): Promise<void> {
  await client.apply({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.radial.test" },
    spec: {
      group: "radial.test",
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
      versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
    },
  });
  // The kind is served a moment after creation; until then it is (correctly) unknown.
  await eventually("Widget served", () => client.resourceFor("radial.test/v1", "Widget"));
}

describe("server-side apply", () => {
  test("creates, then updates as field manager radial, and drops fields left out", async () => {
    const ns = await namespace();
    const created = await client.apply(configMap(ns, "cm", { a: "1", b: "2" }));
    assert.deepEqual(created.data, { a: "1", b: "2" });
    assert.equal(created.kind, "ConfigMap");
    const updated = await client.apply(configMap(ns, "cm", { a: "3" }));
    assert.deepEqual(updated.data, { a: "3" }, "b was ours and is no longer applied, so it is removed");
    const managers = updated.metadata.managedFields?.map((entry) => [entry.manager, entry.operation]);
    assert.deepEqual(managers, [["radial", "Apply"]]);
    assert.equal(updated.metadata.uid, created.metadata.uid);
  });

  test("dry run changes nothing", async () => {
    const ns = await namespace();
    const result = await client.apply(configMap(ns, "dry", { a: "1" }), { dryRun: true });
    assert.deepEqual(result.data, { a: "1" });
    assert.equal(await client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "dry" }), undefined);
  });

  test("force takes a field back from another manager; without force it is a Conflict", async () => {
    const ns = await namespace();
    const deployment: KubeObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: ns },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
      },
    };
    await client.apply(deployment);
    await kubectl(cluster, ["scale", "deployment/web", "-n", ns, "--replicas=5"]);
    const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "web" };
    assert.equal(((await client.get(ref))?.spec as { replicas: number }).replicas, 5);

    await assert.rejects(client.apply(deployment, { force: false }), (error: unknown) => {
      assert.ok(error instanceof KubeApiError);
      assert.equal(error.status, 409);
      assert.equal(error.reason, "Conflict");
      assert.match(error.message, /spec\.replicas/);
      return true;
    });
    const healed = await client.apply(deployment);
    assert.equal((healed.spec as { replicas: number }).replicas, 2);
  });

  test("an invalid object is an Invalid error naming the field", async () => {
    const ns = await namespace();
    const bad = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Not_A_Name", namespace: ns }, data: {} };
    await assert.rejects(client.apply(bad), (error: unknown) => {
      assert.ok(error instanceof KubeApiError);
      assert.equal(error.reason, "Invalid");
      assert.equal(error.status, 422);
      assert.ok(error.details?.causes?.some((cause) => cause.field === "metadata.name"));
      return true;
    });
  });
});

describe("create, replace, delete", () => {
  test("create, then AlreadyExists on the second create", async () => {
    const ns = await namespace();
    const created = await client.create(configMap(ns, "c", { a: "1" }));
    assert.ok(created.metadata.uid);
    await assert.rejects(client.create(configMap(ns, "c", { a: "1" })), (error: unknown) => error instanceof KubeApiError && error.reason === "AlreadyExists");
  });

  test("replace overwrites the whole object, and is NotFound when there is none", async () => {
    const ns = await namespace();
    await client.create(configMap(ns, "r", { a: "1", b: "2" }, { keep: "no" }));
    const replaced = await client.replace(configMap(ns, "r", { c: "3" }));
    assert.deepEqual(replaced.data, { c: "3" });
    assert.equal(replaced.metadata.labels, undefined, "PUT replaces labels too");
    await assert.rejects(client.replace(configMap(ns, "absent", { a: "1" })), (error: unknown) => error instanceof KubeApiError && error.reason === "NotFound");
    // A stale resourceVersion given on purpose is a Conflict, not a silent overwrite.
    const stale = configMap(ns, "r", { d: "4" });
    stale.metadata.resourceVersion = "1";
    await assert.rejects(client.replace(stale), (error: unknown) => error instanceof KubeApiError && error.reason === "Conflict");
  });

  test("delete returns true, then false once gone; a uid precondition protects a newer object", async () => {
    const ns = await namespace();
    const first = await client.create(configMap(ns, "d", { a: "1" }));
    const ref = { apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "d" };
    assert.equal(await client.delete(ref, { propagationPolicy: "Background" }), true);
    assert.equal(await client.get(ref), undefined);
    assert.equal(await client.delete(ref), false);

    await client.create(configMap(ns, "d", { a: "2" }));
    await assert.rejects(client.delete(ref, { uid: first.metadata.uid }), (error: unknown) => error instanceof KubeApiError && error.reason === "Conflict");
    assert.ok(await client.get(ref), "the newer object is still there");
  });

  test("a cluster-scoped object needs no namespace; a namespaced one defaults to the context's", async () => {
    const created = await client.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "in-default" }, data: { a: "1" } });
    assert.equal(created.metadata.namespace, "default");
    assert.equal(await client.delete({ apiVersion: "v1", kind: "ConfigMap", name: "in-default" }), true);
  });
});

describe("list", () => {
  test("by label selector, page by page, items typed, with the list's resourceVersion", async () => {
    const ns = await namespace();
    for (let i = 0; i < 12; i++) await client.apply(configMap(ns, `p${i}`, { i: String(i) }, { set: "paged" }));
    for (let i = 0; i < 3; i++) await client.apply(configMap(ns, `other${i}`, { i: String(i) }));

    const before = requests.length;
    const list = await client.list("v1", "ConfigMap", { namespace: ns, labelSelector: "set=paged", limit: 5 });
    const pages = requests.slice(before).filter((event) => event.method === "GET");
    assert.equal(pages.length, 3, "12 items at 5 a page");
    assert.deepEqual(list.items.map((item) => item.metadata.name).sort(), Array.from({ length: 12 }, (_, i) => `p${i}`).sort());
    assert.ok(list.items.every((item) => item.apiVersion === "v1" && item.kind === "ConfigMap"));
    assert.match(list.resourceVersion, /^\d+$/);

    const everywhere = await client.list("v1", "ConfigMap", { labelSelector: "set=paged" });
    assert.equal(everywhere.items.length, 12, "no namespace: all namespaces");
  });
});

describe("watch", () => {
  test("sees ADDED, MODIFIED, DELETED and carries on across the server's timeout without replaying", async () => {
    const ns = await namespace();
    const labels = { watched: "yes" };
    await client.apply(configMap(ns, "existing", { a: "1" }, labels));
    await client.apply(configMap(ns, "unwatched", { a: "1" }));
    const events: WatchEvent[] = [];
    const watchesBefore = requests.filter((event) => event.method === "WATCH").length;
    const watch = client.watch("v1", "ConfigMap", { namespace: ns, labelSelector: "watched=yes", timeoutSeconds: 1 }, (event) => {
      events.push(event);
    });
    try {
      const resync = await eventually("RESYNC", () => events.find((event) => event.type === "RESYNC"));
      assert.deepEqual(
        resync.objects.map((object) => object.metadata.name),
        ["existing"],
      );

      await client.apply(configMap(ns, "w", { a: "1" }, labels));
      await eventually("ADDED", () => events.some((event) => event.type === "ADDED"));
      await client.apply(configMap(ns, "w", { a: "2" }, labels));
      await eventually("MODIFIED", () => events.some((event) => event.type === "MODIFIED"));
      // The apiserver ends each watch request after 1 s: wait for two reconnects.
      await eventually("reconnects", () => requests.filter((event) => event.method === "WATCH").length >= watchesBefore + 3);
      await client.apply(configMap(ns, "w", { a: "3" }, labels));
      await client.delete({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "w" });
      await eventually("DELETED", () => events.some((event) => event.type === "DELETED"));
    } finally {
      await watch.stop();
    }
    const seen = events
      .filter((event) => event.type !== "ERROR")
      .map((event) => (event.type === "RESYNC" ? "RESYNC" : `${event.type} ${event.object.metadata.name} ${JSON.stringify(event.object.data)}`));
    assert.deepEqual(seen, ["RESYNC", 'ADDED w {"a":"1"}', 'MODIFIED w {"a":"2"}', 'MODIFIED w {"a":"3"}', 'DELETED w {"a":"3"}']);
    assert.ok(
      events.every((event) => event.type !== "RESYNC" || event === events[0]),
      "no re-list after a plain reconnect",
    );
  });

  test("a resourceVersion the apiserver no longer has (410 Gone) turns into a RESYNC of the current state", async () => {
    // A CRD's watch cache starts when the CRD does, so a version from before then is gone.
    await createWidgetCrd();
    const ns = await namespace();
    const widget = (name: string) => ({ apiVersion: "radial.test/v1", kind: "Widget", metadata: { name, namespace: ns }, spec: {} });
    await client.apply(widget("now"));
    const events: WatchEvent[] = [];
    const watch = client.watch("radial.test/v1", "Widget", { namespace: ns, resourceVersion: "1" }, (event) => {
      events.push(event);
    });
    try {
      const resync = await eventually("RESYNC", () => events.find((event) => event.type === "RESYNC"));
      assert.deepEqual(
        resync.objects.map((object) => `${object.kind} ${object.metadata.name}`),
        ["Widget now"],
      );
      await client.apply(widget("later"));
      await eventually("ADDED after the resync", () => events.some((event) => event.type === "ADDED" && event.object.metadata.name === "later"));
    } finally {
      await watch.stop();
    }
    assert.deepEqual(
      events.map((event) => event.type),
      ["RESYNC", "ADDED"],
      "the expired version is not reported as an error",
    );
  });

  test("stop() ends it: no events after, and a handler that throws does not end it", async () => {
    const ns = await namespace();
    const events: WatchEvent[] = [];
    const watch = client.watch("v1", "ConfigMap", { namespace: ns }, (event) => {
      events.push(event);
      if (event.type === "ADDED" && event.object.metadata.name === "boom") throw new Error("handler bug");
    });
    await eventually("RESYNC", () => events.some((event) => event.type === "RESYNC"));
    await client.apply(configMap(ns, "boom", { a: "1" }));
    await client.apply(configMap(ns, "after", { a: "1" }));
    await eventually("ADDED after the throw", () => events.some((event) => event.type === "ADDED" && event.object.metadata.name === "after"));
    assert.ok(events.some((event) => event.type === "ERROR" && event.error.message === "handler bug"));
    // A second watch of the namespace, open throughout: once it has the sentinel, made after
    // "unseen", the apiserver has sent "unseen" to every watch still open.
    const witnessed: WatchEvent[] = [];
    const witness = client.watch("v1", "ConfigMap", { namespace: ns }, (event) => {
      witnessed.push(event);
    });
    try {
      await eventually("the witness's RESYNC", () => witnessed.some((event) => event.type === "RESYNC"));
      await watch.stop();
      const count = events.length;
      await client.apply(configMap(ns, "unseen", { a: "1" }));
      await client.apply(configMap(ns, "sentinel", { a: "1" }));
      await eventually("the sentinel", () => witnessed.some((event) => event.type === "ADDED" && event.object.metadata.name === "sentinel"));
      assert.deepEqual(events.slice(count), []);
    } finally {
      await witness.stop();
    }
  });
});

describe("rate limit", () => {
  test("after the burst, requests wait their turn at the set rate", async () => {
    const limited = new KubeClient(await loadKubeConfig({ kubeconfig: cluster.kubeconfig }), { qps: 20, burst: 5 });
    try {
      const answers = await Promise.all(Array.from({ length: 45 }, () => limited.request<{ gitVersion: string }>({ method: "GET", path: "/version" })));
      assert.ok(answers.every((answer) => answer.gitVersion.startsWith("v1.")));
      const { granted, throttled, maxWaitMs } = limited.limiter.stats;
      assert.equal(granted, 45);
      assert.equal(throttled, 40, "all but the burst of 5 waited");
      // The 45th request waits for 40 tokens at 20 per second: about 2 s.
      assert.ok(maxWaitMs > 1900 && maxWaitMs <= 2000, `longest wait ${maxWaitMs} ms`);
    } finally {
      limited.close();
    }
  });
});

/**
 * A plain HTTP proxy to the apiserver that answers chosen requests itself first, with a genuine
 * 429/503 HTTP response: an apiserver under load is hard to produce on demand, the HTTP is the point.
 */
async function startProxy(): Promise<{
  url: string;
  seen: { method: string; path: string; at: number }[];
  failNext: (method: string, path: string, status: number, retryAfter: number, times?: number) => void;
  close: () => Promise<void>;
}> {
  const seen: { method: string; path: string; at: number }[] = [];
  const failures: { method: string; path: string; status: number; retryAfter: number; times: number }[] = [];
  const ca = Buffer.from(cluster.caData, "base64").toString("utf8");
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    seen.push({ method: req.method ?? "", path, at: performance.now() });
    const failure = failures.find((f) => f.times > 0 && f.method === req.method && f.path === path);
    if (failure) {
      failure.times -= 1;
      req.resume();
      const status = {
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        message: "slow down",
        reason: failure.status === 429 ? "TooManyRequests" : "ServiceUnavailable",
        code: failure.status,
      };
      res.writeHead(failure.status, { "content-type": "application/json", "retry-after": String(failure.retryAfter) });
      res.end(JSON.stringify(status));
      return;
    }
    const upstream = httpsRequest(
      new URL(req.url ?? "/", cluster.server),
      { method: req.method, headers: { ...req.headers, host: new URL(cluster.server).host }, ca },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(address && typeof address === "object");
  return {
    url: `http://127.0.0.1:${address.port}`,
    seen,
    failNext: (method, path, status, retryAfter, times = 1) => failures.push({ method, path, status, retryAfter, times }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("retries", () => {
  test("429 with Retry-After is retried after the time the server asked for", async () => {
    const proxy = await startProxy();
    const events: RequestEvent[] = [];
    const proxied = new KubeClient({ server: proxy.url, token: cluster.token }, { onRequest: (event) => events.push(event) });
    try {
      await proxied.resourceFor("v1", "Namespace");
      proxy.failNext("GET", "/api/v1/namespaces/default", 429, 1);
      const ns = await proxied.get({ apiVersion: "v1", kind: "Namespace", name: "default" });
      assert.equal(ns?.metadata.name, "default");
      const attempts = proxy.seen.filter((request) => request.path === "/api/v1/namespaces/default");
      assert.equal(attempts.length, 2);
      assert.ok(attempts[1]!.at - attempts[0]!.at >= 950, `retried after ${attempts[1]!.at - attempts[0]!.at} ms, asked for 1 s`);
      assert.deepEqual(
        events.slice(-2).map((event) => event.code),
        [429, 200],
      );
    } finally {
      proxied.close();
      await proxy.close();
    }
  });

  test("5xx: an apply is retried, a create is not (it might have happened); retries run out into a TooManyRequests error", async () => {
    const proxy = await startProxy();
    const proxied = new KubeClient({ server: proxy.url, token: cluster.token }, { maxRetries: 2 });
    try {
      const ns = await namespace();
      const collection = `/api/v1/namespaces/${ns}/configmaps`;
      proxy.failNext("PATCH", `${collection}/applied`, 503, 0);
      const applied = await proxied.apply(configMap(ns, "applied", { a: "1" }));
      assert.equal(applied.metadata.name, "applied");

      proxy.failNext("POST", collection, 503, 0);
      await assert.rejects(
        proxied.create(configMap(ns, "created", { a: "1" })),
        (error: unknown) => error instanceof KubeApiError && error.status === 503 && error.reason === "ServiceUnavailable",
      );
      assert.equal(proxy.seen.filter((request) => request.method === "POST").length, 1);

      proxy.failNext("GET", `${collection}/applied`, 429, 0, 3);
      await assert.rejects(
        proxied.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "applied" }),
        (error: unknown) => error instanceof KubeApiError && error.reason === "TooManyRequests" && error.message.includes("slow down"),
      );
      assert.equal(proxy.seen.filter((request) => request.method === "GET" && request.path === `${collection}/applied`).length, 3, "first try and 2 retries");
    } finally {
      proxied.close();
      await proxy.close();
    }
  });
});
