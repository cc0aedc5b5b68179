// The agent's cluster capabilities reach the hub once per change: discovered on a real KWOK cluster,
// sent through the real reporter to a real hub only while the hub's reply names another digest, and
// sent again after a CRD appears and discovery is refreshed (what the sync does after creating CRDs).
import { Logger } from "@aws-lambda-powertools/logger";
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { RegisterClusterResponse, type HubReply } from "../../../contract/index.js";
import { KubeClient } from "../../../agent/kube/client.js";
import { loadKubeConfig } from "../../../agent/kube/kubeconfig.js";
import { buildReport } from "../../../agent/report/build.js";
import { CapabilitiesTracker } from "../../../agent/report/capabilities.js";
import { Reporter } from "../../../agent/report/reporter.js";
import { capabilitiesDigest } from "../../../core/capabilities.js";
import { kubectl, startCluster, type Cluster } from "../../engines/kubernetes.js";
import { waitFor } from "../../engines/process.js";
import { restartableHub, type RestartableHub } from "../runtime/restartable-hub.js";

const silent = new Logger({ serviceName: "radial-agent-test", logLevel: "SILENT" });
let hub: RestartableHub;
let cluster: Cluster;

before(async () => {
  [hub, cluster] = await Promise.all([restartableHub({ RADIAL_POLL_INTERVAL_SECONDS: "5" }), startCluster()]);
});
after(async () => {
  await Promise.all([(hub as RestartableHub | undefined)?.close(), (cluster as Cluster | undefined)?.stop()]);
});

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.radial.dev
spec:
  group: example.radial.dev
  names: { kind: Widget, plural: widgets }
  scope: Namespaced
  versions:
    - { name: v1, served: true, storage: true, schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } } }
`;

test("capabilities go to the hub once, not with every heartbeat, and again when a CRD changes them", { timeout: 10 * 60_000 }, async (t) => {
  const { token } = RegisterClusterResponse.parse(await hub.api("POST", "/v1/clusters", { name: "caps-1", labels: {} }));
  const kube = new KubeClient(await loadKubeConfig({ kubeconfig: cluster.kubeconfig }));
  t.after(() => kube.close());
  const replies: HubReply[] = [];
  const carried: string[] = [];
  const tracker: CapabilitiesTracker = new CapabilitiesTracker({ discover: () => kube.capabilities(), logger: silent, onChange: () => reporter.changed() });
  const reporter: Reporter = new Reporter({
    hubUrl: hub.url,
    token: () => token,
    heartbeatSeconds: 5,
    logger: silent,
    debounceMs: 50,
    build: (driftEvents) => {
      const report = buildReport({
        cluster: "caps-1",
        agentVersion: "test",
        now: new Date(),
        revision: null,
        conditions: [],
        applications: [],
        driftEvents,
        capabilities: tracker.toSend(),
      });
      if (report.capabilities) carried.push(capabilitiesDigest(report.capabilities));
      return report;
    },
    onReply: (reply) => {
      replies.push(reply);
      tracker.heard(reply.capabilitiesDigest);
    },
  });
  t.after(() => Promise.all([reporter.stop(false), tracker.stop()]));
  tracker.start();
  reporter.start();

  const first = capabilitiesDigest((await kube.capabilities()).capabilities);
  await waitFor("the hub holds the cluster's capabilities", () => Promise.resolve(replies.at(-1)?.capabilitiesDigest === first));
  assert.equal(replies[0]!.capabilitiesDigest, null, "the first reply: the hub holds none");
  assert.deepEqual(carried, [first], "sent once");

  // Changes and heartbeats go on without them.
  const seen = replies.length;
  for (let i = 1; i <= 3; i++) {
    reporter.changed();
    await waitFor(`report ${i} after the hub had them`, () => Promise.resolve(replies.length >= seen + i));
  }
  assert.deepEqual(carried, [first], "no report after the hub had them carried them again");

  await kubectl(cluster, ["apply", "-f", "-"], CRD);
  await kubectl(cluster, ["wait", "--for=condition=Established", "crd/widgets.example.radial.dev", "--timeout=120s"]);
  const second = (await kube.capabilities()).capabilities;
  assert.ok(second.apiVersions.includes("example.radial.dev/v1/Widget"));
  kube.refreshDiscovery();
  tracker.refresh();
  await waitFor("the hub holds the capabilities with the CRD", () => Promise.resolve(replies.at(-1)?.capabilitiesDigest === capabilitiesDigest(second)));
  assert.deepEqual(carried, [first, capabilitiesDigest(second)], "sent once more, after they changed");
});
