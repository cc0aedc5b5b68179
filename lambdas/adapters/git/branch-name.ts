/** The check of a branch name the hub writes. */

export class InvalidBranchError extends Error {
  constructor(
    readonly branch: string,
    reason: string,
  ) {
    super(`invalid branch name ${JSON.stringify(branch)}: ${reason}`);
    this.name = "InvalidBranchError";
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
