import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { DeployBranch } from "../../../agent/source/branch.js";
import { FolderReadError } from "../../../agent/source/read.js";
import { GitRepository } from "../../../lambdas/adapters/git/repository.js";
import { startGitServer, type GitServer } from "../../engines/git-server.js";

const author = { name: "Radial Hub", email: "hub@radial.invalid" };
let server: GitServer;
let url: string;
let hub: GitRepository;
let scratch: string;

before(async () => {
  server = await startGitServer();
  url = await server.createRepo("fleet", { seed: { "README.md": "fleet\n" } });
  scratch = await mkdtemp(join(tmpdir(), "radial-agent-source-"));
  hub = new GitRepository({ url, dir: join(scratch, "hub") });
});
after(async () => {
  await server.stop();
  await rm(scratch, { recursive: true, force: true });
});

function application(name: string, extra = ""): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
spec:
  source: { repoURL: ${url}, path: apps/${name} }
  destination: { server: https://kubernetes.default.svc, namespace: ${name} }
  syncPolicy: { automated: { prune: true, selfHeal: true } }
${extra}`;
}

function configMap(name: string, value: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "${value}"\n`;
}

async function write(cluster: string, files: Record<string, string>): Promise<string> {
  const [result] = await hub.writeBranches([{ branch: `radial/clusters/${cluster}`, files, message: "generate" }], { author, now: new Date() });
  return result!.commit ?? result!.previous!;
}

function agentBranch(cluster: string, dataDir: string): DeployBranch {
  return new DeployBranch({ repoUrl: url, cluster, dataDir });
}

test("reads each application folder of its own cluster at the fetched commit, and only fetches its own branch", async () => {
  const mine = await write("edge-1", {
    "clusters/edge-1/web/application.yaml": application("web"),
    "clusters/edge-1/web/manifests.yaml": configMap("a", "1") + "---\n" + configMap("b", "2"),
    "clusters/edge-1/old/deleted.yaml":
      "apiVersion: radial.dev/v1alpha1\nkind: ApplicationDeletion\nmetadata:\n  name: old\n  finalizers: [resources-finalizer.argocd.argoproj.io]\n",
    "clusters/edge-1/empty/application.yaml": application("empty"),
    "clusters/edge-1/empty/manifests.yaml": "",
  });
  await write("edge-2", {
    "clusters/edge-2/other/application.yaml": application("other"),
    "clusters/edge-2/other/manifests.yaml": configMap("x", "big".repeat(50_000)),
  });

  const branch = agentBranch("edge-1", join(scratch, "agent-1"));
  assert.equal(await branch.head(), mine);
  assert.equal(await branch.fetched(), null);
  assert.equal(await branch.fetch(), mine);
  assert.ok(branch.bytesReceived < 50_000, `fetched ${branch.bytesReceived} bytes: another cluster's branch came along`);

  const folder = await branch.read(mine);
  assert.deepEqual(folder.failures, []);
  const byName = Object.fromEntries(folder.applications.map((app) => [app.name, app]));
  assert.deepEqual(Object.keys(byName).sort(), ["empty", "old", "web"]);
  const web = byName.web!;
  assert.equal(web.state, "present");
  assert.equal(web.revision, mine);
  assert.deepEqual(
    web.manifests.map((m) => [m.kind, m.metadata.name, (m.data as { value: string }).value]),
    [
      ["ConfigMap", "a", "1"],
      ["ConfigMap", "b", "2"],
    ],
  );
  assert.equal(web.application.spec.syncPolicy?.automated?.prune, true);
  assert.deepEqual(byName.old, { state: "deleted", name: "old", revision: mine, finalizers: ["resources-finalizer.argocd.argoproj.io"] });
  assert.deepEqual(byName.empty?.state === "present" && byName.empty.manifests, []);
});

