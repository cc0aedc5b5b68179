import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parse } from "yaml";
import { diffObject, IgnoreDifferenceError } from "../../../agent/diff/index.js";
import type { KubeObject } from "../../../agent/kube/object.js";

// The live fixtures are what a real apiserver returned, managedFields included (see their header).
const fixture = (name: string) => parse(readFileSync(new URL(`./testdata/${name}.yaml`, import.meta.url), "utf8")) as KubeObject;
const desired = () => fixture("deployment-desired");
const edited = fixture("deployment-live-edited");
const scaledByHpa = fixture("deployment-live-hpa");

/** The parts of a Deployment's spec the tests change. */
interface DeploymentSpec {
  replicas: number;
  template: { spec: { containers: { image: string }[]; initContainers?: { name: string; image: string }[] } };
}

const withSpec = (object: KubeObject, change: (spec: DeploymentSpec) => void): KubeObject => {
  const copy = structuredClone(object);
  change(copy.spec as DeploymentSpec);
  return copy;
};

test("fields changed live by hand are drift, named with the manager that changed them", () => {
  assert.deepEqual(diffObject(desired(), edited, []), {
    drifted: true,
    fields: [
      { path: "spec.replicas", manager: "kubectl" },
      { path: "spec.template.spec.containers[name=web].image", manager: "kubectl-patch" },
    ],
  });
});

test("server defaults, added labels and other managers' fields that Git does not set are not drift", () => {
  const matching = withSpec(desired(), (spec) => {
    spec.replicas = 2;
    spec.template.spec.containers[0]!.image = "nginx:1.26";
  });
  // Live has protocol: TCP, imagePullPolicy, strategy, the team=ops label, status: none set by Git.
  assert.deepEqual(diffObject(matching, edited, []), { drifted: false, fields: [] });
});

test("replicas scaled by an HPA are ignored with managedFieldsManagers, the rest still counts", () => {
  assert.deepEqual(diffObject(desired(), scaledByHpa, []).fields[0], { path: "spec.replicas", manager: "kube-controller-manager" });
  const ignore = [{ group: "apps", kind: "Deployment", managedFieldsManagers: ["kube-controller-manager"] }];
  assert.deepEqual(diffObject(desired(), scaledByHpa, ignore).fields, [{ path: "spec.template.spec.containers[name=web].image", manager: "kubectl-patch" }]);
});

test("an ignoreDifferences rule applies only to the group, kind, name and namespace it names", () => {
  const replicas = (ignore: Parameters<typeof diffObject>[2]) =>
    diffObject(desired(), edited, ignore)
      .fields.map((f) => f.path)
      .includes("spec.replicas");
  assert.equal(replicas([{ kind: "Deployment", jsonPointers: ["/spec/replicas"] }]), true, "no group means the core group");
  assert.equal(replicas([{ group: "apps", kind: "Deployment", name: "other", jsonPointers: ["/spec/replicas"] }]), true);
  assert.equal(replicas([{ group: "apps", kind: "Deployment", namespace: "prod", jsonPointers: ["/spec/replicas"] }]), true);
  assert.equal(replicas([{ group: "apps", kind: "Deployment", name: "web", namespace: "default", jsonPointers: ["/spec/replicas"] }]), false);
  assert.equal(replicas([{ group: "*", kind: "Deploy*", jsonPointers: ["/spec/replicas"] }]), false);
});

test("jsonPointers unescape ~1 and ~0, as RFC 6901", () => {
  const labelled = structuredClone(desired());
  labelled.metadata.labels = { ...labelled.metadata.labels, "app.kubernetes.io/version": "1" };
  const matching = withSpec(labelled, (spec) => {
    spec.replicas = 2;
    spec.template.spec.containers[0]!.image = "nginx:1.26";
  });
  assert.deepEqual(diffObject(matching, edited, []).fields, [{ path: 'metadata.labels["app.kubernetes.io/version"]' }]);
  assert.equal(
    diffObject(matching, edited, [{ group: "apps", kind: "Deployment", jsonPointers: ["/metadata/labels/app.kubernetes.io~1version"] }]).drifted,
    false,
  );
});

test("jqPathExpressions with select remove only the matching list items", () => {
  const injected = withSpec(edited, (spec) => {
    spec.template.spec.initContainers = [{ name: "istio-init", image: "istio/proxy:1" }];
  });
  const wants = withSpec(desired(), (spec) => {
    spec.replicas = 2;
    spec.template.spec.containers[0]!.image = "nginx:1.26";
    spec.template.spec.initContainers = [{ name: "istio-init", image: "istio/proxy:2" }];
  });
  assert.deepEqual(diffObject(wants, injected, []).fields, [{ path: "spec.template.spec.initContainers[name=istio-init].image" }]);
  const ignoreInit = [{ group: "apps", kind: "Deployment", jqPathExpressions: ['.spec.template.spec.initContainers[] | select(.name == "istio-init")'] }];
  assert.equal(diffObject(wants, injected, ignoreInit).drifted, false);
  const ignoreOther = [{ group: "apps", kind: "Deployment", jqPathExpressions: ['.spec.template.spec.initContainers[]? | select(.name != "istio-init")'] }];
  assert.equal(diffObject(wants, injected, ignoreOther).drifted, true);
  const ignoreImage = [
    { group: "apps", kind: "Deployment", jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "web") | .image', '.spec["replicas"]'] },
  ];
  assert.deepEqual(diffObject(desired(), edited, ignoreImage), { drifted: false, fields: [] });
});

