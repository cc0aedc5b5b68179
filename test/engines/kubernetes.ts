import { spawn } from "node:child_process";
import { generateKeyPair, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { cached, fingerprint } from "./cache.js";
import { GO_ENV, goInstall, goModuleDir } from "./go.js";
import { freePort, run, startDaemon, waitFor, type Daemon } from "./process.js";

export const KWOK_VERSION = "v0.8.0";

/** Our Go module: one multi-call binary with etcd, the control plane and kubectl (see main.go). */
const MODULE_DIR = fileURLToPath(new URL("./kube/", import.meta.url));
const MODULE_FILES = ["go.mod", "go.sum", "main.go"];
/** Names the multi-call binary answers to; each gets a symlink in bin/. */
const COMMANDS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"];

/**
 * KWOK's "fast" stage set, the one kwokctl runs by default: nodes turn Ready and renew a lease,
 * pods turn Ready, pods owned by a Job succeed, deleted pods go away. KWOK v0.5+ does nothing
 * without stages, and they ship only as YAML in its module, not inside the binary.
 */
const KWOK_STAGES = [
  "node/fast/node-initialize.yaml",
  "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
  "pod/fast/pod-ready.yaml",
  "pod/fast/pod-complete.yaml",
  "pod/fast/pod-delete.yaml",
];

/** The annotation that hands a node to our KWOK; nodes without it are left alone. */
const KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node";
const NODE_NAME = "kwok-node-0";
const START_TIMEOUT_MS = 120_000;

export interface KubernetesInstall {
  /** Folder with the multi-call binary `kube`, its command symlinks and `kwok`. */
  bin: string;
  kubectl: string;
  kwok: string;
  /** KWOK config file holding the stages. */
  kwokStages: string;
}

/** The Kubernetes version our go.mod pins; go.mod is the single place it is written. */
async function kubernetesVersion(): Promise<string> {
  const goMod = await readFile(join(MODULE_DIR, "go.mod"), "utf8");
  const match = /^\s*k8s\.io\/kubernetes (v\d+\.\d+\.\d+)\s*$/m.exec(goMod);
  if (!match?.[1]) throw new Error(`no k8s.io/kubernetes requirement in ${MODULE_DIR}go.mod`);
  return match[1];
}

/**
 * The -X flags upstream's hack/lib/version.sh sets. A module build leaves the version at
 * v0.0.0-master; kubectl reports client-go's copy and the servers component-base's, and
 * clients such as KWOK compare the server's version, so both must say the real one.
 */
function versionLdflags(version: string): string {
  const [major, minor] = version.slice(1).split(".");
  const values = { gitVersion: version, gitMajor: major, gitMinor: minor, gitTreeState: "clean", buildDate: "1970-01-01T00:00:00Z" };
  const flags = ["k8s.io/client-go/pkg/version", "k8s.io/component-base/version"].flatMap((pkg) =>
    Object.entries(values).map(([name, value]) => `-X ${pkg}.${name}=${value}`),
  );
  return ["-s", "-w", ...flags].join(" ");
}

async function kwokStagesYaml(): Promise<string> {
  const kwokDir = await goModuleDir("sigs.k8s.io/kwok", KWOK_VERSION);
  const stages = await Promise.all(KWOK_STAGES.map((stage) => readFile(join(kwokDir, "kustomize", "stage", stage), "utf8")));
  return stages.join("\n---\n");
}

async function build(dir: string, version: string): Promise<void> {
  const started = Date.now();
  const bin = join(dir, "bin");
  await mkdir(bin);
  console.error(`kubernetes: building ${version} and kwok ${KWOK_VERSION} from Go modules (cold: about 15 min on 2 cores)`);
  // -mod=readonly: the committed go.sum decides every version; a build never rewrites it.
  const goArgs = ["build", "-mod=readonly", "-trimpath", "-ldflags", versionLdflags(version), "-o", join(bin, "kube"), "."];
  await run("go", goArgs, { cwd: MODULE_DIR, env: GO_ENV, label: "go build kube" });
  for (const command of COMMANDS) await symlink("kube", join(bin, command));
  // KWOK's go.mod has no replace directives, so its own go.sum pins everything.
  await goInstall("sigs.k8s.io/kwok/cmd/kwok", KWOK_VERSION, bin);
  await writeFile(join(dir, "kwok-stages.yaml"), await kwokStagesYaml());
  console.error(`kubernetes: built ${version} and kwok ${KWOK_VERSION} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function install(): Promise<KubernetesInstall> {
  const version = await kubernetesVersion();
  const sources = await Promise.all(MODULE_FILES.map((file) => readFile(join(MODULE_DIR, file), "utf8")));
  const key = `kube-${version}-${fingerprint(versionLdflags(version), KWOK_VERSION, ...KWOK_STAGES, ...sources)}`;
  const dir = await cached(key, (scratch) => build(scratch, version));
  const bin = join(dir, "bin");
  return { bin, kubectl: join(bin, "kubectl"), kwok: join(bin, "kwok"), kwokStages: join(dir, "kwok-stages.yaml") };
}

let installing: Promise<KubernetesInstall> | undefined;

/** Builds (once, cached across runs) and returns the Kubernetes binaries. */
export function installKubernetes(): Promise<KubernetesInstall> {
  installing ??= install().catch((error: unknown) => {
    installing = undefined;
    throw error;
  });
  return installing;
}

// ---- shared etcd -------------------------------------------------------------------------

interface Etcd {
  url: string;
  daemon: Daemon;
  dataDir: string;
}

/**
 * One etcd serves every cluster of this test process, each apiserver under its own key prefix,
 * which isolates clusters fully; a cluster then costs one process and one startup less.
 */
let sharedEtcd: { ready: Promise<Etcd>; users: number } | undefined;

async function startEtcd(bin: string): Promise<Etcd> {
  const dataDir = await mkdtemp(join(tmpdir(), "radial-etcd-"));
  const url = `http://127.0.0.1:${await freePort()}`;
  const peer = `http://127.0.0.1:${await freePort()}`;
  const daemon = startDaemon(
    join(bin, "etcd"),
    [
      "--name=radial",
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=radial=${peer}`,
      // Throwaway test data: fsync per write would dominate every apiserver write.
      "--unsafe-no-fsync",
      "--log-level=warn",
    ],
    { label: "etcd" },
  );
  try {
    await waitFor("etcd /health", async () => ((await (await fetch(`${url}/health`)).json()) as { health?: string }).health === "true", {
      daemon,
      timeoutMs: START_TIMEOUT_MS,
    });
  } catch (error) {
    await daemon.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return { url, daemon, dataDir };
}

async function acquireEtcd(bin: string): Promise<string> {
  if (!sharedEtcd) {
    const entry = { ready: startEtcd(bin), users: 0 };
    sharedEtcd = entry;
    entry.ready.catch(() => {
      if (sharedEtcd === entry) sharedEtcd = undefined;
    });
  }
  sharedEtcd.users += 1;
  return (await sharedEtcd.ready).url;
}

/** Stops etcd and deletes its data when the last cluster using it has stopped. */
async function releaseEtcd(): Promise<void> {
  const entry = sharedEtcd;
  if (!entry || --entry.users > 0) return;
  sharedEtcd = undefined;
  const etcd = await entry.ready;
  await etcd.daemon.stop();
  await rm(etcd.dataDir, { recursive: true, force: true });
}

// ---- clusters ----------------------------------------------------------------------------

export interface Cluster {
  name: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** Path of a kubeconfig file for the admin user. */
  kubeconfig: string;
  kubeconfigYaml: string;
  /** Base64 PEM of the CA that signed the apiserver's serving certificate. */
  caData: string;
  /** Bearer token of the admin user (group system:masters). */
  token: string;
  stop(): Promise<void>;
  /** A lost cluster: stops its apiserver and the rest, then deletes its data (its etcd prefix); resolves to how many keys went. */
  destroy(): Promise<number>;
}

export interface ClusterOptions {
  /** Name of the cluster and its kubeconfig context; unique by default. */
  name?: string;
}

/** What a request needs to reach one apiserver as admin. */
interface ApiAccess {
  server: string;
  ca: string;
  token: string;
}

async function apiGet(api: ApiAccess, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${api.server}${path}`, { ca: api.ca, headers: { authorization: `Bearer ${api.token}` }, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

async function apiExists(api: ApiAccess, path: string): Promise<boolean> {
  return (await apiGet(api, path)).status === 200;
}

async function nodeReady(api: ApiAccess, node: string): Promise<boolean> {
  const { status, body } = await apiGet(api, `/api/v1/nodes/${node}`);
  if (status !== 200) return false;
  const conditions = (JSON.parse(body) as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? [];
  return conditions.some((c) => c.type === "Ready" && c.status === "True");
}

function kubeconfigFor(name: string, server: string, caData: string, token: string): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server, "certificate-authority-data": caData } }],
    users: [{ name: `${name}-admin`, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin` } }],
    "current-context": name,
  });
}

/** A node for KWOK to run: the annotation hands it over; allocatable bounds what schedules. */
function fakeNode(name: string): string {
  const resources = { cpu: "32", memory: "256Gi", pods: "110" };
  return stringify({
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION]: "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", type: "kwok" },
    },
    status: { allocatable: resources, capacity: resources },
  });
}

/**
 * Polls `probe` until it is true. Unlike waitFor it watches several processes, and fails at once
 * with the output of whichever exits, so a crashed controller does not show up as a timeout.
 */
async function waitForAll(what: string, daemons: Daemon[], probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const dead = daemons.find((daemon) => daemon.child.exitCode !== null || daemon.child.signalCode !== null);
    if (dead) throw new Error(`${what}: ${basename(dead.child.spawnfile)} exited\n${dead.output()}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) {
      const outputs = daemons.map((daemon) => `--- ${basename(daemon.child.spawnfile)}\n${daemon.output()}`);
      throw new Error(`${what}: not ready after ${START_TIMEOUT_MS} ms\n${outputs.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

let clusterCount = 0;

/**
 * Starts a Kubernetes cluster: an apiserver on the shared etcd under its own prefix, a
 * controller manager, a scheduler and KWOK with one fake node, all on loopback. Returns once
 * the API is ready, the default ServiceAccount exists and the node is Ready.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const started = Date.now();
  const { bin, kwok, kwokStages } = await installKubernetes();
  const unique = `${process.pid}-${++clusterCount}-${randomBytes(3).toString("hex")}`;
  const name = options.name ?? `radial-${unique}`;
  const dir = await mkdtemp(join(tmpdir(), "radial-kube-"));
  const daemons: Daemon[] = [];
  let etcdAcquired = false;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Clients first, the apiserver last, so nothing logs errors about a vanished server.
      const apiserver = daemons.shift();
      await Promise.all(daemons.map((daemon) => daemon.stop()));
      await apiserver?.stop();
      await rm(dir, { recursive: true, force: true });
      if (etcdAcquired) await releaseEtcd();
    })());
  let etcdUrl = "";
  const destroy = async () => {
    etcdAcquired = false;
    await stop();
    const deleted = await deletePrefix(etcdUrl, `/registry-${unique}/`);
    await releaseEtcd();
    return deleted;
  };

  try {
    etcdUrl = await acquireEtcd(bin);
    etcdAcquired = true;
    const token = randomBytes(24).toString("hex");
    const { apiserver, server, ca } = await startApiserver({ bin, dir, name, etcdUrl, token, etcdPrefix: `/registry-${unique}` });
    daemons.push(apiserver);
    const api = { server, ca, token };
    const caData = Buffer.from(ca).toString("base64");
    const kubeconfigYaml = kubeconfigFor(name, server, caData, token);
    const kubeconfig = join(dir, "kubeconfig");
    await writeFile(kubeconfig, kubeconfigYaml);

    const components = startComponents({ bin, kwok, kwokStages, dir, name, kubeconfig });
    daemons.push(...components);
    await kubectlAt(join(bin, "kubectl"), kubeconfig, ["apply", "-f", "-"], fakeNode(NODE_NAME));
    const all = [apiserver, ...components];
    await waitForAll(`${name}: default ServiceAccount`, all, () => apiExists(api, "/api/v1/namespaces/default/serviceaccounts/default"));
    await waitForAll(`${name}: node ${NODE_NAME} Ready`, all, () => nodeReady(api, NODE_NAME));

    console.error(`kubernetes: cluster ${name} ready in ${Date.now() - started} ms`);
    return { name, server, kubeconfig, kubeconfigYaml, caData, token, stop, destroy };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Deletes every key under `prefix` through etcd's JSON gateway; returns how many there were. */
async function deletePrefix(etcdUrl: string, prefix: string): Promise<number> {
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  const response = await fetch(`${etcdUrl}/v3/kv/deleterange`, { method: "POST", body: JSON.stringify({ key: b64(prefix), range_end: b64(end) }) });
  if (!response.ok) throw new Error(`etcd deleterange ${prefix}: ${response.status} ${await response.text()}`);
  return Number(((await response.json()) as { deleted?: string }).deleted ?? 0);
}

async function startApiserver(p: { bin: string; dir: string; name: string; etcdUrl: string; etcdPrefix: string; token: string }) {
  const pki = join(p.dir, "pki");
  await mkdir(pki);
  const { privateKey } = await promisify(generateKeyPair)("rsa", { modulusLength: 2048 });
  const serviceAccountKey = join(pki, "service-account.key");
  await writeFile(serviceAccountKey, privateKey.export({ type: "pkcs1", format: "pem" }));
  const tokens = join(pki, "tokens.csv");
  await writeFile(tokens, `${p.token},admin,admin,"system:masters"\n`);

  const port = await freePort();
  const server = `https://127.0.0.1:${port}`;
  const apiserver = startDaemon(
    join(p.bin, "kube-apiserver"),
    [
      `--etcd-servers=${p.etcdUrl}`,
      `--etcd-prefix=${p.etcdPrefix}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${port}`,
      // The apiserver writes a self-signed CA and serving cert for 127.0.0.1 here; node:crypto
      // cannot issue certificates, and this keeps us free of an openssl dependency.
      `--cert-dir=${pki}`,
      `--token-auth-file=${tokens}`,
      "--authorization-mode=RBAC",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${serviceAccountKey}`,
      `--service-account-signing-key-file=${serviceAccountKey}`,
      "--service-cluster-ip-range=10.96.0.0/16",
      // The reconciler would publish 127.0.0.1 as the endpoint of Service "kubernetes", which
      // validation rejects (loopback), failing every 10 s; no pod here could reach it anyway.
      "--endpoint-reconciler-type=none",
      "--allow-privileged=true",
      // Fairness queues only matter under contention from many tenants; off saves CPU.
      "--enable-priority-and-fairness=false",
      "--profiling=false",
    ],
    { label: `${p.name} kube-apiserver` },
  );
  try {
    // The key is written after the certificate, so its presence means the certificate is whole.
    await waitFor(`${p.name}: kube-apiserver certificate`, () => Promise.resolve(existsSync(join(pki, "apiserver.key"))), {
      daemon: apiserver,
      timeoutMs: START_TIMEOUT_MS,
    });
    const ca = await readFile(join(pki, "apiserver.crt"), "utf8");
    await waitFor(`${p.name}: kube-apiserver /readyz`, async () => apiExists({ server, ca, token: p.token }, "/readyz"), {
      daemon: apiserver,
      timeoutMs: START_TIMEOUT_MS,
    });
    return { apiserver, server, ca };
  } catch (error) {
    await apiserver.stop();
    throw error;
  }
}

/** Controller manager, scheduler and KWOK; none serves HTTP, so none needs a port of its own. */
function startComponents(p: { bin: string; kwok: string; kwokStages: string; dir: string; name: string; kubeconfig: string }): Daemon[] {
  const pki = join(p.dir, "pki");
  const controllerManager = startDaemon(
    join(p.bin, "kube-controller-manager"),
    [
      `--kubeconfig=${p.kubeconfig}`,
      "--leader-elect=false",
      "--secure-port=0",
      // Signs legacy token Secrets and publishes kube-root-ca.crt into every namespace.
      `--service-account-private-key-file=${join(pki, "service-account.key")}`,
      `--root-ca-file=${join(pki, "apiserver.crt")}`,
    ],
    { label: `${p.name} kube-controller-manager` },
  );
  const scheduler = startDaemon(join(p.bin, "kube-scheduler"), [`--kubeconfig=${p.kubeconfig}`, "--leader-elect=false", "--secure-port=0"], {
    label: `${p.name} kube-scheduler`,
  });
  const kwok = startDaemon(
    p.kwok,
    [
      `--kubeconfig=${p.kubeconfig}`,
      `--config=${p.kwokStages}`,
      "--manage-all-nodes=false",
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
      "--node-ip=127.0.0.1",
      "--cidr=10.244.0.0/16",
      // Hold and renew the node's Lease in kube-node-lease (every 10 s, as the kubelet does): the
      // lease stage heartbeats the node's status only every 10-20 min, so without a lease the node
      // lifecycle controller marks the node Unknown after its grace period (some 50 s), taints it
      // and turns its pods NotReady. The flag's default is 0, no leases.
      "--node-lease-duration-seconds=40",
    ],
    // KWOK also reads ~/.kwok/kwok.yaml when present; a HOME of our own keeps it out.
    { label: `${p.name} kwok`, env: { ...process.env, HOME: p.dir } },
  );
  return [controllerManager, scheduler, kwok];
}

// ---- kubectl -----------------------------------------------------------------------------

async function kubectlAt(kubectlPath: string, kubeconfig: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // KUBERC=off: a user's ~/.kube/kuberc (aliases, default flags) must not change what tests run.
    const child = spawn(kubectlPath, [`--kubeconfig=${kubeconfig}`, ...args], {
      env: { ...process.env, KUBERC: "off" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`kubectl ${args.join(" ")} exited with ${code ?? signal}\n${stderr}`));
    });
    child.stdin.end(input ?? "");
  });
}

/** Runs our kubectl against `cluster` and returns its stdout; `input` is fed to stdin (`-f -`). */
export async function kubectl(cluster: Pick<Cluster, "kubeconfig">, args: string[], input?: string): Promise<string> {
  const { kubectl: kubectlPath } = await installKubernetes();
  return kubectlAt(kubectlPath, cluster.kubeconfig, args, input);
}
