import { YAMLError } from "yaml";

/** A YAML parse error as parts: what is wrong, and where when the parser knows. */
export interface YamlProblem {
  what: string;
  line?: number;
  column?: number;
}

/**
 * The yaml package's message reads "<what> at line L, column C:" and then an excerpt (with
 * prettyErrors), or bare "<what>": cut to "<what>", with the place kept apart, so that it reads
 * well inside a longer sentence instead of ending in "column C:".
 */
export function yamlProblem(error: unknown): YamlProblem {
  if (!(error instanceof YAMLError)) return { what: error instanceof Error ? error.message : String(error) };
  const what = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
  const at = error.linePos?.[0];
  return at ? { what, line: at.line, column: at.col } : { what };
}

/** "line L, column C: <what>", or "<what>" when the place is unknown. */
export function yamlErrorText(error: unknown): string {
  const { what, line, column } = yamlProblem(error);
  return line === undefined ? what : `line ${line}, column ${column ?? 1}: ${what}`;
}
