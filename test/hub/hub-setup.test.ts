import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { Level } from "level";
import { scratchDir } from "../scratch.js";

interface Outcome {
  code: number | null;
  stderr: string;
}

/**
 * `radial hub up` on `dataDir`: the outcome of a start that fails, or, for one that succeeds, the
 * output up to its URL (then it is stopped, and `code` is null).
 */
function hubUp(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  const child = spawn(process.execPath, ["bin/radial.js", "hub", "up", "--port", "0", "--data-dir", dataDir], {
    env: { ...process.env, RADIAL_ADMIN_TOKEN: undefined, RADIAL_GENERATE_INTERVAL: "0", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  return new Promise((resolve) => {
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes("Radial hub listening on")) {
        child.kill("SIGTERM");
        resolve({ code: null, stderr });
      }
    });
    child.once("exit", (code) => resolve({ code, stderr }));
  });
}

function refusedWithoutTrace(outcome: Outcome, message: RegExp): void {
  assert.equal(outcome.code, 2, outcome.stderr);
  assert.match(outcome.stderr, message);
  assert.doesNotMatch(outcome.stderr, /^\s+at /m, "no stack trace");
}

/** A data dir whose inventory was created by a hub, as after a first start. */
async function startedOnce(t: Parameters<typeof scratchDir>[0]): Promise<string> {
  const dataDir = await scratchDir(t);
  const db = new Level(join(dataDir, "inventory"));
  await db.open();
  await db.put("k", "v");
  await db.close();
  return dataDir;
}

test("a corrupt inventory stops the hub with exit 2, naming the path, the cause and what to do (issue 11, item 8)", async (t) => {
  const dataDir = await startedOnce(t);
  await writeFile(join(dataDir, "inventory", "CURRENT"), "garbage\n");
  const outcome = await hubUp(dataDir);
  const path = join(dataDir, "inventory");
  refusedWithoutTrace(outcome, new RegExp(`the inventory at ${path} cannot be opened \\(.+\\): it is corrupt or unreadable`));
  assert.match(outcome.stderr, new RegExp(`mv ${path} ${path}\\.broken`));
  assert.match(outcome.stderr, /radial hub restore FILE/);
});

test("an inventory that is not a directory stops the hub with exit 2", async (t) => {
  const dataDir = await scratchDir(t);
  await writeFile(join(dataDir, "inventory"), "not a directory");
  refusedWithoutTrace(await hubUp(dataDir), /the inventory at .+ cannot be opened/);
});

test("an inventory another process holds stops the hub with exit 2, saying so", async (t) => {
  const dataDir = await startedOnce(t);
  const held = new Level(join(dataDir, "inventory"));
  await held.open();
  t.after(() => held.close());
  refusedWithoutTrace(await hubUp(dataDir), /is in use by another process \(a hub running on data dir .+\?\): stop that hub first/);
});

test("the admin-token file follows the rule of RADIAL_ADMIN_TOKEN: at least 16 characters, no whitespace (issue 11, item 9)", async (t) => {
  const dataDir = await scratchDir(t);
  const file = join(dataDir, "admin-token");
  await writeFile(file, "");
  refusedWithoutTrace(
    await hubUp(dataDir),
    new RegExp(`the admin token in ${file} is empty; it must be at least 16.*delete the file to have a new one generated`),
  );
  await writeFile(file, "abc\n");
  refusedWithoutTrace(await hubUp(dataDir), /is 3 characters long; it must be at least 16/);
  await writeFile(file, "correct horse battery staple\n");
  refusedWithoutTrace(await hubUp(dataDir), /contains whitespace or control characters/);
  refusedWithoutTrace(await hubUp(dataDir, { RADIAL_ADMIN_TOKEN: "abc" }), /RADIAL_ADMIN_TOKEN is 3 characters long; it must be at least 16/);
  refusedWithoutTrace(await hubUp(dataDir, { RADIAL_ADMIN_TOKEN: "correct horse battery staple" }), /RADIAL_ADMIN_TOKEN contains whitespace/);
  await writeFile(file, "sixteen-chars-ok\n");
  const started = await hubUp(dataDir);
  assert.equal(started.code, null, `a 16-character token starts the hub: ${started.stderr}`);
});
