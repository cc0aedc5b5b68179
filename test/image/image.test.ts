// `npm run image` (build/image.ts): the OCI layout tarball's config and layers, its push to a real
// registry, and the agent run from the image's own file tree (its layers unpacked, entered with
// chroot as the image's user) against a real apiserver and hub.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import * as z from "zod";
import { ClusterStatus, RegisterClusterResponse } from "../../contract/index.js";
import { VERSION } from "../../core/version.js";
import { buildImage, IMAGE_ENTRYPOINT, IMAGE_USER, OCI_ARCH } from "../../build/image.js";
import { startTestHub, type TestHub } from "../hub/harness.js";
import { installKubernetes, startCluster, type Cluster } from "../engines/kubernetes.js";
import { freePort, waitFor } from "../engines/process.js";
import { installCrane } from "../engines/crane.js";
import { startRegistry } from "../engines/registry.js";

const exec = promisify(execFile);
/** By path: the agent's environment (the image's alone) has no PATH to look it up with. */
const CHROOT = "/usr/sbin/chroot";
const Descriptor = z.object({ mediaType: z.string(), digest: z.string(), size: z.number() });
const Manifest = z.object({ mediaType: z.literal("application/vnd.oci.image.manifest.v1+json"), config: Descriptor, layers: z.array(Descriptor) });
const ImageConfig = z.object({
  architecture: z.string(),
  os: z.literal("linux"),
  config: z.object({ User: z.string(), Entrypoint: z.array(z.string()), Cmd: z.array(z.string()), Env: z.array(z.string()) }),
});

let scratch: string;
let layout: string;
let manifest: z.infer<typeof Manifest>;
let config: z.infer<typeof ImageConfig>;

const blob = (digest: string) => join(layout, "blobs", ...digest.split(":"));
const layerFiles = async (digest: string) => (await exec("tar", ["-tzf", blob(digest)], { maxBuffer: 16 * 1024 * 1024 })).stdout.split("\n").filter(Boolean);

before(
  async () => {
    scratch = await mkdtemp(join(tmpdir(), "radial-image-test-"));
    const out = join(scratch, "agent.oci.tar");
    await buildImage(out, (line) => console.error(`image: ${line}`));
    layout = join(scratch, "layout");
    await mkdir(layout);
    await exec("tar", ["-xf", out, "-C", layout]);
    const index = z.object({ manifests: z.array(Descriptor).length(1) }).parse(JSON.parse(await readFile(join(layout, "index.json"), "utf8")));
    manifest = Manifest.parse(JSON.parse(await readFile(blob(index.manifests[0]!.digest), "utf8")));
    config = ImageConfig.parse(JSON.parse(await readFile(blob(manifest.config.digest), "utf8")));
  },
  { timeout: 20 * 60_000 },
);
after(() => rm(scratch, { recursive: true, force: true }));

test("the tarball is an OCI image layout whose config runs the agent as uid 65532", async () => {
  assert.deepEqual(JSON.parse(await readFile(join(layout, "oci-layout"), "utf8")), { imageLayoutVersion: "1.0.0" });
  assert.equal(config.config.User, IMAGE_USER);
  assert.deepEqual(config.config.Entrypoint, ["/usr/local/bin/node", "--max-semi-space-size=1", "--max-old-space-size=192", "/app/radial.mjs"]);
  assert.deepEqual(config.config.Entrypoint, IMAGE_ENTRYPOINT);
  assert.deepEqual(config.config.Cmd, ["agent"]);
  assert.ok(config.config.Env.includes("MALLOC_ARENA_MAX=2") && config.config.Env.includes("NODE_ENV=production"), config.config.Env.join(" "));
  assert.equal(config.architecture, OCI_ARCH[process.arch]);
});

