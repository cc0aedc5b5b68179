/**
 * Builds a git tree from `path → content` in memory, with the same object ids git computes, so the
 * hub can tell "nothing changed" without writing a single object.
 */
import { createHash } from "node:crypto";
import { checkFilePath, UnsafePathError } from "./paths.js";

export interface BlobNode {
  kind: "blob";
  oid: string;
  content: Uint8Array;
}

export interface TreeNode {
  kind: "tree";
  oid: string;
  /** Entries in git's order (see `compareEntries`). */
  entries: { name: string; node: BlobNode | TreeNode }[];
}

const encoder = new TextEncoder();

function hashObject(type: "blob" | "tree", body: Uint8Array): string {
  return createHash("sha1").update(`${type} ${body.length}\0`).update(body).digest("hex");
}

/** Git orders tree entries bytewise by name, a tree's name compared as if it ended with '/'. */
function compareEntries(a: { name: string; node: { kind: string } }, b: { name: string; node: { kind: string } }): number {
  const key = (entry: { name: string; node: { kind: string } }) =>
    Buffer.from(entry.node.kind === "tree" ? `${entry.name}/` : entry.name, "utf8");
  return Buffer.compare(key(a), key(b));
}

interface Draft {
  files: Map<string, Uint8Array>;
  dirs: Map<string, Draft>;
}

/** Checks every path first (throws `UnsafePathError` before anything is built), then hashes the tree. */
export function buildTree(files: Record<string, string | Uint8Array>): TreeNode {
  const root: Draft = { files: new Map(), dirs: new Map() };
  for (const path of Object.keys(files)) checkFilePath(path);
  for (const [path, content] of Object.entries(files)) {
    const segments = path.split("/");
    const name = segments.pop() as string;
    let draft = root;
    for (const segment of segments) {
      if (draft.files.has(segment)) throw new UnsafePathError(path, `'${segment}' is both a file and a folder`);
      let next = draft.dirs.get(segment);
      if (!next) {
        next = { files: new Map(), dirs: new Map() };
        draft.dirs.set(segment, next);
      }
      draft = next;
    }
    if (draft.dirs.has(name)) throw new UnsafePathError(path, `'${name}' is both a file and a folder`);
    draft.files.set(name, typeof content === "string" ? encoder.encode(content) : content);
  }
  return finish(root);
}

function finish(draft: Draft): TreeNode {
  const entries: TreeNode["entries"] = [];
  for (const [name, content] of draft.files) entries.push({ name, node: { kind: "blob", oid: hashObject("blob", content), content } });
  for (const [name, sub] of draft.dirs) entries.push({ name, node: finish(sub) });
  entries.sort(compareEntries);
  const parts: Buffer[] = [];
  for (const { name, node } of entries) {
    parts.push(Buffer.from(`${node.kind === "tree" ? "40000" : "100644"} ${name}\0`, "utf8"), Buffer.from(node.oid, "hex"));
  }
  return { kind: "tree", oid: hashObject("tree", Buffer.concat(parts)), entries };
}
