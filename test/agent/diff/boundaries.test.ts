// The diff at its edges: every keyed list Kubernetes matches by key (and the keys it matches by),
// the zero values the apiserver drops, numbers written as strings, how a path is written, who is
// named as the last writer, and what one manager last applied, read back from managedFields.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { diffObject } from "../../../agent/diff/index.js";
import { appliedBy } from "../../../agent/diff/extract.js";
import type { KubeObject, ManagedFieldsEntry } from "../../../agent/kube/object.js";

const thing = (spec: unknown, metadata: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "example.com/v1",
  kind: "Thing",
  metadata: { name: "t", namespace: "default", ...metadata },
  spec,
});
const drift = (desired: unknown, live: unknown) => diffObject(thing(desired), thing(live), []).fields.map((field) => field.path);

describe("keyed lists, matched by Kubernetes' list-map keys", () => {
  // [field, two items with distinct keys, the key as a path writes it]
  const lists: [string, Record<string, unknown>[], string][] = [
    ["containers", [{ name: "a" }, { name: "b" }], "name=a"],
    ["initContainers", [{ name: "a" }, { name: "b" }], "name=a"],
    ["ephemeralContainers", [{ name: "a" }, { name: "b" }], "name=a"],
    ["env", [{ name: "a" }, { name: "b" }], "name=a"],
    ["volumes", [{ name: "a" }, { name: "b" }], "name=a"],
    ["imagePullSecrets", [{ name: "a" }, { name: "b" }], "name=a"],
    ["resourceClaims", [{ name: "a" }, { name: "b" }], "name=a"],
    ["schedulingGates", [{ name: "a" }, { name: "b" }], "name=a"],
    ["volumeMounts", [{ mountPath: "/a" }, { mountPath: "/b" }], "mountPath=/a"],
    ["volumeDevices", [{ devicePath: "/a" }, { devicePath: "/b" }], "devicePath=/a"],
    ["hostAliases", [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }], "ip=10.0.0.1"],
    ["resizePolicy", [{ resourceName: "cpu" }, { resourceName: "memory" }], "resourceName=cpu"],
    [
      "topologySpreadConstraints",
      [
        { topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule" },
        { topologyKey: "zone", whenUnsatisfiable: "ScheduleAnyway" },
      ],
      "topologyKey=zone,whenUnsatisfiable=DoNotSchedule",
    ],
    ["ports", [{ containerPort: 80 }, { containerPort: 81 }], "containerPort=80,protocol=TCP"],
    ["ports", [{ port: 80 }, { port: 81 }], "port=80,protocol=TCP"],
  ];

  for (const [field, [a, b], key] of lists) {
    test(`${field} [${key}]: any order, server-filled fields allowed; a changed item is named by its key`, () => {
      const desired = {
        [field]: [
          { ...a, value: 1 },
          { ...b, value: 2 },
        ],
      };
      const live = {
        [field]: [
          { ...b, value: 2, filled: true },
          { ...a, value: 1, filled: true },
        ],
      };
      assert.deepEqual(drift(desired, live), [], "reordered");
      const changed = {
        [field]: [
          { ...b, value: 2 },
          { ...a, value: 3 },
        ],
      };
      assert.deepEqual(drift(desired, changed), [`spec.${field}[${key}].value`]);
      assert.deepEqual(drift(desired, { [field]: [{ ...b, value: 2 }] }), [`spec.${field}[${key}]`], "missing live");
    });
  }

  test("a list not keyed by Kubernetes, or whose items lack a key, is atomic: order counts and the list is one difference", () => {
    assert.deepEqual(drift({ rules: [{ name: "a" }, { name: "b" }] }, { rules: [{ name: "b" }, { name: "a" }] }), ["spec.rules"]);
    assert.deepEqual(drift({ containers: [{ name: "a" }, { image: "x" }] }, { containers: [{ image: "x" }, { name: "a" }] }), ["spec.containers"]);
    assert.deepEqual(drift({ ports: [{ containerPort: 80 }, { port: 81 }] }, { ports: [{ port: 81 }, { containerPort: 80 }] }), ["spec.ports"], "mixed ports");
    assert.deepEqual(drift({ args: ["a", "b"] }, { args: ["a", "b", "c"] }), ["spec.args"]);
    assert.deepEqual(drift({ args: ["a", "b"] }, { args: ["a", "b"] }), []);
    assert.deepEqual(drift({ containers: [] }, { containers: [{ name: "a" }] }), ["spec.containers"], "an empty list set by Git");
  });

  test("a protocol left out matches the live default, another protocol does not", () => {
    assert.deepEqual(drift({ ports: [{ containerPort: 53 }] }, { ports: [{ containerPort: 53, protocol: "TCP" }] }), []);
    assert.deepEqual(drift({ ports: [{ containerPort: 53, protocol: "UDP" }] }, { ports: [{ containerPort: 53, protocol: "TCP" }] }), [
      "spec.ports[containerPort=53,protocol=UDP]",
    ]);
  });
});

