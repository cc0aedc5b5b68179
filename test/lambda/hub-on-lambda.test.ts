// The hub's Lambda bundles under the real Lambda runtime (AWS's emulator and Node.js runtime
// interface client), invoked with API Gateway v2 events and SQS batches, against DynamoDB Local,
// moto (SQS FIFO, Secrets Manager) and the real git server.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import * as z from "zod";
import { FleetOverview, GenerationHistoryPage, GenerationRun, HubReply, RegisterClusterResponse, type GenerationRecord } from "../../contract/index.js";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { bareGit } from "../engines/git-server.js";
import { waitFor } from "../engines/process.js";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { httpEvent, OPERATOR_ARN } from "./events.js";
import { GIT_AUTH, startLambdaHub, WEBHOOK_SECRET, type LambdaHub } from "./hub.js";
import type { LambdaFunction } from "./function.js";
import { startRecordingProxy, type RecordedRequest } from "./recording-proxy.js";

const webSet = (url: string) => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: web
spec:
  generators:
    - clusters: {}
  template:
    metadata:
      name: 'web-{{name}}'
    spec:
      project: default
      source: { repoURL: ${url}, targetRevision: HEAD, path: apps/web }
      destination: { name: '{{name}}', namespace: web }
`;
const fleet = (url: string) => ({
  "generators/web.yaml": webSet(url),
  "apps/web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  color: blue\n",
});
const operator = { iamCaller: OPERATOR_ARN };
/** What the schedule function answers (lambdas/handlers/schedule.ts). */
const ScheduleResult = z.strictObject({ queued: z.boolean(), reason: z.string(), staleClusters: z.number().int() });

describe("the hub's functions under the Lambda runtime", { timeout: 20 * 60_000 }, () => {
  let hub: LambdaHub;
  let worker: LambdaFunction;
  let agentToken: string;

  const branches = async () => (await bareGit(hub.git, "fleet", "for-each-ref", "--format=%(refname:short)", "refs/heads/radial/")).split("\n").filter(Boolean);
  const history = async (): Promise<GenerationRecord[]> => GenerationHistoryPage.parse((await hub.api("GET", "/v1/generations", operator)).body).items;

  before(async () => {
    hub = await startLambdaHub(fleet);
    worker = await hub.worker();
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
    await hub?.stop();
  });

  test("a registration queues a run; the worker drains the queue and writes the cluster's branch", async () => {
    const registered = await hub.api("POST", "/v1/clusters", { ...operator, body: JSON.stringify({ name: "edge-1", labels: { env: "prod" } }) });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    agentToken = RegisterClusterResponse.parse(registered.body).token;
    assert.equal((await hub.api("POST", "/v1/clusters", { body: JSON.stringify({ name: "x" }) })).status, 401, "no IAM caller, no registration");
    assert.deepEqual(await branches(), [], "nothing runs in the API function");
    assert.deepEqual(await hub.drain(worker), [1]);
    assert.deepEqual(await branches(), ["radial/clusters/edge-1"]);
    assert.deepEqual(
      (await history()).map((r) => [r.trigger, r.clustersChanged, r.errorCount]),
      [["inventory", 1, 0]],
    );
  });

  test("status intake: the agent's token, the branch head in the reply", async () => {
    const head = await bareGit(hub.git, "fleet", "rev-parse", "refs/heads/radial/clusters/edge-1");
    const report = {
      cluster: "edge-1",
      agentVersion: "0.1.0",
      heartbeatAt: new Date().toISOString(),
      revision: head,
      conditions: [],
      applications: [],
      driftEvents: [],
    };
    const headers = { authorization: `Bearer ${agentToken}`, "x-radial-cluster": "edge-1" };
    const reply = await hub.api("POST", "/v1/agent/status", { headers, body: JSON.stringify(report) });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(HubReply.parse(reply.body).revision, head);
    assert.equal(
      (await hub.api("POST", "/v1/agent/status", { headers: { authorization: "Bearer rdl_agent_nope", "x-radial-cluster": "edge-1" }, body: "{}" })).status,
      401,
    );
  });

  test("a push webhook signed with the secret from Secrets Manager queues a run", async () => {
    const body = JSON.stringify({ ref: "refs/heads/main", repository: { clone_url: hub.repoUrl } });
    const signature = `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(body).digest("hex")}`;
    const answer = await hub.api("POST", "/v1/webhooks/git", { body, headers: { "x-hub-signature-256": signature, "x-github-event": "push" } });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    const bad = await hub.api("POST", "/v1/webhooks/git", { body, headers: { "x-hub-signature-256": "sha256=00", "x-github-event": "push" } });
    assert.equal(bad.status, 401);
    assert.deepEqual(await hub.drain(worker), [1], "one message, the good delivery's");
    assert.equal((await history())[0]?.trigger, "webhook");
  });

  test("two runs requested at once run one after the other, never at once, on two worker instances", async () => {
    const second = await hub.worker();
    // An emulator runs one invocation at a time, as a Lambda instance does: the second request goes to a second API instance.
    const otherApi = await hub.startApi();
    const viaOther = async () => {
      const { result } = await otherApi.invoke(httpEvent("POST", "/v1/generate", { ...operator, query: "dryRun=true" }));
      const answer = result as APIGatewayProxyStructuredResultV2;
      return { status: answer.statusCode ?? 0, body: JSON.parse(answer.body ?? "null") as unknown };
    };
    const requested = await Promise.all([hub.api("POST", "/v1/generate", operator), viaOther()]);
    const runs = requested.map((answer) => {
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      return GenerationRun.parse(answer.body);
    });
    // Both instances poll the queue at once, as Lambda scales out; the one message group hands out one batch at a time.
    await Promise.all([hub.drain(worker), hub.drain(second)]);
    const done: GenerationRun[] = [];
    for (const run of runs) done.push(GenerationRun.parse((await hub.api("GET", `/v1/generations/${run.id}`, operator)).body));
    assert.deepEqual(
      done.map((run) => [run.state, run.error]),
      [
        ["finished", null],
        ["finished", null],
      ],
    );
    const [a, b] = done.map((run) => ({ start: Date.parse(run.startedAt!), end: Date.parse(run.finishedAt!) })).sort((x, y) => x.start - y.start);
    assert.ok(a!.end <= b!.start, `the runs overlapped: ${JSON.stringify(done.map((r) => [r.startedAt, r.finishedAt]))}`);
  });

  test("a function whose secret cannot be read stops its init naming the secret", async () => {
    const broken = await hub.startApi({ RADIAL_WEBHOOK_SECRET_ID: "radial/no-such-secret" });
    await assert.rejects(broken.invoke({}), /radial\/no-such-secret/);
  });

  /** The EMF documents the schedule function logged: each metric's values by name. */
  const emfMetrics = (): Map<string, number[]> => {
    const values = new Map<string, number[]>();
    for (const line of hub.scheduleOutput().split("\n")) {
      if (!line.startsWith("{")) continue;
      const document = JSON.parse(line) as Record<string, unknown> & { _aws?: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] } };
      for (const directive of document._aws?.CloudWatchMetrics ?? []) {
        assert.equal(directive.Namespace, "Radial");
        for (const { Name } of directive.Metrics) values.set(Name, [...(values.get(Name) ?? []), Number(document[Name])]);
      }
    }
    return values;
  };

  test("the source-poll schedule queues a run only when the fleet repo's source branch moved; the full schedule always does", async () => {
    const poll = async () => ScheduleResult.parse(await hub.fire("GenerationSourcePoll"));
    // edge-1 last reported in the status test: stale once 15 s have passed (three 5 s intervals), as the API's fleet view shows.
    const staleInApi = async () => FleetOverview.parse((await hub.api("GET", "/v1/fleet", operator)).body).clusters.stale === 1;
    await waitFor("edge-1 stale in the API's fleet overview", staleInApi, { timeoutMs: 120_000, intervalMs: 1000 });
    assert.deepEqual(await poll(), { queued: false, reason: "no head moved", staleClusters: 1 }, "the newest run read the branch as it is");
    const scratch = await mkdtemp(join(tmpdir(), "radial-lambda-push-"));
    try {
      const owner = new GitRepository({ url: hub.repoUrl, dir: scratch, auth: GIT_AUTH });
      const files = { ...fleet(hub.repoUrl), "README.md": "pushed with no webhook\n" };
      const [pushed] = await owner.writeBranches([{ branch: "main", files, message: "a push" }], {
        author: { name: "Owner", email: "owner@radial.invalid" },
        now: new Date(),
      });
      const moved = await poll();
      assert.equal(moved.queued, true);
      assert.match(moved.reason, new RegExp(`fleet\\.git refs/heads/main moved from [0-9a-f]{12} to ${pushed!.commit!.slice(0, 12)}`));
      assert.equal((await poll()).queued, false, "asked for once, not again before the run");
      // The sentinel: one message in the queue, the moved poll's; neither quiet poll queued one.
      assert.deepEqual(await hub.drain(worker), [1]);
      const [run] = await history();
      assert.deepEqual([run?.trigger, run?.sourceRevision], ["poll", pushed!.commit]);
      assert.deepEqual(await poll(), { queued: false, reason: "no head moved", staleClusters: 1 }, "the run elsewhere moved the poll's baseline");
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    assert.equal(ScheduleResult.parse(await hub.fire("GenerationEvery")).queued, true);
    assert.deepEqual(await hub.drain(worker), [1]);
    assert.equal((await history())[0]?.trigger, "schedule");
  });

  test("the schedule function emits the StaleClusters metric (EMF) at each invocation, with the fleet's count", () => {
    const stale = emfMetrics().get("StaleClusters");
    assert.deepEqual(stale, [1, 1, 1, 1, 1], "five invocations, edge-1 silent past its deadline at each");
  });

  test("Powertools Tracer captures the worker's and the schedule function's AWS clients; the API function carries no Tracer", async () => {
    // Where captureAWSv3Client puts X-Ray's middleware on a client it also adds Powertools' user agent
    // (PT/tracer), which the proxies see. The emulator gives invocations no trace context, so the
    // subsegments themselves are recorded nowhere here (test/lambda/function.ts).
    const [dynamodb, sqs] = await Promise.all([startRecordingProxy(hub.env.AWS_ENDPOINT_URL_DYNAMODB!), startRecordingProxy(hub.env.AWS_ENDPOINT_URL_SQS!)]);
    const traced = (requests: RecordedRequest[]) => new Set(requests.filter((r) => r.userAgent.includes("PT/tracer/")).map((r) => r.operation));
    try {
      // The SQS client sends each call to its queue's URL, so the queue is named by the proxy's.
      const queueUrl = hub.env.RADIAL_GENERATION_QUEUE_URL!.replace(hub.env.AWS_ENDPOINT_URL_SQS!, sqs.url);
      const endpoints = { AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url, AWS_ENDPOINT_URL_SQS: sqs.url, RADIAL_GENERATION_QUEUE_URL: queueUrl };
      const tracerOn = { ...endpoints, POWERTOOLS_TRACE_ENABLED: "true" };
      const schedule = await hub.startSchedule(tracerOn);
      assert.equal(ScheduleResult.parse((await schedule.invoke({ action: "run" })).result).queued, true);
      const queued = sqs.take();
      assert.deepEqual(traced(queued), new Set(["SendMessage"]), JSON.stringify(queued));
      assert.ok(traced(dynamodb.take()).has("Query"), "the fleet overview's reads");
      const tracedWorker = await hub.worker(tracerOn);
      assert.deepEqual(await hub.drain(tracedWorker), [1]);
      const workerCalls = traced(dynamodb.take());
      for (const operation of ["PutItem", "GetItem", "Query", "DeleteItem"])
        assert.ok(workerCalls.has(operation), `${operation} in ${[...workerCalls].join(", ")}`);
      const missing = /Missing AWS Lambda trace data/;
      for (const fn of [schedule, tracedWorker]) assert.doesNotMatch(fn.output(), missing, "no X-Ray error for the secrets read at init, outside any trace");
      const api = await hub.startApi(endpoints);
      await api.invoke(httpEvent("GET", "/v1/clusters", operator));
      const apiCalls = dynamodb.take();
      assert.ok(apiCalls.length > 0 && traced(apiCalls).size === 0, "the API function's calls carry no Tracer (docs/architecture.md, Cold starts)");
    } finally {
      await Promise.all([dynamodb.stop(), sqs.stop()]);
    }
  });
});
