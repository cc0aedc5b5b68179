/** What our own smart-HTTP requests share: the request function, a bounded body read, the endpoint. */
import type { GitHttpRequest, GitHttpResponse } from "isomorphic-git";

export type Request = (request: GitHttpRequest) => Promise<GitHttpResponse>;

export async function readBody(response: GitHttpResponse, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.length;
    if (size > limit) throw new Error(`response over ${limit} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** A request body as isomorphic-git's HTTP client takes it: an async iterator, here of one chunk. */
// eslint-disable-next-line @typescript-eslint/require-await -- the client takes a body only as an async iterator
export async function* requestBody(data: Buffer): AsyncIterableIterator<Uint8Array> {
  yield data;
}

export function endpoint(url: string): string {
  return url.replace(/\/+$/, "");
}