describe("values", () => {
  test("zero values Git writes match an absent or null live field; anything else set is drift", () => {
    assert.deepEqual(drift({ s: "", n: 0, b: false, l: [], o: {} }, {}), []);
    assert.deepEqual(drift({ s: "", n: 0 }, { s: null, n: null }), []);
    for (const value of ["x", 1, -1, true, ["x"], { a: 1 }]) assert.deepEqual(drift({ v: value }, {}), ["spec.v"], JSON.stringify(value));
    assert.deepEqual(drift({ v: null }, { v: 5 }), [], "null sets nothing");
  });

  test("a number and its decimal string are one value; other types are not", () => {
    assert.deepEqual(drift({ port: "8080", count: 3 }, { port: 8080, count: "3" }), []);
    assert.deepEqual(drift({ a: 1 }, { a: "1.0" }), ["spec.a"]);
    assert.deepEqual(drift({ a: true }, { a: "true" }), ["spec.a"]);
    assert.deepEqual(drift({ a: 1 }, { a: true }), ["spec.a"]);
  });

  test("an object or list where live holds something else is one difference", () => {
    assert.deepEqual(drift({ a: { b: 1 } }, { a: "b" }), ["spec.a"]);
    assert.deepEqual(drift({ a: { b: 1 } }, { a: [1] }), ["spec.a"]);
    assert.deepEqual(drift({ a: [1] }, { a: { 0: 1 } }), ["spec.a"]);
  });

  test("identity and status are not compared; of metadata only labels and annotations are", () => {
    const desired = { ...thing({}, { labels: { a: "1" }, annotations: { n: "x" }, finalizers: ["f"] }), status: { phase: "Ready" } };
    const live = { ...thing({}, { labels: { a: "1" }, annotations: { n: "x" } }), apiVersion: "example.com/v2", status: { phase: "Failed" } };
    assert.deepEqual(diffObject(desired, live as KubeObject, []).fields, []);
    const relabelled = thing({}, { labels: { a: "2" }, annotations: { n: "y" } });
    assert.deepEqual(diffObject(desired, relabelled, []).fields, [{ path: "metadata.labels.a" }, { path: "metadata.annotations.n" }]);
    const bare = { apiVersion: "example.com/v1", kind: "Thing", spec: {} } as unknown as KubeObject;
    assert.deepEqual(diffObject(thing({}, { labels: { a: "1" } }), { ...bare, metadata: { name: "t" } }, []).fields, [{ path: "metadata.labels" }]);
  });
});

describe("paths as drift reports write them", () => {
  test("plain names dotted, other keys quoted in brackets", () => {
    const labels = { "app.kubernetes.io/name": "web", _x: "1", "a-b": "2", "9": "3" };
    const changed = { "app.kubernetes.io/name": "api", _x: "0", "a-b": "0", "9": "0" };
    assert.deepEqual(
      diffObject(thing({}, { labels }), thing({}, { labels: changed }), []).fields.map((f) => f.path),
      // An integer-like key comes first in a JavaScript object.
      ['metadata.labels["9"]', 'metadata.labels["app.kubernetes.io/name"]', "metadata.labels._x", "metadata.labels.a-b"],
    );
    assert.deepEqual(drift({ "x y": { z: 1 } }, { "x y": { z: 2 } }), ['spec["x y"].z']);
  });
});

