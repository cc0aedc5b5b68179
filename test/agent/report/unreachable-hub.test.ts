// An agent that cannot reach its hub logs why (connection refused, a name that does not resolve,
// a TLS problem), not Node's bare "fetch failed".
import { Logger } from "@aws-lambda-powertools/logger";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import { buildReport } from "../../../agent/report/build.js";
import { Reporter } from "../../../agent/report/reporter.js";
import { waitFor } from "../../engines/process.js";

/** A loopback port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A real Logger that also keeps the warnings it is given, for the test to read. */
class KeepingLogger extends Logger {
  readonly warnings: { message: string; fields: Record<string, unknown> }[] = [];
  override warn(message: string, ...extra: unknown[]): void {
    this.warnings.push({ message, fields: Object.assign({}, ...extra.filter((e) => typeof e === "object")) as Record<string, unknown> });
  }
}

test("a report the hub cannot take (connection refused) is logged with the cause", async () => {
  const hubUrl = `http://127.0.0.1:${await closedPort()}`;
  const logger = new KeepingLogger({ serviceName: "radial-agent-test", logLevel: "SILENT" });
  const reporter = new Reporter({
    hubUrl,
    token: () => `rdl_agent_${"x".repeat(43)}`,
    heartbeatSeconds: 5,
    logger,
    maxBackoffMs: 300,
    build: (driftEvents) =>
      buildReport({ cluster: "edge-1", agentVersion: "test", now: new Date(), revision: null, conditions: [], applications: [], driftEvents }),
  });
  reporter.start();
  try {
    await waitFor("a failed report", () => Promise.resolve(logger.warnings.length > 0), { timeoutMs: 10_000, intervalMs: 50 });
  } finally {
    await reporter.stop(false);
  }
  const { message, fields } = logger.warnings[0]!;
  assert.match(message, /could not report to the hub/);
  assert.match(String(fields.error), /^fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
});
