// The embedded hub serves the built console at `/` next to the API, with its security headers,
// gzip for browsers that accept it, and nothing else from the folder.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { mkdtemp, rm, stat, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { consoleAssets, type ConsoleBuild } from "../../console/build.js";
import { startConsoleHub, type ConsoleHub } from "./console-hub.js";

let built: ConsoleBuild;
let hub: ConsoleHub;

before(async () => {
  hub = await startConsoleHub();
  built = hub.build;
});

after(() => hub.stop());

/** A raw GET, so the request target is sent exactly as written (fetch would normalize `..`). */
function get(
  target: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const url = new URL(hub.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: target, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("the build is one page, one script and one stylesheet, and the AWS sign-in's script apart, within the size goal", () => {
  assert.deepEqual(
    built.files.map((file) => [file.path.replace(/-[A-Z0-9]+\./, "."), file.onDemand]),
    [
      ["index.html", false],
      ["assets/main.js", false],
      ["assets/main.css", false],
      ["assets/aws-sign-in.js", true],
    ],
  );
  assert.ok(built.gzipBytes < 150 * 1024, `${built.gzipBytes} bytes gzipped, as on AWS`);
  assert.ok(built.pageGzipBytes < built.gzipBytes - 40 * 1024, "the embedded hub's page leaves the AWS SDK out");
});

test("/config.json tells the console to sign in with the admin token", async () => {
  const config = await get("/config.json");
  assert.equal(config.status, 200);
  assert.deepEqual(JSON.parse(config.body.toString()), { auth: "token" });
  assert.equal(config.headers["cache-control"], "no-cache");
});

test("/ is the page, with a policy that runs only the hub's own script and is revalidated on every load", async () => {
  const page = await get("/");
  assert.equal(page.status, 200);
  assert.match(String(page.headers["content-type"]), /^text\/html/);
  assert.match(String(page.headers["content-security-policy"]), /script-src 'self';/);
  assert.equal(page.headers["cache-control"], "no-cache");
  const script = /src="(\/assets\/main-\w+\.js)"/.exec(page.body.toString())?.[1];
  assert.ok(script, page.body.toString());

  const plain = await get(script);
  const zipped = await get(script, { "accept-encoding": "gzip, br" });
  assert.equal(zipped.headers["content-encoding"], "gzip");
  assert.equal(zipped.headers["cache-control"], "public, max-age=31536000, immutable");
  assert.deepEqual(gunzipSync(zipped.body), plain.body);
  assert.ok(zipped.body.length < plain.body.length / 2);
});

test("anything but the page and its assets is the API's: no other file is served, and the API still answers", async () => {
  assert.equal((await get("/assets/missing-AAAA.js")).status, 404);
  for (const target of ["/assets/../index.html", "/assets/%2e%2e/build.ts", "//assets/x.js", "/README.md"]) {
    const answer = await get(target);
    assert.notEqual(answer.status, 200, target);
    assert.match(String(answer.headers["content-type"]), /^application\/json/, target);
  }
  const healthz = await get("/healthz");
  assert.equal(healthz.status, 200);
  assert.deepEqual(await hub.api("GET", "/v1/clusters"), { items: [], nextPageToken: null });
});

test("hub up's console is built when missing and rebuilt when its sources are newer than the build, not otherwise", async () => {
  const dir = join(await mkdtemp(join(tmpdir(), "radial-console-assets-")), "dist");
  try {
    const index = join(dir, "index.html");
    assert.equal(await consoleAssets(dir), dir);
    const built = (await stat(index)).mtimeMs;
    await consoleAssets(dir);
    assert.equal((await stat(index)).mtimeMs, built, "an up-to-date build is kept");
    // Sources edited after the build: a build from long ago stands for it.
    await utimes(index, new Date(0), new Date(0));
    await consoleAssets(dir);
    assert.ok((await stat(index)).mtimeMs > 0, "rebuilt");
  } finally {
    await rm(join(dir, ".."), { recursive: true, force: true });
  }
});