describe("who last wrote a drifted field", () => {
  const entry = (manager: string, time: string | undefined, fieldsV1: Record<string, unknown>): ManagedFieldsEntry => ({
    manager,
    operation: "Update",
    ...(time === undefined ? {} : { time }),
    fieldsV1,
  });
  const replicas = { "f:spec": { "f:replicas": {} } };
  const managerOfReplicas = (managedFields: ManagedFieldsEntry[]) =>
    diffObject(thing({ replicas: 1 }), thing({ replicas: 2 }, { managedFields }), []).fields[0]?.manager;

  test("the latest owner by time; at the same time, the later entry; an entry without a time is oldest", () => {
    assert.equal(managerOfReplicas([entry("new", "2026-01-02T00:00:00Z", replicas), entry("old", "2026-01-01T00:00:00Z", replicas)]), "new");
    assert.equal(managerOfReplicas([entry("first", "2026-01-01T00:00:00Z", replicas), entry("second", "2026-01-01T00:00:00Z", replicas)]), "second");
    assert.equal(managerOfReplicas([entry("timed", "2026-01-01T00:00:00Z", replicas), entry("untimed", undefined, replicas)]), "timed");
    assert.equal(managerOfReplicas([entry("other", "2026-01-01T00:00:00Z", { "f:spec": { "f:paused": {} } })]), undefined);
  });

  test("an atomic value owns everything under it; list items by key, exactly; a malformed key owns nothing", () => {
    const deep = (fieldsV1: Record<string, unknown>) =>
      diffObject(
        thing({ template: { containers: [{ name: "web", image: "a" }] } }),
        thing({ template: { containers: [{ name: "web", image: "b" }] } }, { managedFields: [entry("m", "2026-01-01T00:00:00Z", fieldsV1)] }),
        [],
      ).fields[0]?.manager;
    assert.equal(deep({ "f:spec": { "f:template": {} } }), "m", "atomic parent");
    assert.equal(deep({ "f:spec": { "f:template": { "f:containers": { 'k:{"name":"web"}': { "f:image": {} } } } } }), "m");
    assert.equal(deep({ "f:spec": { "f:template": { "f:containers": { 'k:{"name":"api"}': { "f:image": {} } } } } }), undefined, "another key");
    assert.equal(deep({ "f:spec": { "f:template": { "f:containers": { 'k:{"name":"web","x":1}': { "f:image": {} } } } } }), undefined, "more keys");
    assert.equal(deep({ "f:spec": { "f:template": { "f:containers": { 'k:{"name":"web"': { "f:image": {} } } } } }), undefined, "malformed");
    assert.equal(deep({ "f:spec": { "f:template": { "f:containers": { "k:[1]": { "f:image": {} } } } } }), undefined, "not an object");
    assert.equal(deep({ "f:spec": { "f:template": { "f:containers": { 'k:{"name":"web"}': { "f:name": {} } } } } }), undefined, "another field of the item");
    assert.equal(deep({ "f:spec": "x" }), undefined, "not a field set");
  });
});

describe("what one manager last applied (client-go's Extract)", () => {
  const edited = parse(readFileSync(new URL("./testdata/deployment-live-edited.yaml", import.meta.url), "utf8")) as KubeObject;

  test("radial's fields with their live values; fields others took over are not its own any more", () => {
    assert.deepEqual(appliedBy(edited, "radial"), {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default", labels: { app: "web" } },
      spec: {
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: {
            containers: [{ name: "web", env: [{ name: "MODE", value: "prod" }], ports: [{ containerPort: 80 }], resources: { requests: { cpu: "100m" } } }],
          },
        },
      },
    });
  });

  test("a manager that only updated, or applied a subresource, applied nothing: identity only", () => {
    const identity = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "default" } };
    assert.deepEqual(appliedBy(edited, "kubectl-label"), identity);
    assert.deepEqual(appliedBy(edited, "nobody"), identity);
    const statusApply = { manager: "radial", operation: "Apply", subresource: "status", fieldsV1: { "f:status": { "f:replicas": {} } } } as ManagedFieldsEntry;
    const [first, ...rest] = edited.metadata.managedFields!;
    const withStatus = { ...edited, metadata: { ...edited.metadata, managedFields: [statusApply, first!, ...rest] } };
    assert.deepEqual(appliedBy(withStatus, "radial"), appliedBy(edited, "radial"));
    const clusterScoped = { ...edited, metadata: { ...edited.metadata, namespace: undefined } } as unknown as KubeObject;
    assert.deepEqual(appliedBy(clusterScoped, "nobody"), { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" } });
  });

  test("set items by value, list items by index, keys whose numbers are strings", () => {
    const live = thing(
      { args: ["a", "b"], steps: [{ run: "x" }, { run: "y", extra: 1 }], ports: [{ containerPort: "80", name: "http" }], absent: null },
      {
        managedFields: [
          {
            manager: "m",
            operation: "Apply",
            fieldsV1: {
              "f:spec": {
                "f:args": { 'v:"b"': {} },
                "f:steps": { "i:1": { "f:run": {} } },
                "f:ports": { 'k:{"containerPort":80}': { ".": {}, "f:containerPort": {} } },
                "f:missing": {},
              },
            },
          },
        ],
      },
    );
    assert.deepEqual(appliedBy(live, "m").spec, { args: ["b"], steps: [{ run: "y" }], ports: [{ containerPort: "80" }] });
  });
});
