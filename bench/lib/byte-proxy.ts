/**
 * A pass-through HTTP proxy in front of a server that counts the bytes each way, so a client we
 * cannot instrument (native `git`) is measured on the same wire as one we can.
 */
import { createServer, request, type Server } from "node:http";
import { freePort } from "../../test/engines/process.js";

export interface ByteProxy {
  /** The proxy's base URL, standing in for the target's. */
  url: string;
  /** Bytes and requests since the last reset. */
  counts(): { requests: number; sent: number; received: number };
  reset(): void;
  stop(): Promise<void>;
}

export async function startByteProxy(target: string): Promise<ByteProxy> {
  const upstream = new URL(target);
  let counts = { requests: 0, sent: 0, received: 0 };
  const server: Server = createServer((req, res) => {
    counts.requests++;
    const forward = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host } },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.on("data", (chunk: Buffer) => (counts.received += chunk.length));
        reply.pipe(res);
      },
    );
    req.on("data", (chunk: Buffer) => (counts.sent += chunk.length));
    forward.on("error", (error) => res.destroy(error));
    req.pipe(forward);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    reset: () => (counts = { requests: 0, sent: 0, received: 0 }),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
