/**
 * A proxy in front of a DynamoDB endpoint that asks for and adds up the capacity each request
 * consumed: it sets `ReturnConsumedCapacity: TOTAL` on every operation that takes it and reads
 * `ConsumedCapacity` from the answer, so the hub's own client is measured without changing it.
 * DynamoDB Local computes capacity as DynamoDB does (1 write unit per 1 KB written, 1 read unit
 * per 4 KB read strongly consistent, half that eventually consistent). It does not check request
 * signatures, so the rewritten body needs none.
 */
import { createServer, request, type Server } from "node:http";
import { freePort } from "../../test/engines/process.js";

const CAPACITY_OPERATIONS = new Set(["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem"]);

export interface CapacityCounts {
  /** Requests per operation (`PutItem`: 3). */
  requests: Record<string, number>;
  readUnits: number;
  writeUnits: number;
}

export interface CapacityProxy {
  url: string;
  counts(): CapacityCounts;
  reset(): void;
  stop(): Promise<void>;
}

interface Consumed {
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
  CapacityUnits?: number;
}

function empty(): CapacityCounts {
  return { requests: {}, readUnits: 0, writeUnits: 0 };
}

/** Adds one answer's consumed capacity; an operation that only reads or only writes reports CapacityUnits alone. */
function add(counts: CapacityCounts, operation: string, consumed: Consumed | Consumed[] | undefined): void {
  for (const entry of ([] as Consumed[]).concat(consumed ?? [])) {
    const reads = entry.ReadCapacityUnits ?? (/Get|Query|Scan/.test(operation) ? (entry.CapacityUnits ?? 0) : 0);
    const writes = entry.WriteCapacityUnits ?? (/Put|Update|Delete|Write/.test(operation) ? (entry.CapacityUnits ?? 0) : 0);
    counts.readUnits += reads;
    counts.writeUnits += writes;
  }
}

export async function startCapacityProxy(target: string): Promise<CapacityProxy> {
  const upstream = new URL(target);
  let counts = empty();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "unknown";
      counts.requests[operation] = (counts.requests[operation] ?? 0) + 1;
      let body = Buffer.concat(chunks);
      if (CAPACITY_OPERATIONS.has(operation))
        body = Buffer.from(JSON.stringify({ ...(JSON.parse(body.toString()) as object), ReturnConsumedCapacity: "TOTAL" }));
      const headers = { ...req.headers, host: upstream.host, "content-length": String(body.length) };
      const forward = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers }, (reply) => {
        const answer: Buffer[] = [];
        reply.on("data", (chunk: Buffer) => answer.push(chunk));
        reply.on("end", () => {
          const text = Buffer.concat(answer);
          if (reply.statusCode === 200 && CAPACITY_OPERATIONS.has(operation))
            add(counts, operation, (JSON.parse(text.toString()) as { ConsumedCapacity?: Consumed }).ConsumedCapacity);
          res.writeHead(reply.statusCode ?? 502, { ...reply.headers, "content-length": String(text.length) });
          res.end(text);
        });
      });
      forward.on("error", (error) => res.destroy(error));
      forward.end(body);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => structuredClone(counts),
    reset: () => (counts = empty()),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