test("two layers, node and its libraries, then the bundle and the Lua VM beside it; no shell anywhere", async () => {
  assert.deepEqual(
    manifest.layers.map((layer) => layer.mediaType),
    ["application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.v1.tar+gzip"],
  );
  const [runtime, app] = await Promise.all(manifest.layers.map((layer) => layerFiles(layer.digest)));
  assert.ok(runtime!.includes("./usr/local/bin/node"));
  assert.ok(runtime!.some((file) => file.endsWith("/libc.so.6")));
  assert.deepEqual(
    app!.filter((file) => !file.endsWith("/")),
    ["./app/glue.wasm", "./app/radial.mjs"],
  );
  const shells = [...runtime!, ...app!].filter((file) => ["sh", "bash", "dash", "ash", "busybox"].some((shell) => file.endsWith(`/${shell}`)));
  assert.deepEqual(shells, []);
});

test("the unpacked layout pushes as it is to a real OCI registry, under the digest its index names", { timeout: 10 * 60_000 }, async () => {
  const [crane, registry] = await Promise.all([installCrane(), startRegistry()]);
  try {
    // crane keeps the login in $DOCKER_CONFIG: a folder of the test's own.
    const env = { ...process.env, DOCKER_CONFIG: join(scratch, "docker") };
    await exec(crane, ["auth", "login", registry.host, "--username", registry.username, "--password", registry.password], { env });
    const ref = `${registry.host}/radial/agent:${VERSION}`;
    await exec(crane, ["push", layout, ref], { env });
    const index = z.object({ manifests: z.array(Descriptor) }).parse(JSON.parse(await readFile(join(layout, "index.json"), "utf8")));
    assert.equal((await exec(crane, ["digest", ref], { env })).stdout.trim(), index.manifests[0]!.digest);
  } finally {
    await registry.stop();
  }
});

test("the agent runs inside the image's file tree, as its user, and reports to the hub", { timeout: 10 * 60_000 }, async (t) => {
  if (process.getuid?.() !== 0) {
    t.skip("entering the file tree takes chroot, which needs root (CI runs as root)");
    return;
  }
  const root = join(scratch, "root");
  await mkdir(root);
  for (const layer of manifest.layers) await exec("tar", ["-xzf", blob(layer.digest), "-C", root]);
  const [user, group] = IMAGE_USER.split(":");
  // Only the image's environment: nothing of this machine's may make it work.
  const inTree = (args: string[], env: string[] = []) =>
    spawn(CHROOT, [`--userspec=${user}:${group}`, root, ...config.config.Entrypoint, ...args], {
      env: Object.fromEntries([...config.config.Env, ...env].map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)])),
      stdio: ["ignore", "pipe", "pipe"],
    });
  const version = inTree(["--version"]);
  let printed = "";
  version.stdout.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  assert.equal(await new Promise((done) => version.once("close", done)), 0);
  assert.equal(printed.trim(), VERSION);

  await installKubernetes();
  let kube: Cluster | undefined;
  let hub: TestHub | undefined;
  try {
    [kube, hub] = await Promise.all([startCluster(), startTestHub()]);
    const registered = RegisterClusterResponse.parse((await hub.api("POST", "/v1/clusters", { body: { name: "in-image" } })).body);
    await writeFile(join(root, "tmp", "kubeconfig"), kube.kubeconfigYaml, { mode: 0o644 });
    const agent = inTree(
      ["agent", "--kubeconfig", "/tmp/kubeconfig", "--metrics-port", String(await freePort())],
      [`RADIAL_AGENT_HUB_URL=${hub.url}`, "RADIAL_AGENT_CLUSTER=in-image", `RADIAL_AGENT_TOKEN=${registered.token}`],
    );
    let output = "";
    agent.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    agent.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      const testHub = hub;
      await waitFor(
        "a report from the agent in the image",
        async () => {
          const status = ClusterStatus.parse((await testHub.api("GET", "/v1/clusters/in-image/status")).body);
          return status.reported && status.agentVersion === VERSION;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${output}`, { cause: error });
    } finally {
      agent.kill("SIGKILL");
    }
  } finally {
    await Promise.all([kube?.stop(), hub?.stop()]);
  }
});
