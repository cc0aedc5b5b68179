// Real chart repositories for the helm tests: an HTTP chart repository (charts packaged by
// `helm package`, an index.yaml made by `helm repo index`, served by a small static server, with
// optional basic auth) and charts pushed to a real OCI registry with `helm push`.
import { execFile } from "node:child_process";
import { createReadStream, existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../engines/process.js";

export const CHARTS = join(import.meta.dirname, "charts");

/** Runs helm with a home of its own, so nothing of the machine's user is read or written. */
export async function runHelm(helm: string, args: string[], home: string): Promise<string> {
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    HELM_CACHE_HOME: join(home, "cache"),
    HELM_CONFIG_HOME: join(home, "config"),
    HELM_DATA_HOME: join(home, "data"),
  };
  const { stdout } = await promisify(execFile)(helm, args, { env, cwd: home, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

export interface PackagedChart {
  /** A folder under CHARTS. */
  chart: string;
  version: string;
}

/** `helm package` of each chart at its version into `dir`; returns the archives' paths. */
export async function packageCharts(helm: string, charts: PackagedChart[], dir: string): Promise<string[]> {
  const archives: string[] = [];
  for (const { chart, version } of charts) {
    await runHelm(helm, ["package", join(CHARTS, chart), "--version", version, "--destination", dir], dir);
    archives.push(join(dir, `${chart}-${version}.tgz`));
  }
  return archives;
}

export interface ChartRepository {
  url: string;
  stop(): Promise<void>;
}

/** An HTTP chart repository serving the charts under `/charts`, asking for `auth` when given. */
export async function startChartRepository(helm: string, charts: PackagedChart[], auth?: { username: string; password: string }): Promise<ChartRepository> {
  const dir = await mkdtemp(join(tmpdir(), "radial-chart-repo-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/charts`;
  await packageCharts(helm, charts, dir);
  await runHelm(helm, ["repo", "index", dir, "--url", url], dir);
  const expected = auth ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}` : undefined;
  const server = createServer((request, response) => {
    if (expected && request.headers.authorization !== expected) {
      response.writeHead(401, { "www-authenticate": 'Basic realm="charts"' }).end();
      return;
    }
    const path = new URL(request.url ?? "/", url).pathname;
    const file = path.startsWith("/charts/") ? normalize(join(dir, path.slice("/charts/".length))) : "";
    if (!file.startsWith(`${dir}/`) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": file.endsWith(".yaml") ? "application/yaml" : "application/gzip" });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Pushes the charts to `oci://<host>/<path>` of a registry with basic auth (plain HTTP on loopback). */
export async function pushCharts(
  helm: string,
  charts: PackagedChart[],
  registry: { host: string; username: string; password: string },
  path: string,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "radial-chart-push-"));
  try {
    for (const archive of await packageCharts(helm, charts, dir)) {
      await runHelm(
        helm,
        ["push", archive, `oci://${registry.host}/${path}`, "--plain-http", "--username", registry.username, "--password", registry.password],
        dir,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
