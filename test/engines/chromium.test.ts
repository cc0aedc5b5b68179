import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { installChromium, launchBrowser } from "./chromium.js";
import { freePort } from "./process.js";
import { timed } from "./measure.js";

// The heading is empty in the HTML and filled by the script, so reading it proves JS ran.
const PAGE = `<!doctype html>
<html><head><title>radial smoke</title></head>
<body><h1 id="out"></h1>
<script>document.getElementById("out").textContent = "rendered " + (6 * 7);</script>
</body></html>`;

async function servePage(): Promise<{ server: Server; url: string }> {
  const port = await freePort();
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${port}/` };
}

test("Debian Chromium runs a page's script and takes a screenshot", { timeout: 15 * 60_000 }, async (t) => {
  const [, installSeconds] = await timed(installChromium);
  // The first launch pays for reading the binary from disk; the second is what later tests see.
  await (await launchBrowser()).close();
  const [browser, launchSeconds] = await timed(launchBrowser);
  t.after(() => browser.close());
  console.error(`chromium: install ${installSeconds.toFixed(1)} s, warm launch ${launchSeconds.toFixed(2)} s`);

  const { server, url } = await servePage();
  t.after(() => new Promise((resolve) => server.close(resolve)));

  const page = await browser.newPage();
  await page.goto(url);
  assert.equal(await page.locator("#out").textContent(), "rendered 42");

  const png = await page.screenshot();
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(png.length > 1000, `screenshot is only ${png.length} bytes`);
});
