// The hub's answers as the CLI and the console read them: a full answer of each kind is accepted
// unchanged, every field it must carry is required (and a missing one is named), only the fields
// listed optional may be left out, and a field the contract does not know is refused. The wire
// names of every status and phase are spelled out here, not read back from the schemas.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as z from "zod";
import { AgentWaitQuery, AgentWaitReply, MAX_AGENT_WAIT_SECONDS } from "../../contract/agent-wait.js";
import {
  ApplicationAcrossFleet,
  ApplicationMatrix,
  Cluster,
  ClusterApplication,
  ClusterList,
  ClusterStatus,
  FleetEventPage,
  FleetOverview,
  GenerationHistoryPage,
  GenerationRun,
  Preflight,
  Rebuild,
  RebuildDryRunResponse,
  RebuildList,
  RebuildRequest,
  RebuildResponse,
  RegisterClusterResponse,
  RotateTokenResponse,
  WebhookAnswer,
  rebuildSummary,
  type RebuildState,
} from "../../contract/index.js";

const SHA = "a".repeat(40);
const HEAD = "b".repeat(40);
const AT = "2026-12-04T03:00:00Z";
const LATER = "2026-12-04T04:00:00Z";

/**
 * The schema accepts `example` as it is, refuses it without each field not in `optional` (naming
 * that field), accepts it without each field in `optional`, and refuses an unknown field.
 */
function pinned(schema: z.ZodType, example: Record<string, unknown>, optional: string[] = []): void {
  assert.deepEqual(schema.parse(example), example);
  for (const field of Object.keys(example)) {
    const { [field]: _, ...without } = example;
    const result = schema.safeParse(without);
    if (optional.includes(field)) assert.equal(result.success, true, `${field} may be left out`);
    else assert.deepEqual(result.error?.issues[0]?.path, [field], `${field} is required`);
  }
  const extra = schema.safeParse({ ...example, unexpected: 1 });
  assert.deepEqual(
    extra.error?.issues.map((issue) => issue.code),
    ["unrecognized_keys"],
    "an unknown field is refused",
  );
}

const rebuildSummaryOf = { incarnation: 2, phase: "Syncing", requestedAt: AT, finishedAt: null, message: null };

const cluster = {
  name: "prod-eu-1",
  labels: { env: "prod" },
  annotations: { "team.example/owner": "platform ✓" },
  server: "https://10.0.0.1:6443",
  eks: {
    arn: "arn:aws:eks:eu-west-1:123456789012:cluster/prod-eu-1",
    name: "prod-eu-1",
    region: "eu-west-1",
    version: "1.33",
    endpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
    status: "ACTIVE",
    platformVersion: "eks.5",
    tags: { team: "platform" },
    roleArn: "arn:aws:iam::123456789012:role/eks",
    vpcConfig: {
      subnetIds: ["subnet-1"],
      securityGroupIds: ["sg-1"],
      endpointPublicAccess: true,
      endpointPrivateAccess: false,
      publicAccessCidrs: ["0.0.0.0/0"],
    },
    kubernetesNetworkConfig: { serviceIpv4Cidr: "172.20.0.0/16", ipFamily: "ipv4" },
    logging: [{ types: ["api"], enabled: true }],
    describedAt: AT,
  },
  createdAt: AT,
  updatedAt: LATER,
  resourceVersion: "3",
  rebuild: rebuildSummaryOf,
  tokenIssuedAt: AT,
};

describe("clusters", () => {
  test("a cluster, its EKS record, and the answers of registration, rotation and the list", () => {
    pinned(Cluster, cluster, ["rebuild", "tokenIssuedAt"]);
    pinned(Cluster.shape.eks.unwrap(), cluster.eks);
    pinned(Cluster.shape.eks.unwrap().shape.vpcConfig, cluster.eks.vpcConfig);
    pinned(RegisterClusterResponse, { cluster, token: "t".repeat(43), bootstrap: "apiVersion: v1\n" });
    pinned(RotateTokenResponse, { token: "t".repeat(43), bootstrap: "apiVersion: v1\n", previousTokenValidUntil: LATER });
    pinned(ClusterList, { items: [cluster], nextPageToken: null });
  });

  test("a cluster's status, before and after its agent reported", () => {
    const application = { name: "web", revision: SHA, sync: "Synced", health: "Healthy", resourceCount: 3, resources: [], updatedAt: AT };
    const drift = {
      at: AT,
      application: "web",
      resource: { group: "apps", version: "v1", kind: "Deployment", namespace: "web", name: "web" },
      fields: ["spec.replicas"],
      action: "Healed",
      receivedAt: LATER,
    };
    const status = {
      cluster: "prod-eu-1",
      reported: true,
      stale: false,
      receivedAt: LATER,
      staleAt: LATER,
      heartbeatAt: AT,
      agentVersion: "0.1.0",
      revision: SHA,
      sync: "Synced",
      health: "Healthy",
      syncCounts: { Synced: 1 },
      healthCounts: { Healthy: 1 },
      conditions: [{ type: "Ready", status: "True", reason: "Synced", message: "all applied", lastTransitionTime: AT }],
      applications: [application],
      driftEvents: [drift],
      rebuild: rebuildSummaryOf,
    };
    pinned(ClusterStatus, status, ["rebuild"]);
    pinned(ClusterStatus.shape.applications.element, application);
    pinned(
      ClusterStatus.shape.driftEvents.element,
      drift,
      ["namespace", "manager", "message"].filter((f) => f in drift),
    );
  });
});

