/**
 * One push of many refs over smart HTTP (git's receive-pack, protocol v0): the command list
 * `old new ref` (each update is a compare-and-swap on its old value), one pack, and the server's
 * per-ref report (`report-status`), so one moved branch fails alone and the others land.
 * isomorphic-git's own push sends one ref per request after listing every ref, which at thousands
 * of branches is most of a run.
 */
import { FLUSH, pktLine, readTextLines } from "../../../core/git/pkt-line.js";
import { endpoint, readBody, requestBody, type Request } from "../../../core/git/smart-http.js";

const ZERO_OID = "0000000000000000000000000000000000000000";
/** The report of a push is a few lines per ref; a bound stops a broken server filling memory. */
const MAX_REPORT_BYTES = 16 * 1024 * 1024;

export interface RefCommand {
  /** Full ref name, e.g. `refs/heads/radial/clusters/a`. */
  ref: string;
  /** The value the remote must still hold (null: the ref must not exist). */
  old: string | null;
  new: string;
}

/** Per ref: null when updated, else the server's reason. */
export type RefReport = Map<string, string | null>;

/**
 * Ref discovery for a push (`info/refs?service=git-receive-pack`): every ref the server holds, by
 * full name. The protocol asks for it before a push, so the heads a push compares against come from
 * it rather than from a separate ls-refs. Throws when the server cannot report per ref.
 */
export async function discoverForPush(request: Request, url: string, headers: Record<string, string>): Promise<Map<string, string>> {
  const discovery = await request({ url: `${endpoint(url)}/info/refs?service=git-receive-pack`, method: "GET", headers });
  const advertised = await readBody(discovery, Number.MAX_SAFE_INTEGER);
  if (discovery.statusCode !== 200) throw new Error(`ref discovery for push: HTTP ${discovery.statusCode} ${advertised.toString("utf8", 0, 200)}`);
  const lines = readTextLines(advertised).filter((line) => !line.startsWith("# service="));
  const capabilities = lines[0]?.split("\0")[1]?.trim().split(" ");
  if (!capabilities?.includes("report-status")) throw new Error("the server does not offer report-status; cannot push several refs safely");
  const refs = new Map<string, string>();
  for (const line of lines) {
    const [oid, ref] = (line.split("\0")[0] ?? "").split(" ");
    // An empty repository advertises only `<zero id> capabilities^{}`.
    if (oid !== undefined && ref !== undefined && oid !== ZERO_OID) refs.set(ref, oid);
  }
  return refs;
}

/**
 * Sends the commands and the pack in one request (after `discoverForPush`) and returns the server's
 * verdict per ref. Throws when the request as a whole fails (HTTP error, the pack not unpacked):
 * then no ref was updated.
 */
export async function receivePack(request: Request, url: string, headers: Record<string, string>, commands: RefCommand[], pack: Buffer): Promise<RefReport> {
  if (commands.length === 0) return new Map();
  const lines = commands.map((c, i) => pktLine(`${c.old ?? ZERO_OID} ${c.new} ${c.ref}${i === 0 ? "\0report-status agent=radial" : ""}\n`));
  const body = Buffer.concat([...lines, FLUSH, pack]);
  const response = await request({
    url: `${endpoint(url)}/git-receive-pack`,
    method: "POST",
    headers: {
      ...headers,
      "content-type": "application/x-git-receive-pack-request",
      accept: "application/x-git-receive-pack-result",
      "content-length": String(body.length),
    },
    body: requestBody(body),
  });
  const report = await readBody(response, MAX_REPORT_BYTES);
  if (response.statusCode !== 200) throw new Error(`push: HTTP ${response.statusCode} ${report.toString("utf8", 0, 200)}`);
  const [unpack, ...statuses] = readTextLines(report);
  if (unpack !== "unpack ok") throw new Error(`push: the server did not accept the pack (${unpack ?? "no report"})`);
  const result: RefReport = new Map();
  for (const status of statuses) {
    if (status.startsWith("ok ")) result.set(status.slice(3), null);
    else if (status.startsWith("ng ")) {
      const rest = status.slice(3);
      const space = rest.indexOf(" ");
      result.set(space === -1 ? rest : rest.slice(0, space), space === -1 ? "rejected" : rest.slice(space + 1));
    }
  }
  for (const { ref } of commands) if (!result.has(ref)) result.set(ref, "no status reported");
  return result;
}
