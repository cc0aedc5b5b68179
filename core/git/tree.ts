/** Reads a git tree object (as fetched in a pack) into its entries. */
import type { TreeEntry } from "isomorphic-git";

/** A tree object's entries as isomorphic-git's `readTree` gives them (modes six digits long). */
export function parseTree(body: Uint8Array): TreeEntry[] {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const entries: TreeEntry[] = [];
  let at = 0;
  while (at < bytes.length) {
    const space = bytes.indexOf(0x20, at);
    const nul = bytes.indexOf(0, space);
    if (space === -1 || nul === -1 || nul + 21 > bytes.length) throw new Error("malformed tree object");
    const mode = bytes.toString("latin1", at, space).padStart(6, "0");
    const type = mode === "040000" ? "tree" : mode === "160000" ? "commit" : "blob";
    entries.push({ mode, path: bytes.toString("utf8", space + 1, nul), oid: bytes.toString("hex", nul + 1, nul + 21), type });
    at = nul + 21;
  }
  return entries;
}
