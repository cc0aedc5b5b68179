// A field path inside an object, and how it is written in drift reports.
//
// Written form: fields joined by dots (`spec.replicas`); a key that is not a plain name in brackets
// and quotes (`metadata.labels["app.kubernetes.io/name"]`); an item of a keyed list by its keys
// (`spec.template.spec.containers[name=web].image`, `ports[containerPort=80,protocol=TCP]`); an
// item of an unkeyed list by index (`rules[0]`).

export type Scalar = string | number | boolean;

export type Segment = { field: string } | { keys: Record<string, Scalar> } | { index: number };

export type FieldPath = readonly Segment[];

const PLAIN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function formatPath(path: FieldPath): string {
  let text = "";
  for (const segment of path) {
    if ("field" in segment) text += PLAIN.test(segment.field) ? `${text === "" ? "" : "."}${segment.field}` : `[${JSON.stringify(segment.field)}]`;
    else if ("keys" in segment)
      text += `[${Object.entries(segment.keys)
        .map(([key, value]) => `${key}=${String(value)}`)
        .join(",")}]`;
    else text += `[${segment.index}]`;
  }
  return text;
}