const fleetCluster = {
  name: "prod-eu-1",
  labels: { env: "prod" },
  state: "Stale",
  sync: "Unknown",
  health: "Unknown",
  reason: "stale",
  receivedAt: AT,
  staleAt: LATER,
  agentVersion: "0.1.0",
  revision: SHA,
  desiredRevision: HEAD,
};
const cell = {
  cluster: "prod-eu-1",
  application: "web",
  sync: "OutOfSync",
  health: "Degraded",
  reason: "not-applied",
  reportedSync: "Synced",
  reportedHealth: "Degraded",
  revision: SHA,
  desiredRevision: HEAD,
  lastSyncedAt: AT,
  updatedAt: LATER,
  message: "1 of 2 replicas available",
};
const counts = { total: 1, sync: { OutOfSync: 1 }, health: { Degraded: 1 } };

describe("the fleet views", () => {
  test("GET /v1/fleet, grouped, with every kind of problem", () => {
    const clusterCounts = { ...counts, reporting: 0, stale: 1, neverReported: 0 };
    const lastGeneration = {
      id: "run-1",
      startedAt: AT,
      trigger: "poll",
      sourceRevision: SHA,
      clustersChanged: 1,
      errorCount: 1,
      blocked: false,
      failedFiles: [{ file: "generators/web.yaml", errors: 1, first: { file: "generators/web.yaml", message: "bad template" } }],
    };
    const overview = {
      asOf: AT,
      staleAfterSeconds: 180,
      clusters: clusterCounts,
      applications: counts,
      groupBy: "env",
      groups: [{ value: null, other: true, clusters: clusterCounts, applications: counts }],
      problems: { degraded: [cell], outOfSync: [cell], stale: [{ cluster: "prod-eu-1", receivedAt: AT, staleAt: LATER }], lastGeneration },
    };
    pinned(FleetOverview, overview, ["groups"]);
    pinned(FleetOverview.shape.clusters, clusterCounts);
    pinned(FleetOverview.shape.problems, overview.problems);
    pinned(FleetOverview.shape.problems.shape.lastGeneration.unwrap(), lastGeneration);
    pinned(FleetOverview.shape.groups.unwrap().element, overview.groups[0]!, ["other"]);
  });

  test("a cell and a cluster as the views list them: the hub's honest status and why it differs", () => {
    pinned(ApplicationMatrix.shape.rows.element.shape.cluster, fleetCluster, ["reason"]);
    pinned(ApplicationMatrix.shape.rows.element.shape.cells.element, cell, ["reason", "message"]);
    const reasons = ["stale", "never-reported", "not-fetched", "not-applied"];
    const states = ["Reporting", "Stale", "NeverReported"];
    for (const reason of reasons) assert.equal(ApplicationMatrix.shape.rows.element.shape.cluster.safeParse({ ...fleetCluster, reason }).success, true, reason);
    for (const state of states) assert.equal(ApplicationMatrix.shape.rows.element.shape.cluster.safeParse({ ...fleetCluster, state }).success, true, state);
    assert.equal(ApplicationMatrix.shape.rows.element.shape.cluster.safeParse({ ...fleetCluster, reason: "late" }).success, false);
  });

  test("the matrix, one application across the fleet, one application on one cluster, the events", () => {
    pinned(ApplicationMatrix, {
      asOf: AT,
      applications: ["web"],
      totals: { clusters: 1, cells: 1 },
      rows: [{ cluster: fleetCluster, cells: [cell] }],
      nextPageToken: "next",
    });
    pinned(ApplicationAcrossFleet, {
      asOf: AT,
      application: "web",
      counts,
      revisions: [{ revision: SHA, clusters: 1 }],
      clusters: [{ cluster: fleetCluster, cell }],
      nextPageToken: null,
    });
    const resource = {
      group: "apps",
      version: "v1",
      kind: "Deployment",
      namespace: "web",
      name: "web",
      wave: 0,
      desired: true,
      reported: true,
      sync: "OutOfSync",
      health: "Degraded",
      message: "1 of 2",
    };
    const git = { revision: HEAD, path: "clusters/prod-eu-1/web/", deleted: false, application: "kind: Application\n", manifests: "kind: Deployment\n" };
    const drift = {
      at: AT,
      application: "web",
      resource: { group: "", version: "v1", kind: "ConfigMap", name: "web" },
      fields: ["data.a"],
      action: "Detected",
      receivedAt: LATER,
    };
    pinned(ClusterApplication, { cluster: fleetCluster, cell, git, resources: [resource], resourceCount: 3, driftEvents: [drift] });
    pinned(ClusterApplication.shape.git.unwrap(), git);
    pinned(ClusterApplication.shape.resources.element, resource, ["namespace", "message"]);
    const sync = { type: "sync", cluster: "prod-eu-1", application: "web", at: AT, revision: SHA, sync: "Synced", health: "Healthy" };
    pinned(FleetEventPage, { asOf: AT, items: [{ ...drift, type: "drift", cluster: "prod-eu-1" }, sync], nextPageToken: null });
    pinned(FleetEventPage.shape.items.element.options[1], sync);
  });
});