test("a jqPathExpression selecting several list items removes exactly those, as jq's del (delpaths: highest index first)", () => {
  const containers = (images: Record<string, string>) =>
    withSpec(desired(), (spec) => {
      spec.template.spec.containers = Object.entries(images).map(([name, image]) => ({ name, image }));
    });
  const wants = containers({ a: "a:1", b: "b:1", keep: "keep:1" });
  const ignore = [{ group: "apps", kind: "Deployment", jqPathExpressions: ['.spec.template.spec.containers[] | select(.name != "keep")'] }];
  // Removing index 0 and then index 1 of [a, b, keep] would take out a and keep, leaving b compared: drift on b, keep's hidden.
  assert.deepEqual(diffObject(wants, containers({ a: "a:2", b: "b:2", keep: "keep:2" }), ignore).fields, [
    { path: "spec.template.spec.containers[name=keep].image" },
  ]);
  assert.deepEqual(diffObject(wants, containers({ a: "a:2", b: "b:2", keep: "keep:1" }), ignore), { drifted: false, fields: [] });
  // Two levels of []: every (container, env) pair selected, the indices of both levels intact.
  const env = (values: string[]) =>
    withSpec(desired(), (spec) => {
      spec.template.spec.containers = ["x", "y"].map((name) => ({
        name,
        image: "nginx",
        env: values.map((value, i) => ({ name: i === values.length - 1 ? "KEEP" : `E${i}`, value })),
      }));
    });
  const ignoreEnv = [{ group: "apps", kind: "Deployment", jqPathExpressions: ['.spec.template.spec.containers[].env[] | select(.name != "KEEP")'] }];
  assert.deepEqual(diffObject(env(["1", "1", "1"]), env(["2", "2", "2"]), ignoreEnv).fields, [
    { path: "spec.template.spec.containers[name=x].env[name=KEEP].value" },
    { path: "spec.template.spec.containers[name=y].env[name=KEEP].value" },
  ]);
});

test("a jqPathExpression outside the supported subset is refused, naming it", () => {
  for (const expression of [".spec | map(.x)", '.metadata.annotations | with_entries(select(.key == "a"))', "..", ".a[] | select(.b > 1)", ".spec.x[1:2]"]) {
    assert.throws(
      () => diffObject(desired(), edited, [{ kind: "ConfigMap", jqPathExpressions: [expression] }]),
      (error: Error) => error instanceof IgnoreDifferenceError && error.message.includes(JSON.stringify(expression)),
      expression,
    );
  }
  assert.throws(() => diffObject(desired(), edited, [{ kind: "ConfigMap", jsonPointers: ["spec/replicas"] }]), IgnoreDifferenceError);
});

const service = (ports: object[], extra: object = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: "default" },
  spec: { selector: { app: "web" }, ports, ...extra },
});

test("keyed lists match items by key whatever their order, with the apiserver's protocol default", () => {
  const live = service(
    [
      { name: "metrics", port: 9090, protocol: "TCP", targetPort: 9090 },
      { name: "http", port: 80, protocol: "TCP", targetPort: "http" },
    ],
    { type: "ClusterIP", clusterIP: "10.96.0.10", sessionAffinity: "None" },
  );
  assert.equal(
    diffObject(
      service([
        { name: "http", port: 80, targetPort: "http" },
        { name: "metrics", port: 9090 },
      ]),
      live,
      [],
    ).drifted,
    false,
  );
  assert.deepEqual(
    diffObject(
      service([
        { name: "http", port: 80, targetPort: 8080 },
        { name: "dns", port: 53, protocol: "UDP" },
      ]),
      live,
      [],
    ).fields,
    [{ path: "spec.ports[port=80,protocol=TCP].targetPort" }, { path: "spec.ports[port=53,protocol=UDP]" }],
  );
});

test("a number and its decimal string are the same value; zero values and nulls set nothing", () => {
  const live = service([{ port: 80, protocol: "TCP", targetPort: 8080 }], { type: "ClusterIP" });
  assert.equal(diffObject(service([{ port: "80", targetPort: "8080" }]), live, []).drifted, false);
  const wants = service([{ port: 80 }], { publishNotReadyAddresses: false, externalIPs: [], sessionAffinityConfig: null });
  wants.metadata.annotations = {};
  wants.metadata.creationTimestamp = null;
  assert.equal(diffObject(wants, live, []).drifted, false);
});

test("atomic lists differ as a whole, while their items may carry server defaults", () => {
  const sts = (args: string[], claimTemplate: object): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "db" },
    spec: { template: { spec: { containers: [{ name: "db", args }] } }, volumeClaimTemplates: [claimTemplate] },
  });
  const claim = { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } };
  const liveClaim = {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    ...claim,
    spec: { ...claim.spec, volumeMode: "Filesystem" },
    status: { phase: "Pending" },
  };
  const live = sts(["--port", "5432"], liveClaim);
  assert.equal(diffObject(sts(["--port", "5432"], claim), live, []).drifted, false);
  assert.deepEqual(diffObject(sts(["5432", "--port"], claim), live, []).fields, [{ path: "spec.template.spec.containers[name=db].args" }]);
});

test("a Secret's stringData is compared with the live data it becomes", () => {
  const live: KubeObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "db" },
    type: "Opaque",
    data: { password: Buffer.from("s3cret").toString("base64") },
  };
  const secret = (password: string): KubeObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, stringData: { password } });
  assert.equal(diffObject(secret("s3cret"), live, []).drifted, false);
  assert.deepEqual(diffObject(secret("changed"), live, []).fields, [{ path: "data.password" }]);
});
