/** The check of a file path read from (or, by the hub, written into) a Git tree. */

export class UnsafePathError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`unsafe path ${JSON.stringify(path)}: ${reason}`);
    this.name = "UnsafePathError";
  }
}

// Control characters (NUL included) and backslash, which Windows checkouts treat as a separator.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_PATH_CHARS = /[\u0000-\u001f\u007f\\]/;

/**
 * A file path inside a tree: relative, POSIX, no empty, `.` or `..` segments, no `.git` segment
 * (in any letter case, as git itself refuses it on case-insensitive file systems).
 */
export function checkFilePath(path: string): void {
  if (path === "") throw new UnsafePathError(path, "empty");
  if (path.startsWith("/")) throw new UnsafePathError(path, "absolute (leading '/')");
  if (FORBIDDEN_PATH_CHARS.test(path)) throw new UnsafePathError(path, "control character or backslash");
  for (const segment of path.split("/")) {
    if (segment === "") throw new UnsafePathError(path, "empty segment (trailing or doubled '/')");
    if (segment === "." || segment === "..") throw new UnsafePathError(path, `'${segment}' segment`);
    if (segment.toLowerCase() === ".git") throw new UnsafePathError(path, "'.git' segment");
  }
}
