/**
 * A function's environment variables, from a value the stack types by its handler's schema
 * (`const env: z.input<typeof ApiEnvironment> = ...`, lambdas/handlers/environment.ts), so a name
 * the handler does not read does not compile; unset entries are left out.
 */
export function environment(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).flatMap(([name, value]) => (value === undefined ? [] : [[name, value]])));
}
