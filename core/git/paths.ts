/** Path and ref-name checks for everything the hub writes into Git. */

export class UnsafePathError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`unsafe path ${JSON.stringify(path)}: ${reason}`);
    this.name = "UnsafePathError";
  }
}

export class InvalidBranchError extends Error {
  constructor(
    readonly branch: string,
    reason: string,
  ) {
    super(`invalid branch name ${JSON.stringify(branch)}: ${reason}`);
    this.name = "InvalidBranchError";
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

// git check-ref-format: no control chars, space, ~ ^ : ? * [ \ , no "..", no "@{".
// eslint-disable-next-line no-control-regex
const FORBIDDEN_REF_CHARS = /[\u0000-\u0020\u007f~^:?*[\\]/;

/** A branch name as `git check-ref-format --branch` would accept it (short form, no `refs/heads/`). */
export function checkBranchName(branch: string): void {
  if (branch === "") throw new InvalidBranchError(branch, "empty");
  if (branch.startsWith("refs/")) throw new InvalidBranchError(branch, "give the short name, without 'refs/'");
  if (FORBIDDEN_REF_CHARS.test(branch)) throw new InvalidBranchError(branch, "forbidden character");
  if (branch.includes("..") || branch.includes("@{") || branch === "@") throw new InvalidBranchError(branch, "'..' or '@{'");
  if (branch.endsWith(".")) throw new InvalidBranchError(branch, "ends with '.'");
  for (const segment of branch.split("/")) {
    if (segment === "") throw new InvalidBranchError(branch, "empty segment");
    if (segment.startsWith(".")) throw new InvalidBranchError(branch, "segment starts with '.'");
    if (segment.endsWith(".lock")) throw new InvalidBranchError(branch, "segment ends with '.lock'");
  }
}
