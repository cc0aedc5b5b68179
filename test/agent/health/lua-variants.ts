// The inputs of test/agent/health/lua-agreement.test.ts: each of Argo CD's test inputs for a kind
// whose health.lua we hold, and every variant that changes one thing in it (a key removed, a number
// one up or down, a string emptied or changed, True and False swapped, a flag flipped, a list
// emptied), so the port and the script are compared at the edges the cases do not reach.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { CUSTOM_CHECKS } from "../../../agent/health/custom/index.js";
import type { KubeObject } from "../../../agent/kube/object.js";

/** Every kind with a check in agent/health/custom/: fixtures/ holds its Argo CD health.lua (see fixtures/README.md). */
export const SCRIPT_KEYS = [...CUSTOM_CHECKS.keys()];

/** What Argo CD's scripts answer for every variant, written by write-lua-outcomes.ts. */
export const OUTCOMES_FILE = new URL("./fixtures/lua-outcomes.json", import.meta.url);

/** Per key: the distinct answers, and which one each variant got, in variantsOf's order. */
export type Outcomes = Record<string, { answers: [status: string, message: string][]; answer: number[] }>;

const folder = (key: string) => new URL(`./fixtures/${key}/`, import.meta.url);
const read = (url: URL) => parse(readFileSync(url, "utf8"), { uniqueKeys: false }) as unknown;

export const scriptOf = (key: string) => readFileSync(new URL("health.lua", folder(key)), "utf8");

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function* changes(value: Json): Generator<Json> {
  if (Array.isArray(value)) {
    if (value.length > 0) yield [];
    for (let i = 0; i < value.length; i++) for (const changed of changes(value[i]!)) yield value.map((item, j) => (j === i ? changed : item));
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const { [key]: _removed, ...rest } = value;
      yield rest;
      for (const changed of changes(item)) yield { ...value, [key]: changed };
    }
  } else if (typeof value === "number") {
    yield value + 1;
    yield value - 1;
  } else if (typeof value === "string") {
    if (value !== "") yield "";
    yield value === "True" ? "False" : value === "False" ? "True" : `${value}x`;
  } else if (typeof value === "boolean") yield !value;
}

/** Argo CD's inputs for `key`, then their one-change variants; apiVersion, kind and name stay, so each still routes to its check. */
export function variantsOf(key: string): KubeObject[] {
  const cases = (read(new URL("health_test.yaml", folder(key))) as { tests: { inputPath: string }[] }).tests;
  return cases.flatMap(({ inputPath }) => {
    const { apiVersion, kind, metadata, ...rest } = read(new URL(inputPath, folder(key))) as { metadata: Record<string, Json> } & Record<string, Json>;
    const { generation, annotations, ...identity } = metadata;
    const checked = Object.fromEntries(Object.entries({ generation, annotations }).filter(([, value]) => value !== undefined)) as Record<string, Json>;
    const changedMetadata = [...changes(checked)].map((m) => ({ apiVersion, kind, metadata: { ...identity, ...(m as object) }, ...rest }));
    const changedRest = [...changes(rest)].map((r) => ({ apiVersion, kind, metadata, ...(r as object) }));
    return [{ apiVersion, kind, metadata, ...rest }, ...changedMetadata, ...changedRest] as unknown as KubeObject[];
  });
}
