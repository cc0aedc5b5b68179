/**
 * A pass-through proxy in front of the git server for the agent alone, recording when each of its
 * protocol v2 requests started and finished and which command it carried (ls-refs, fetch): what
 * the latency benchmark reads "the agent learned the head" and "the agent fetched" from, without
 * touching the agent.
 */
import { createServer, request, type Server } from "node:http";
import { freePort } from "../../test/engines/process.js";

export interface GitRequest {
  command: "ls-refs" | "fetch" | "other";
  /** Epoch milliseconds. */
  startedAt: number;
  finishedAt: number;
}

export interface GitTimingProxy {
  url: string;
  /** Requests finished since `since` (epoch ms), oldest first. */
  requestsSince(since: number): GitRequest[];
  stop(): Promise<void>;
}

function commandOf(body: string): GitRequest["command"] {
  if (body.includes("command=fetch")) return "fetch";
  return body.includes("command=ls-refs") ? "ls-refs" : "other";
}

export async function startGitTimingProxy(target: string): Promise<GitTimingProxy> {
  const upstream = new URL(target);
  const log: GitRequest[] = [];
  const server: Server = createServer((req, res) => {
    const startedAt = Date.now();
    const chunks: Buffer[] = [];
    const forward = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host } },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
        reply.on("end", () => log.push({ command: commandOf(Buffer.concat(chunks).toString("latin1")), startedAt, finishedAt: Date.now() }));
      },
    );
    req.on("data", (chunk: Buffer) => chunks.length < 8 && chunks.push(chunk));
    forward.on("error", (error) => res.destroy(error));
    req.pipe(forward);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    requestsSince: (since) => log.filter((entry) => entry.startedAt >= since),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
