/**
 * Git objects in memory, and a packfile (version 2, no deltas) with its index (version 2) built
 * from them, so the hub sends many branches' new objects in one push and keeps the same pack in
 * its local store without writing one loose file per object.
 */
import { createHash } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";

export type ObjectType = "commit" | "tree" | "blob";

export interface GitObject {
  type: ObjectType;
  oid: string;
  body: Uint8Array;
}

const TYPE_CODES: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3 };
/** Offsets at or above this go to the index's 64-bit table. */
const LARGE_OFFSET = 0x80000000;

export function hashObject(type: ObjectType, body: Uint8Array): string {
  return createHash("sha1").update(`${type} ${body.length}\0`).update(body).digest("hex");
}

export function makeObject(type: ObjectType, body: Uint8Array): GitObject {
  return { type, oid: hashObject(type, body), body };
}

export interface Signature {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  timestamp: number;
}

/** A commit as git writes it (UTC, no signature); the message gets a trailing newline if it has none. */
export function commitObject(commit: { tree: string; parents: string[]; author: Signature; committer: Signature; message: string }): GitObject {
  const person = (s: Signature) => `${s.name} <${s.email}> ${s.timestamp} +0000`;
  const lines = [`tree ${commit.tree}`, ...commit.parents.map((p) => `parent ${p}`), `author ${person(commit.author)}`, `committer ${person(commit.committer)}`];
  const message = commit.message.endsWith("\n") ? commit.message : `${commit.message}\n`;
  return makeObject("commit", Buffer.from(`${lines.join("\n")}\n\n${message}`, "utf8"));
}

/** The pack's object header: type and inflated size as git's variable-length integer. */
function objectHeader(type: ObjectType, size: number): Buffer {
  const bytes: number[] = [];
  let byte = (TYPE_CODES[type] << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(byte | 0x80);
    byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}

export interface Pack {
  /** The packfile's own id (SHA-1 of its content), which names it on disk. */
  hash: string;
  pack: Buffer;
  index: Buffer;
  count: number;
}

/**
 * Packs `objects` (each once, by id) with zlib level 1: these are small YAML files, and the time
 * goes to the number of objects, not their size.
 */
export function buildPack(objects: Iterable<GitObject>): Pack {
  const unique = new Map<string, GitObject>();
  for (const object of objects) if (!unique.has(object.oid)) unique.set(object.oid, object);
  const header = Buffer.alloc(12);
  header.write("PACK", 0, "latin1");
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(unique.size, 8);
  const parts: Buffer[] = [header];
  const entries: { oid: string; offset: number; crc: number }[] = [];
  let offset = header.length;
  for (const object of unique.values()) {
    const entry = Buffer.concat([objectHeader(object.type, object.body.length), deflateSync(object.body, { level: 1 })]);
    entries.push({ oid: object.oid, offset, crc: crc32(entry) });
    parts.push(entry);
    offset += entry.length;
  }
  const body = Buffer.concat(parts);
  const trailer = createHash("sha1").update(body).digest();
  const pack = Buffer.concat([body, trailer]);
  return { hash: trailer.toString("hex"), pack, index: buildIndex(entries, trailer), count: unique.size };
}

/** The version 2 `.idx`: fan-out table, sorted ids, CRC-32s, offsets, then both checksums. */
function buildIndex(entries: { oid: string; offset: number; crc: number }[], packHash: Buffer): Buffer {
  const sorted = [...entries].sort((a, b) => (a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : 0));
  const n = sorted.length;
  const large = sorted.filter((e) => e.offset >= LARGE_OFFSET);
  const out = Buffer.alloc(8 + 256 * 4 + n * 20 + n * 4 + n * 4 + large.length * 8 + 20);
  out.writeUInt32BE(0xff744f63, 0);
  out.writeUInt32BE(2, 4);
  const fanout = new Uint32Array(256);
  for (const e of sorted) fanout[Number.parseInt(e.oid.slice(0, 2), 16)]! += 1;
  let at = 8;
  let running = 0;
  for (let i = 0; i < 256; i++) {
    running += fanout[i]!;
    out.writeUInt32BE(running, at);
    at += 4;
  }
  for (const e of sorted) {
    out.write(e.oid, at, "hex");
    at += 20;
  }
  for (const e of sorted) {
    out.writeUInt32BE(e.crc >>> 0, at);
    at += 4;
  }
  let largeIndex = 0;
  for (const e of sorted) {
    out.writeUInt32BE(e.offset >= LARGE_OFFSET ? (0x80000000 | largeIndex++) >>> 0 : e.offset, at);
    at += 4;
  }
  for (const e of large) {
    out.writeBigUInt64BE(BigInt(e.offset), at);
    at += 8;
  }
  packHash.copy(out, at);
  at += 20;
  return Buffer.concat([out.subarray(0, at), createHash("sha1").update(out.subarray(0, at)).digest()]);
}
