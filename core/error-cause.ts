/**
 * An error's message followed by its causes: Node's fetch throws a bare "fetch failed" whose
 * `cause` says what actually went wrong (connection refused, a DNS failure, a TLS problem), and a
 * connection tried on several addresses fails with an AggregateError of one error per address.
 */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    parts.push(messageOf(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.filter((part, index) => part !== "" && part !== parts[index - 1]).join(": ");
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    const each = [...new Set(error.errors.map((e: unknown) => messageOf(e)))];
    return error.message ? `${error.message} (${each.join("; ")})` : each.join("; ");
  }
  return error instanceof Error ? error.message : String(error);
}
