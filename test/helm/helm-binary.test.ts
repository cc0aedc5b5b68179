// The helm adapter alone: RADIAL_HELM_REPOSITORIES, how a chart's repository is named to helm, the
// chart cache (one download per exact version), and helm template's arguments in Argo CD's order.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { HelmBinary, templateArgs } from "../../lambdas/adapters/helm/binary.js";
import { chartRepository, parseHelmRepositories } from "../../lambdas/adapters/helm/repositories.js";
import { installHelm } from "../engines/helm.js";
import { startChartRepository } from "./chart-repository.js";

test("RADIAL_HELM_REPOSITORIES: JSON of URL prefixes; errors name the setting and the key, never a password", () => {
  assert.deepEqual(parseHelmRepositories(undefined), {});
  assert.deepEqual(parseHelmRepositories('{"oci://r.example.com/charts": {"username": "u", "password": "p", "plainHttp": true}}'), {
    "oci://r.example.com/charts": { username: "u", password: "p", plainHttp: true },
  });
  assert.throws(() => parseHelmRepositories("{oops"), /^Error: RADIAL_HELM_REPOSITORIES must be JSON/);
  assert.throws(() => parseHelmRepositories('{"ftp://x": {}}'), /RADIAL_HELM_REPOSITORIES ftp:\/\/x: must be an http:\/\/, https:\/\/ or oci:\/\/ URL prefix/);
  assert.throws(
    () => parseHelmRepositories('{"https://x": {"username": "u", "password": "hunter2", "token": "t"}}'),
    (error: Error) => error.message.includes("RADIAL_HELM_REPOSITORIES https://x") && !error.message.includes("hunter2"),
  );
});

test("a chart's repository: scheme-less is an OCI registry, as in Argo CD; the longest matching prefix gives the settings", () => {
  const repositories = {
    "oci://r.example.com": { username: "all" },
    "oci://r.example.com/team": { username: "team" },
    "https://charts.example.com": { password: "p" },
  };
  assert.deepEqual(chartRepository("r.example.com/team/", repositories), { username: "team", url: "oci://r.example.com/team", oci: true });
  assert.deepEqual(chartRepository("oci://r.example.com/other", repositories), { username: "all", url: "oci://r.example.com/other", oci: true });
  assert.deepEqual(chartRepository("https://charts.example.com", repositories), { password: "p", url: "https://charts.example.com", oci: false });
  assert.deepEqual(chartRepository("https://charts.example.community", repositories), { url: "https://charts.example.community", oci: false });
});

test("helm template gets its arguments in the order Argo CD's Cmd.template gives them", () => {
  const args = templateArgs({
    chart: "/c",
    releaseName: "r",
    namespace: "ns",
    kubeVersion: "1.31.0",
    apiVersions: ["a/v1"],
    valueFiles: ["/v1.yaml", "/v2.yaml"],
    set: [["a", "1"]],
    setString: [["b", "2"]],
    setFile: [["c", "/f"]],
    includeCrds: true,
    skipSchemaValidation: true,
    skipTests: true,
  });
  assert.deepEqual(args, [
    ...["template", "/c", "--name-template", "r", "--namespace", "ns", "--kube-version", "1.31.0"],
    ...["--set", "a=1", "--set-string", "b=2", "--set-file", "c=/f", "--values", "/v1.yaml", "--values", "/v2.yaml"],
    ...["--api-versions", "a/v1", "--include-crds", "--skip-schema-validation", "--skip-tests"],
  ]);
});

test("a chart at an exact version is downloaded once and kept; a range is resolved against the repository each time", { timeout: 10 * 60_000 }, async (t) => {
  const helmPath = await installHelm();
  const scratch = await mkdtemp(join(tmpdir(), "radial-helm-binary-"));
  t.after(() => rm(scratch, { recursive: true, force: true }));
  const repository = await startChartRepository(helmPath, [{ chart: "web", version: "1.0.0" }]);
  const helm = HelmBinary(helmPath, { chartCache: join(scratch, "cache") });
  const reference = { repoURL: repository.url, chart: "web", version: "1.0.0", passCredentials: false };
  const first = await helm.pull(reference, scratch);
  assert.match(await readFile(join(first, "Chart.yaml"), "utf8"), /version: 1\.0\.0/);
  await repository.stop();

  const again = await helm.pull(reference, scratch);
  assert.notEqual(again, first, "each pull gets a copy of its own");
  assert.equal(await readFile(join(again, "values.yaml"), "utf8"), await readFile(join(first, "values.yaml"), "utf8"));
  await assert.rejects(helm.pull({ ...reference, version: "^1.0.0" }, scratch), /helm pull failed: .*(connection refused|ECONNREFUSED)/i);
});
