/**
 * The objects the hub writes, built in memory with the same ids git computes: a tree from `path →
 * content`, so the hub can tell "nothing changed" without writing a single object, and a commit. A
 * folder the remote already holds can be given by its tree id alone (`kept`): it is referenced,
 * never rebuilt or sent again.
 */
import { hashObject, makeObject, type GitObject } from "./pack.js";
import { checkFilePath, UnsafePathError } from "./paths.js";

/** A file's content with its blob id, hashed once however many trees it goes into. */
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
  const key = (entry: { name: string; node: { kind: string } }) => Buffer.from(entry.node.kind === "blob" ? entry.name : `${entry.name}/`, "utf8");
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
    const name = segments.pop()!;
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
    if (draft.dirs.has(name) || draft.files.has(name) || draft.kept.has(name))
      throw new UnsafePathError(path, `'${name}' is given twice, or is both a file and a folder`);
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

export interface Signature {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  timestamp: number;
}

/** A commit as git writes it (UTC, no signature); the message gets a trailing newline if it has none. */
export function commitObject(commit: { tree: string; parents: string[]; author: Signature; committer: Signature; message: string }): GitObject {
  const person = (s: Signature) => `${s.name} <${s.email}> ${s.timestamp} +0000`;
  const lines = [
    `tree ${commit.tree}`,
    ...commit.parents.map((p) => `parent ${p}`),
    `author ${person(commit.author)}`,
    `committer ${person(commit.committer)}`,
  ];
  const message = commit.message.endsWith("\n") ? commit.message : `${commit.message}\n`;
  return makeObject("commit", Buffer.from(`${lines.join("\n")}\n\n${message}`, "utf8"));
}
