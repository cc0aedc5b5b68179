/** Git's pkt-line framing (a 4-hex-digit length, then the payload), for the smart HTTP requests the hub makes itself. */

export const FLUSH = Buffer.from("0000", "latin1");
export const DELIM = Buffer.from("0001", "latin1");

export function pktLine(payload: string | Buffer): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, "0"), "latin1"), body]);
}

/** The packets of a response: payloads as Buffers, and the special packets by name. */
export function readPktLines(data: Buffer): (Buffer | "flush" | "delim" | "end")[] {
  const out: (Buffer | "flush" | "delim" | "end")[] = [];
  let at = 0;
  while (at + 4 <= data.length) {
    const length = Number.parseInt(data.toString("latin1", at, at + 4), 16);
    if (Number.isNaN(length)) throw new Error(`bad pkt-line length ${JSON.stringify(data.toString("latin1", at, at + 4))}`);
    if (length < 4) {
      out.push(length === 0 ? "flush" : length === 1 ? "delim" : "end");
      at += 4;
      continue;
    }
    if (at + length > data.length) throw new Error("truncated pkt-line");
    out.push(data.subarray(at + 4, at + length));
    at += length;
  }
  if (at !== data.length) throw new Error("trailing bytes after the last pkt-line");
  return out;
}

/** The text packets of a response, each without its trailing newline; special packets are skipped. */
export function readTextLines(data: Buffer): string[] {
  return readPktLines(data)
    .filter((p): p is Buffer => typeof p !== "string")
    .map((p) => p.toString("utf8").replace(/\n$/, ""));
}
