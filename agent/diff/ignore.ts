// An Application's ignoreDifferences, as Argo CD applies them: a rule matches objects by group and
// kind (globs: * and ?), and by name and namespace when given; its jsonPointers and
// jqPathExpressions are removed from both the Git and the live object before they are compared;
// its managedFieldsManagers name field managers whose live fields are not drift.
import { groupOf, type KubeObject } from "../kube/object.js";
import type { z } from "zod";
import type { IgnoreDifference as IgnoreDifferenceSchema } from "../../contract/application.js";
import { locate, parseJqPath, type JqPath } from "./jq-path.js";

/** One `spec.ignoreDifferences` entry of an Application. */
export type IgnoreDifference = z.infer<typeof IgnoreDifferenceSchema>;

/** An ignoreDifferences rule Radial cannot apply; nothing is compared until it is fixed. */
export class IgnoreDifferenceError extends Error {}

type Location = (string | number)[];

export interface IgnoreRule {
  matches(object: KubeObject): boolean;
  remove(document: unknown): void;
  managers: string[];
}

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "s",
  );

/** RFC 6901: `/a/b~1c/0` → ["a", "b/c", "0"]. */
function parsePointer(pointer: string): string[] {
  if (!pointer.startsWith("/")) throw new IgnoreDifferenceError(`invalid jsonPointer ${JSON.stringify(pointer)}: must start with /`);
  return pointer
    .slice(1)
    .split("/")
    .map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Deletes one field or list item, if it is there. */
function removeAt(document: unknown, location: Location): void {
  let parent: unknown = document;
  for (const step of location.slice(0, -1)) {
    if (parent === null || typeof parent !== "object") return;
    parent = (parent as Record<string | number, unknown>)[step];
  }
  const last = location.at(-1);
  if (last === undefined) return;
  if (Array.isArray(parent)) {
    const index = Number(last);
    if (Number.isInteger(index) && index >= 0 && index < parent.length) parent.splice(index, 1);
  } else if (parent !== null && typeof parent === "object") Reflect.deleteProperty(parent, String(last));
}

/** Deepest and highest-indexed first, so removing one item does not move the others. */
function removeAll(document: unknown, locations: Location[]): void {
  const order = (a: Location, b: Location): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i] === b[i]) continue;
      return typeof a[i] === "number" && typeof b[i] === "number" ? (b[i] as number) - (a[i] as number) : String(b[i]).localeCompare(String(a[i]));
    }
    return b.length - a.length;
  };
  for (const location of [...locations].sort(order)) removeAt(document, location);
}

export function compileIgnoreRules(ignore: IgnoreDifference[]): IgnoreRule[] {
  return ignore.map((rule) => {
    const group = glob(rule.group ?? "");
    const kind = glob(rule.kind);
    const pointers = (rule.jsonPointers ?? []).map(parsePointer);
    const expressions: JqPath[] = (rule.jqPathExpressions ?? []).map((expression) => {
      try {
        return parseJqPath(expression);
      } catch (error) {
        throw new IgnoreDifferenceError((error as Error).message);
      }
    });
    return {
      matches: (object) =>
        group.test(groupOf(object.apiVersion)) &&
        kind.test(object.kind) &&
        (!rule.name || rule.name === object.metadata.name) &&
        (!rule.namespace || rule.namespace === object.metadata.namespace),
      remove: (document) => {
        for (const pointer of pointers) removeAt(document, pointer);
        for (const expression of expressions) removeAll(document, locate(document, expression));
      },
      managers: rule.managedFieldsManagers ?? [],
    };
  });
}