const phases = ["Requested", "ControlPlaneCreating", "ControlPlaneActive", "AwaitingAgent", "AgentConnected", "Syncing", "Converged", "Failed", "TimedOut"];
const rebuildState: RebuildState = {
  incarnation: 2,
  reason: "region lost",
  recreateEks: true,
  phase: "Converged",
  phases: phases.slice(0, 7).map((phase, i) => ({ phase: phase as RebuildState["phase"], enteredAt: AT, seconds: i === 6 ? null : i })),
  requestedAt: AT,
  deadline: LATER,
  finishedAt: LATER,
  totalSeconds: 3600,
  targetRevision: HEAD,
  applications: { converged: 5, total: 5 },
  message: null,
  eks: { step: "active", endpoint: "https://ABC.eks.amazonaws.com", polls: 12, nextPollAt: LATER },
  rev: 9,
};
const preflight = {
  revision: HEAD,
  items: [{ application: "db", apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: "db", name: "data", why: "holds a volume" }],
  truncated: false,
};

describe("rebuilds", () => {
  test("a rebuild, its answers and its list", () => {
    const rebuild = { cluster: "prod-eu-1", ...rebuildState, preflight };
    pinned(Rebuild, rebuild);
    pinned(Rebuild.shape.eks.unwrap(), rebuildState.eks!);
    pinned(RebuildResponse, { rebuild, token: "t".repeat(43), bootstrap: "apiVersion: v1\n" });
    pinned(RebuildDryRunResponse, { dryRun: true, preflight });
    assert.equal(RebuildDryRunResponse.safeParse({ dryRun: false, preflight }).success, false);
    pinned(RebuildList, { items: [rebuild] });
    pinned(Preflight.shape.items.element, preflight.items[0]!);
    assert.deepEqual(rebuildSummary(rebuildState), { incarnation: 2, phase: "Converged", requestedAt: AT, finishedAt: LATER, message: null });
  });

  test("every phase by its wire name, each at most once; the first rebuild is incarnation 2", () => {
    for (const phase of phases) assert.equal(Rebuild.shape.phase.safeParse(phase).success, true, phase);
    assert.equal(Rebuild.shape.phase.safeParse("Done").success, false);
    const all = phases.map((phase) => ({ phase, enteredAt: AT, seconds: 1 }));
    assert.equal(Rebuild.shape.phases.safeParse(all).success, true);
    assert.equal(Rebuild.shape.phases.safeParse([...all, all[0]]).success, false, "more entries than phases");
    assert.equal(Rebuild.shape.phases.safeParse([]).success, false);
    assert.equal(Rebuild.shape.incarnation.safeParse(1).success, false);
    for (const step of ["deleting", "creating", "active"]) assert.equal(Rebuild.shape.eks.safeParse({ ...rebuildState.eks, step }).success, true, step);
  });

  test("the request: a reason of 1 to 1024 UTF-8 bytes, a timeout of 1 s to 7 days", () => {
    pinned(RebuildRequest, { reason: "region lost", recreateEks: true, replace: true, dryRun: false, timeoutSeconds: 900, allowLoopbackHub: false }, [
      "recreateEks",
      "replace",
      "dryRun",
      "timeoutSeconds",
      "allowLoopbackHub",
    ]);
    const reason = (text: string) => RebuildRequest.safeParse({ reason: text }).error?.issues[0]?.message;
    assert.equal(reason("é".repeat(512)), undefined, "1024 bytes");
    assert.match(reason(`${"é".repeat(512)}a`) ?? "", /1024 bytes/, "1025 bytes in 513 characters");
    assert.equal(reason(""), "must not be empty");
    const timeout = (seconds: number) => RebuildRequest.safeParse({ reason: "r", timeoutSeconds: seconds }).success;
    assert.deepEqual([0, 1, 604_800, 604_801, 1.5].map(timeout), [false, true, true, false, false]);
  });

  test("the preflight lists at most 200 items, each bounded as Kubernetes bounds its names", () => {
    const items = (n: number) => Array.from({ length: n }, () => preflight.items[0]);
    assert.equal(Preflight.safeParse({ ...preflight, items: items(200) }).success, true);
    assert.equal(Preflight.safeParse({ ...preflight, items: items(201) }).success, false);
    const item = (field: string, length: number) => Preflight.shape.items.element.safeParse({ ...preflight.items[0], [field]: "x".repeat(length) }).success;
    for (const [field, max] of [
      ["apiVersion", 317],
      ["kind", 63],
      ["namespace", 63],
      ["name", 253],
      ["why", 256],
    ] as const) {
      assert.equal(item(field, max), true, `${field} of ${max}`);
      assert.equal(item(field, max + 1), false, `${field} of ${max + 1}`);
    }
  });
});

