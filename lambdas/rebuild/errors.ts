/** Why a rebuild was refused; the HTTP layer maps each reason to a status. */
export type RebuildFailure = "not_found" | "conflict" | "invalid" | "eks_unavailable";

export class RebuildError extends Error {
  constructor(
    readonly reason: RebuildFailure,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
