/**
 * Git objects in memory, and a packfile (version 2, no deltas) with its index (version 2) built
 * from them. A fetched pack is read back into whole objects (`readPack`) and kept in the local
 * store as such a pack, without one loose file per object; the hub also sends its new objects in
 * one push as such a pack.
 */
import { createHash } from "node:crypto";
import { crc32, deflateSync, inflateSync } from "node:zlib";

export type ObjectType = "commit" | "tree" | "blob" | "tag";

export interface GitObject {
  type: ObjectType;
  oid: string;
  body: Uint8Array;
}

const TYPE_CODES: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3, tag: 4 };
/** Offsets at or above this go to the index's 64-bit table. */
const LARGE_OFFSET = 0x80000000;

export function hashObject(type: ObjectType, body: Uint8Array): string {
  return createHash("sha1").update(`${type} ${body.length}\0`).update(body).digest("hex");
}

export function makeObject(type: ObjectType, body: Uint8Array): GitObject {
  return { type, oid: hashObject(type, body), body };
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

const OFS_DELTA = 6;
const REF_DELTA = 7;
const TYPES_BY_CODE: Record<number, ObjectType> = { 1: "commit", 2: "tree", 3: "blob", 4: "tag" };

/** A variable-length size in a delta's header: 7 bits a byte, least significant first. */
function deltaSize(delta: Buffer, at: { pos: number }): number {
  let size = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = delta[at.pos++]!;
    size += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return size;
}

/** Git's delta: copy ranges of the base and insert new bytes. */
function applyDelta(base: Uint8Array, delta: Buffer): Buffer {
  const at = { pos: 0 };
  if (deltaSize(delta, at) !== base.length) throw new Error("pack: a delta does not fit its base");
  const out = Buffer.alloc(deltaSize(delta, at));
  let written = 0;
  while (at.pos < delta.length) {
    const command = delta[at.pos++]!;
    if (command & 0x80) {
      let offset = 0;
      let size = 0;
      for (let bit = 0; bit < 4; bit++) if (command & (1 << bit)) offset += delta[at.pos++]! * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (command & (0x10 << bit)) size += delta[at.pos++]! * 2 ** (8 * bit);
      if (size === 0) size = 0x10000;
      if (offset + size > base.length || written + size > out.length) throw new Error("pack: a delta copies outside its base");
      out.set(base.subarray(offset, offset + size), written);
      written += size;
    } else if (command > 0) {
      if (written + command > out.length) throw new Error("pack: a delta inserts past its size");
      delta.copy(out, written, at.pos, at.pos + command);
      at.pos += command;
      written += command;
    } else throw new Error("pack: reserved delta command 0");
  }
  if (written !== out.length) throw new Error("pack: a delta is shorter than its size");
  return out;
}

/**
 * Every object of a fetched pack, deltas resolved (each base once), so the store keeps it as a pack
 * of whole objects (`buildPack`): reading one object is then one inflate, where isomorphic-git
 * would resolve a delta chain up to 50 long on every read. `external` gives a thin pack's bases,
 * objects the store already holds.
 */
export async function readPack(pack: Buffer, external: (oid: string) => Promise<GitObject | undefined>): Promise<GitObject[]> {
  if (pack.length < 32 || pack.toString("latin1", 0, 4) !== "PACK") throw new Error("pack: not a git pack");
  const version = pack.readUInt32BE(4);
  if (version !== 2 && version !== 3) throw new Error(`pack: version ${version} is not supported`);
  if (
    !createHash("sha1")
      .update(pack.subarray(0, pack.length - 20))
      .digest()
      .equals(pack.subarray(pack.length - 20))
  )
    throw new Error("pack: checksum mismatch");
  type Entry = { type: ObjectType; body: Buffer } | { base: number | string; delta: Buffer };
  const entries = new Map<number, Entry>();
  const count = pack.readUInt32BE(8);
  let pos = 12;
  for (let i = 0; i < count; i++) {
    const start = pos;
    let byte = pack[pos++]!;
    const code = (byte >> 4) & 7;
    while (byte & 0x80) byte = pack[pos++]!;
    let base: number | string | undefined;
    if (code === OFS_DELTA) {
      byte = pack[pos++]!;
      let distance = byte & 0x7f;
      while (byte & 0x80) {
        byte = pack[pos++]!;
        distance = (distance + 1) * 128 + (byte & 0x7f);
      }
      base = start - distance;
    } else if (code === REF_DELTA) {
      base = pack.toString("hex", pos, pos + 20);
      pos += 20;
    } else if (!TYPES_BY_CODE[code]) throw new Error(`pack: object type ${code} is not supported`);
    const { buffer, engine } = inflateSync(pack.subarray(pos), { info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    pos += engine.bytesWritten;
    entries.set(start, base === undefined ? { type: TYPES_BY_CODE[code]!, body: buffer } : { base, delta: buffer });
  }
  const byOffset = new Map<number, GitObject>();
  const byOid = new Map<string, GitObject>();
  for (const [offset, entry] of entries) {
    if (!("type" in entry)) continue;
    const object = makeObject(entry.type, entry.body);
    byOffset.set(offset, object);
    byOid.set(object.oid, object);
  }
  const resolve = async (offset: number): Promise<GitObject> => {
    const done = byOffset.get(offset);
    if (done) return done;
    const entry = entries.get(offset);
    if (!entry || "type" in entry) throw new Error(`pack: no object at offset ${offset}`);
    const base = typeof entry.base === "number" ? await resolve(entry.base) : (byOid.get(entry.base) ?? (await external(entry.base)));
    if (!base) throw new Error(`pack: delta base ${String(entry.base)} is neither in the pack nor in the store`);
    const object = makeObject(base.type, applyDelta(base.body, entry.delta));
    byOffset.set(offset, object);
    byOid.set(object.oid, object);
    return object;
  };
  // A ref-delta's base, found by id, may itself be an offset-delta: those are resolved first.
  for (const [offset, entry] of entries) if (!("base" in entry) || typeof entry.base === "number") await resolve(offset);
  for (const offset of entries.keys()) await resolve(offset);
  return [...byOffset.values()];
}
