/** Why a registry operation was refused; the HTTP layer maps each reason to a status. */
export type RegistryFailure = "not_found" | "exists" | "precondition_failed" | "conflict" | "invalid" | "eks_not_found" | "eks_unavailable";

export class RegistryError extends Error {
  constructor(
    readonly reason: RegistryFailure,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
