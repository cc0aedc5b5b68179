import assert from "node:assert/strict";
import { test } from "node:test";
import { REPORT_LIMITS, StatusReport, utf8Length } from "../../contract/index.js";
import { truncate } from "../../agent/report/build.js";

// The hub counts text in UTF-8 bytes, as DynamoDB does; the agent cuts its messages to the same count.

test("utf8Length counts what Buffer.byteLength counts, lone surrogates included", () => {
  for (const text of ["", "ascii", "é", "界", "😀", "a😀b界c", "\uD800", "\uDC00x", "x\uD83D", "\uD83D\uDE00\uD83D", "界".repeat(1000)]) {
    assert.equal(utf8Length(text), Buffer.byteLength(text), JSON.stringify(text));
  }
});

test("the agent cuts a message to the hub's byte bound at a character boundary, and the hub accepts it", () => {
  for (const character of ["a", "é", "界", "😀"]) {
    const message = character.repeat(REPORT_LIMITS.maxMessageBytes + 1);
    const cut = truncate(message);
    assert.ok(utf8Length(cut) <= REPORT_LIMITS.maxMessageBytes, `${character}: ${utf8Length(cut)} bytes`);
    assert.ok(utf8Length(cut) > REPORT_LIMITS.maxMessageBytes - 8, `${character}: no more is cut than needed`);
    assert.ok(cut.endsWith("…"));
    assert.ok(!/[\uD800-\uDBFF]…$/.test(cut), "no half of a surrogate pair");
    const report = {
      cluster: "c",
      agentVersion: truncate(character.repeat(64), 64),
      heartbeatAt: "2026-12-01T00:00:00Z",
      revision: null,
      conditions: [{ type: "Ready", status: "False", reason: "Failing", message: cut, lastTransitionTime: "2026-12-01T00:00:00Z" }],
      applications: [],
      driftEvents: [],
    };
    assert.equal(StatusReport.safeParse(report).success, true, character);
  }
  assert.equal(truncate("short"), "short");
});
