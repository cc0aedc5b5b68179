/**
 * Builds a git tree from `path → content` in memory, with the same object ids git computes, so the
 * hub can tell "nothing changed" without writing a single object. A folder the remote already holds
 * can be given by its tree id alone (`kept`): it is referenced, never rebuilt or sent again. Tree
 * objects fetched from the remote are parsed here too.
 */
import type { TreeEntry } from "isomorphic-git";
import { checkFilePath, UnsafePathError } from "./paths.js";
import { hashObject, type GitObject } from "./pack.js";

export interface BlobNode {
  kind: "blob";
  oid: string;
  content: Uint8Array;
}

/** A folder already in the remote's history, by its tree id. */
export interface KeptTree {
  kind: "kept";
  oid: string;
}

export interface TreeNode {
  kind: "tree";
  oid: string;
  /** The tree object as git stores it. */
  body: Buffer;
  /** Entries in git's order (see `compareEntries`). */
  entries: { name: string; node: BlobNode | TreeNode | KeptTree }[];
}

const encoder = new TextEncoder();

/** Git orders tree entries bytewise by name, a tree's name compared as if it ended with '/'. */
function compareEntries(a: { name: string; node: { kind: string } }, b: { name: string; node: { kind: string } }): number {
  const key = (entry: { name: string; node: { kind: string } }) =>
    Buffer.from(entry.node.kind === "blob" ? entry.name : `${entry.name}/`, "utf8");
  return Buffer.compare(key(a), key(b));
}

interface Draft {
  files: Map<string, BlobNode>;
  kept: Map<string, string>;
  dirs: Map<string, Draft>;
}

const OID = /^[0-9a-f]{40}$/;

/** A file's content with its blob id, hashed once however many trees it goes into. */
export function blob(content: string | Uint8Array): BlobNode {
  const bytes = typeof content === "string" ? encoder.encode(content) : content;
  return { kind: "blob", oid: hashObject("blob", bytes), content: bytes };
}

/**
 * Checks every path first (throws `UnsafePathError` before anything is built), then hashes the
 * tree. `kept` maps folder paths to tree ids the remote already holds.
 */
export function buildTree(files: Record<string, string | Uint8Array | BlobNode>, kept: Record<string, string> = {}): TreeNode {
  const root: Draft = { files: new Map(), kept: new Map(), dirs: new Map() };
  for (const path of [...Object.keys(files), ...Object.keys(kept)]) checkFilePath(path);
  const place = (path: string): { draft: Draft; name: string } => {
    const segments = path.split("/");
    const name = segments.pop() as string;
    let draft = root;
    for (const segment of segments) {
      if (draft.files.has(segment) || draft.kept.has(segment)) throw new UnsafePathError(path, `'${segment}' is both a file and a folder`);
      let next = draft.dirs.get(segment);
      if (!next) {
        next = { files: new Map(), kept: new Map(), dirs: new Map() };
        draft.dirs.set(segment, next);
      }
      draft = next;
    }
    if (draft.dirs.has(name) || draft.files.has(name) || draft.kept.has(name)) throw new UnsafePathError(path, `'${name}' is given twice, or is both a file and a folder`);
    return { draft, name };
  };
  for (const [path, content] of Object.entries(files)) {
    const { draft, name } = place(path);
    draft.files.set(name, typeof content === "object" && "kind" in content ? content : blob(content));
  }
  for (const [path, oid] of Object.entries(kept)) {
    if (!OID.test(oid)) throw new Error(`kept folder ${path}: ${JSON.stringify(oid)} is not a tree id`);
    const { draft, name } = place(path);
    draft.kept.set(name, oid);
  }
  return finish(root);
}

function finish(draft: Draft): TreeNode {
  const entries: TreeNode["entries"] = [];
  for (const [name, node] of draft.files) entries.push({ name, node });
  for (const [name, oid] of draft.kept) entries.push({ name, node: { kind: "kept", oid } });
  for (const [name, sub] of draft.dirs) entries.push({ name, node: finish(sub) });
  entries.sort(compareEntries);
  const parts: Buffer[] = [];
  for (const { name, node } of entries) {
    parts.push(Buffer.from(`${node.kind === "blob" ? "100644" : "40000"} ${name}\0`, "utf8"), Buffer.from(node.oid, "hex"));
  }
  const body = Buffer.concat(parts);
  return { kind: "tree", oid: hashObject("tree", body), body, entries };
}

/** Every tree and blob the tree adds, kept folders left out (the remote has them). */
export function* treeObjects(tree: TreeNode): Generator<GitObject> {
  yield { type: "tree", oid: tree.oid, body: tree.body };
  for (const { node } of tree.entries) {
    if (node.kind === "blob") yield { type: "blob", oid: node.oid, body: node.content };
    else if (node.kind === "tree") yield* treeObjects(node);
  }
}

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
