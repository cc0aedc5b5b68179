// The generation worker's asset under the Lambda runtime with a helm source and a kustomize one:
// the chart repository's credentials come from the stack's secret (RADIAL_HELM_SECRET_ID, in moto),
// never the environment, and helm and kustomize run although HOME and the XDG folders cannot be
// written, as on Lambda, where everything but /tmp is read-only. Both are found on PATH, as the
// tools layer puts them in /opt/bin.
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { after, before, describe, test } from "node:test";
import { GenerationHistoryPage, type GenerationRecord } from "../../contract/index.js";
import { bareGit } from "../engines/git-server.js";
import { installHelm } from "../engines/helm.js";
import { startChartRepository, type ChartRepository } from "../helm/chart-repository.js";
import { OPERATOR_ARN } from "./events.js";
import { startLambdaHub, type LambdaHub } from "./hub.js";

const CHART_AUTH = { username: "charts", password: "chart-repo-password-42" };
/** A path under which no process can create anything, not even root's: its parent is a character device. */
const UNWRITABLE = "/dev/null/home";
const HELM_SECRET = "SecretsHelmRepositories";
const operator = { iamCaller: OPERATOR_ARN };

const applicationSet = (name: string, source: string) => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: ${name}
spec:
  generators:
    - clusters: {}
  template:
    metadata:
      name: '${name}-{{name}}'
    spec:
      project: default
      source: ${source}
      destination: { name: '{{name}}', namespace: shop }
`;
const fleet = (charts: string) => (url: string) => ({
  "generators/web.yaml": applicationSet("web", `{ repoURL: ${charts}, chart: web, targetRevision: 1.0.0 }`),
  "generators/base.yaml": applicationSet("base", `{ repoURL: ${url}, targetRevision: HEAD, path: apps/base }`),
  "apps/base/kustomization.yaml": "resources: [cm.yaml]\nnamePrefix: shop-\n",
  "apps/base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base\ndata:\n  color: blue\n",
});

describe("helm and kustomize in the worker function under the Lambda runtime", { timeout: 20 * 60_000 }, () => {
  let charts: ChartRepository;
  let hub: LambdaHub;
  let readOnlyHome: Record<string, string>;

  const history = async (): Promise<GenerationRecord[]> => GenerationHistoryPage.parse((await hub.api("GET", "/v1/generations", operator)).body).items;
  /** Every file of the cluster's deploy branch, concatenated. */
  const branch = async (cluster: string): Promise<string> => {
    const ref = `refs/heads/radial/clusters/${cluster}`;
    const files = (await bareGit(hub.git, "fleet", "ls-tree", "-r", "--name-only", ref)).split("\n").filter(Boolean);
    return (await Promise.all(files.map((file) => bareGit(hub.git, "fleet", "show", `${ref}:${file}`)))).join("\n---\n");
  };

  before(async () => {
    const helm = await installHelm();
    charts = await startChartRepository(helm, [{ chart: "web", version: "1.0.0" }], CHART_AUTH);
    hub = await startLambdaHub(fleet(charts.url));
    readOnlyHome = {
      PATH: `${dirname(helm)}:${process.env.PATH}`,
      HOME: UNWRITABLE,
      XDG_CACHE_HOME: UNWRITABLE,
      XDG_CONFIG_HOME: UNWRITABLE,
      XDG_DATA_HOME: UNWRITABLE,
    };
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
    await hub?.stop();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
    await charts?.stop();
  });

  test("with the secret as deployed ({}), the chart is refused for want of credentials; the kustomize source is written", async () => {
    const worker = await hub.worker(readOnlyHome);
    const registered = await hub.api("POST", "/v1/clusters", { ...operator, body: JSON.stringify({ name: "edge-1" }) });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    assert.deepEqual(await hub.drain(worker), [1]);
    const [run] = await history();
    assert.equal(run?.errorCount, 1, JSON.stringify(run));
    assert.match(run.errors[0]!.message, /401|unauthorized/i);
    const written = await branch("edge-1");
    assert.match(written, /name: shop-base/, "kustomize built the base");
    assert.doesNotMatch(written, /web-edge-1-settings/);
  });

  test("with the repository's credentials put in the secret, a new worker instance pulls and renders the chart", async () => {
    await hub.putSecret(HELM_SECRET, JSON.stringify({ [charts.url]: CHART_AUTH }));
    const worker = await hub.worker(readOnlyHome);
    const requested = await hub.api("POST", "/v1/generate", operator);
    assert.equal(requested.status, 202, JSON.stringify(requested.body));
    assert.deepEqual(await hub.drain(worker), [1]);
    const [run] = await history();
    assert.deepEqual([run?.trigger, run?.errorCount, run?.errors], ["api", 0, []]);
    const written = await branch("edge-1");
    assert.match(written, /name: web-edge-1-settings/);
    assert.match(written, /kind: Deployment/);
    assert.match(written, /name: shop-base/);
    assert.ok(!written.includes(CHART_AUTH.password), "no credential reaches the branch");
  });

  test("a secret that is not chart repository settings stops the worker's init, naming the secret and the key", async () => {
    await hub.putSecret(HELM_SECRET, JSON.stringify({ "ftp://charts": {} }));
    const worker = await hub.worker(readOnlyHome);
    await assert.rejects(
      worker.invoke({ Records: [] }),
      new RegExp(`helm repositories secret \\S*${HELM_SECRET}\\S* is not usable: ftp://charts: must be an http://, https:// or oci:// URL prefix`),
    );
  });
});
