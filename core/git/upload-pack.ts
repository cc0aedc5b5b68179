/**
 * A depth-1 fetch of commits with git's protocol v2 `fetch` command over smart HTTP: one commit (an
 * agent's own branch), or the heads of many deploy branches in one request (a fresh hub process).
 * Heads are learned beforehand with `ls-refs` for the refs wanted alone; isomorphic-git's fetch
 * speaks protocol v1, whose first reply lists every ref of the remote — with a deploy branch per
 * cluster, an agent would download the whole fleet's ref list (about 95 bytes a cluster) to fetch
 * its own few KB — and fetches one ref per request.
 */
import { DELIM, FLUSH, pktLine, readPktLines } from "./pkt-line.js";
import { endpoint, readBody, requestBody, type Request } from "./smart-http.js";

/**
 * A depth-1 pack of a cluster's folder is a few KB, of a thousand heads a few MB; the bound stops a
 * runaway reply filling memory.
 */
const MAX_PACK_BYTES = 512 * 1024 * 1024;

/**
 * The pack holding every commit of `wants` at depth 1 with its tree, without what `have` (a commit
 * already in the store, itself the edge of shallow history there) already brings. In protocol v2 a
 * want may name any commit the remote holds, so a head listed a moment ago is still served after
 * its branch moved on.
 */
export async function fetchPack(request: Request, url: string, headers: Record<string, string>, wants: string[], have?: string): Promise<Buffer> {
  if (wants.length === 0) throw new Error("fetch: no commit wanted");
  // With a have, the server leaves out what it brings only in a thin pack (deltas against objects
  // the store holds), which readPack (pack.ts) resolves against the store.
  const negotiation = have ? ["thin-pack", `shallow ${have}`, `have ${have}`] : [];
  const args = ["ofs-delta", "no-progress", "deepen 1", ...wants.map((want) => `want ${want}`), ...negotiation, "done"];
  const body = Buffer.concat([pktLine("command=fetch\n"), pktLine("agent=radial\n"), DELIM, ...args.map((a) => pktLine(`${a}\n`)), FLUSH]);
  const response = await request({
    url: `${endpoint(url)}/git-upload-pack`,
    method: "POST",
    headers: {
      ...headers,
      "git-protocol": "version=2",
      "content-type": "application/x-git-upload-pack-request",
      accept: "application/x-git-upload-pack-result",
      "content-length": String(body.length),
    },
    body: requestBody(body),
  });
  const what = wants.length === 1 ? wants[0] : `${wants.length} commits`;
  const reply = await readBody(response, MAX_PACK_BYTES);
  if (response.statusCode !== 200) throw new Error(`fetch of ${what}: HTTP ${response.statusCode} ${reply.toString("utf8", 0, 200)}`);
  // Sections: shallow-info (the server's view of our new shallow edge), then packfile, whose
  // packets are side-band: 1 pack data, 2 progress, 3 a fatal error.
  const chunks: Buffer[] = [];
  let section = "";
  for (const packet of readPktLines(reply)) {
    if (typeof packet === "string") continue;
    if (section !== "packfile") {
      const line = packet.toString("utf8").replace(/\n$/, "");
      if (line.startsWith("ERR ")) throw new Error(`fetch of ${what}: ${line.slice(4)}`);
      if (!line.includes(" ")) section = line;
      continue;
    }
    const band = packet[0];
    if (band === 1) chunks.push(packet.subarray(1));
    else if (band === 3) throw new Error(`fetch of ${what}: ${packet.subarray(1).toString("utf8").trim()}`);
  }
  if (section !== "packfile") throw new Error(`fetch of ${what}: the reply holds no packfile`);
  return Buffer.concat(chunks);
}
