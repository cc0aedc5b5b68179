import assert from "node:assert/strict";
import { test } from "node:test";
import { radial } from "./radial-cli.js";

test("radial --help lists the commands", async () => {
  const result = await radial(["--help"]);
  assert.equal(result.status, 0);
  assert.match(result.stdout, /Usage: radial/);
  assert.match(result.stdout, /^\s+hub\s+run the hub$/m);
  assert.match(result.stdout, /--output <format>/);
});

test("radial --version prints the package version", async () => {
  const result = await radial(["--version"]);
  assert.equal(result.status, 0);
  assert.equal(result.stdout.trim(), "0.1.0");
});

test("an unknown command or output format fails with a message and a non-zero exit", async () => {
  const unknown = await radial(["frobnicate"]);
  assert.notEqual(unknown.status, 0);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  const format = await radial(["--output", "xml", "hub", "up"]);
  assert.notEqual(format.status, 0);
  assert.match(format.stderr, /argument 'xml' is invalid/);
});