test("a new commit is seen by the ref lookup and fetched into the kept store; a restart remembers what was fetched", async () => {
  const dataDir = join(scratch, "agent-2");
  const first = await write("edge-3", {
    "clusters/edge-3/web/application.yaml": application("web"),
    "clusters/edge-3/web/manifests.yaml": configMap("a", "1"),
  });
  const branch = agentBranch("edge-3", dataDir);
  await branch.fetch();

  const second = await write("edge-3", {
    "clusters/edge-3/web/application.yaml": application("web"),
    "clusters/edge-3/web/manifests.yaml": configMap("a", "2"),
  });
  assert.notEqual(second, first);
  assert.equal(await branch.head(), second);
  assert.equal(await branch.fetch(), second);
  const folder = await branch.read(second);
  const web = folder.applications[0]!;
  assert.equal(web.state === "present" && (web.manifests[0]!.data as { value: string }).value, "2");

  const restarted = agentBranch("edge-3", dataDir);
  assert.equal(await restarted.fetched(), second);
  assert.equal((await restarted.read(second)).applications.length, 1);
});

test("a branch the hub has not written yet has no head", async () => {
  const branch = agentBranch("never-written", join(scratch, "agent-3"));
  assert.equal(await branch.head(), null);
  await assert.rejects(branch.fetch());
});

test("a malformed application is an error for that application only; the others are read", async () => {
  await write("edge-4", {
    "clusters/edge-4/good/application.yaml": application("good"),
    "clusters/edge-4/good/manifests.yaml": configMap("a", "1"),
    "clusters/edge-4/bad-yaml/application.yaml": application("bad-yaml"),
    "clusters/edge-4/bad-yaml/manifests.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n",
    "clusters/edge-4/no-name/application.yaml": application("no-name"),
    "clusters/edge-4/no-name/manifests.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n",
    "clusters/edge-4/bad-spec/application.yaml": application("bad-spec", "  unknownField: 1\n").replace("spec:\n", "spec:\n  helmish: true\n"),
    "clusters/edge-4/bad-spec/manifests.yaml": configMap("a", "1"),
    "clusters/edge-4/renamed/application.yaml": application("someone-else"),
    "clusters/edge-4/renamed/manifests.yaml": configMap("a", "1"),
    "clusters/edge-4/half/application.yaml": application("half"),
    "clusters/edge-4/both/application.yaml": application("both"),
    "clusters/edge-4/both/manifests.yaml": configMap("a", "1"),
    "clusters/edge-4/both/deleted.yaml": "apiVersion: radial.dev/v1alpha1\nkind: ApplicationDeletion\nmetadata:\n  name: both\n",
  });
  const branch = agentBranch("edge-4", join(scratch, "agent-4"));
  const folder = await branch.read(await branch.fetch());
  assert.deepEqual(
    folder.applications.map((app) => app.name),
    ["good"],
  );
  const failures = Object.fromEntries(folder.failures.map((f) => [f.name, f.message]));
  assert.deepEqual(Object.keys(failures).sort(), ["bad-spec", "bad-yaml", "both", "half", "no-name", "renamed"]);
  assert.match(failures["bad-yaml"]!, /clusters\/edge-4\/bad-yaml\/manifests\.yaml(:\d+)?: invalid YAML/);
  assert.match(failures["no-name"]!, /ConfigMap has no metadata\.name/);
  assert.match(failures["bad-spec"]!, /application\.yaml.*spec/);
  assert.match(failures.renamed!, /metadata\.name is someone-else, not the folder's name renamed/);
  assert.match(failures.half!, /has no manifests\.yaml/);
  assert.match(failures.both!, /either an application or its tombstone/);
});

test("a folder that is no application name fails the whole read, so nothing can look deleted", async () => {
  const commit = await write("edge-5", {
    "clusters/edge-5/good/application.yaml": application("good"),
    "clusters/edge-5/good/manifests.yaml": configMap("a", "1"),
    "clusters/edge-5/Not_An_App/application.yaml": application("good"),
  });
  const branch = agentBranch("edge-5", join(scratch, "agent-5"));
  assert.equal(await branch.fetch(), commit);
  await assert.rejects(branch.read(commit), (error) => error instanceof FolderReadError && error.message.includes("Not_An_App: not an application name"));
});