describe("generation and the webhook", () => {
  test("a finished run, the history page and the webhook's answer", () => {
    const result = {
      id: "run-1",
      sourceRevision: SHA,
      dryRun: true,
      durationMs: 12,
      clusters: [{ name: "prod-eu-1", commit: null, added: ["web"], changed: [], removed: [], diffs: [{ path: "web/application.yaml", diff: "+a" }] }],
      errors: [{ file: "generators/web.yaml", applicationSet: "web", application: "web-prod", cluster: "prod-eu-1", field: "spec", message: "bad" }],
      blocked: { removed: 3, current: 4, share: 0.75, maxRemovalShare: 0.5, message: "would remove 3 of 4" },
      diffsOmitted: false,
    };
    const run = {
      id: "run-1",
      dryRun: true,
      force: false,
      state: "finished",
      queuedAt: "2026-12-04T03:00:00.000Z",
      startedAt: "2026-12-04T03:00:01.000Z",
      finishedAt: "2026-12-04T03:00:02.000Z",
      result,
      error: null,
    };
    pinned(GenerationRun, run);
    pinned(GenerationRun.shape.result.unwrap(), result, ["blocked", "diffsOmitted"]);
    pinned(GenerationRun.shape.result.unwrap().shape.clusters.element, result.clusters[0]!, ["diffs"]);
    pinned(GenerationRun.shape.result.unwrap().shape.errors.element, result.errors[0]!, ["applicationSet", "application", "cluster", "field"]);
    for (const state of ["queued", "running", "finished", "failed"]) assert.equal(GenerationRun.safeParse({ ...run, state }).success, true, state);
    const record = {
      id: "run-1",
      startedAt: "2026-12-04T03:00:00.000Z",
      trigger: "webhook",
      sourceRevision: SHA,
      durationMs: 12,
      dryRun: false,
      clustersChanged: 1,
      applicationsAdded: 1,
      applicationsChanged: 0,
      applicationsRemoved: 0,
      errors: [{ file: "generators/web.yaml", message: "bad" }],
      errorCount: 1,
      blocked: result.blocked,
    };
    pinned(GenerationHistoryPage, { items: [record], nextPageToken: "next" });
    pinned(GenerationHistoryPage.shape.items.element, record, ["blocked"]);
    for (const trigger of ["inventory", "webhook", "api", "schedule", "poll"])
      assert.equal(GenerationHistoryPage.shape.items.element.safeParse({ ...record, trigger }).success, true, trigger);
    pinned(WebhookAnswer, { started: false, reason: "not the fleet repository's branch" });
  });
});

describe("the agent's long-poll", () => {
  test("the query names a full commit or nothing; the reply waits 0 to 25 s", () => {
    pinned(AgentWaitQuery, { known: SHA }, ["known"]);
    assert.equal(AgentWaitQuery.safeParse({ known: "abc" }).success, false);
    pinned(AgentWaitReply, { revision: null, waitSeconds: 25 });
    assert.equal(MAX_AGENT_WAIT_SECONDS, 25);
    const wait = (seconds: number) => AgentWaitReply.safeParse({ revision: SHA, waitSeconds: seconds }).success;
    assert.deepEqual([-1, 0, 25, 26, 2.5].map(wait), [false, true, true, false, false]);
  });
});
