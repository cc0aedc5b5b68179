// A pass-through HTTP proxy in front of an AWS API endpoint (DynamoDB Local, moto) that notes each
// request's operation (its X-Amz-Target, e.g. `DynamoDB_20120810.PutItem`, or its Action) and user
// agent, so a test sees which calls a function's SDK clients made and how they were instrumented.
// The engine behind it answers every request; nothing is changed on the way.
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  operation: string;
  userAgent: string;
}

export interface RecordingProxy {
  url: string;
  /** The requests since the last call, in order; forgets them. */
  take(): RecordedRequest[];
  stop(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  let recorded: RecordedRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    const target = incoming.headers["x-amz-target"];
    const action = new URL(incoming.url ?? "/", "http://proxy").searchParams.get("Action");
    recorded.push({ operation: (typeof target === "string" ? target.split(".").pop() : action) ?? "", userAgent: incoming.headers["user-agent"] ?? "" });
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on("error", (error) => outgoing.destroy(error));
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    take() {
      const taken = recorded;
      recorded = [];
      return taken;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
