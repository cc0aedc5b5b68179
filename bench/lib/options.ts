import { parseArgs } from "node:util";

export type OutputFormat = "table" | "json";

export interface CountOption {
  default: number;
  /** Largest value allowed (default: none). */
  max?: number;
  /** The value must be a multiple of this (default 1). */
  multipleOf?: number;
}

/**
 * A benchmark's command line: `--<name> N` for each count (a positive integer) and
 * `--output table|json`. A bad value is refused naming the flag and what it must be.
 */
export function parseBenchOptions<Name extends string>(argv: string[], counts: Record<Name, CountOption>): Record<Name, number> & { output: OutputFormat } {
  const names = Object.keys(counts) as Name[];
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(names.map((name) => [name, { type: "string" as const, default: String(counts[name].default) }])),
      output: { type: "string", default: "table" },
    },
  });
  const text = values as Record<string, string>;
  if (text.output !== "table" && text.output !== "json") throw new Error(`--output must be table or json, got "${text.output}"`);
  const parsed = { output: text.output } as Record<Name, number> & { output: OutputFormat };
  for (const name of names) {
    const { max = Number.MAX_SAFE_INTEGER, multipleOf = 1 } = counts[name];
    const value = Number(text[name]);
    if (!Number.isInteger(value) || value < 1 || value > max || value % multipleOf !== 0) {
      const range = max < Number.MAX_SAFE_INTEGER ? `an integer from 1 to ${max}` : "a positive integer";
      throw new Error(`--${name} must be ${range}${multipleOf > 1 ? ` and a multiple of ${multipleOf}` : ""}, got "${text[name]}"`);
    }
    (parsed as Record<string, number>)[name] = value;
  }
  return parsed;
}
