/** How much of a caller's input an error message quotes back: enough to recognise it, never enough to flood a log or break the error schema. */
export const ECHO_LIMIT = 100;

/**
 * `input` quoted for an error message: whole when short, else its first {@link ECHO_LIMIT}
 * characters and its length, so a 9,000-character selector yields a message of a bounded size.
 */
export function echo(input: string, quote = '"'): string {
  if (input.length <= ECHO_LIMIT) return `${quote}${input}${quote}`;
  let head = input.slice(0, ECHO_LIMIT);
  // Never end on half a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  return `${quote}${head}…${quote} (${input.length} characters)`;
}
