import { echo } from "../../contract/echo.js";
import { labelKeyProblem, labelValueProblem } from "../../contract/labels.js";

/** One requirement of a label selector, as Kubernetes models it (labels.Requirement). */
export type Requirement =
  | { key: string; operator: "In" | "NotIn"; values: string[] }
  | { key: string; operator: "Exists" | "DoesNotExist" }
  | { key: string; operator: "Gt" | "Lt"; value: bigint };

/** A selector is a conjunction of requirements; an empty one matches everything. */
export type Selector = Requirement[];

export class SelectorError extends Error {}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's strconv.ParseInt(text, 10, 64), as Kubernetes reads Gt and Lt: a sign, decimal digits, within int64. */
function parseInt64(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value >= INT64_MIN && value <= INT64_MAX ? value : undefined;
}

type Token = { kind: "id"; text: string; at: number } | { kind: "op"; text: string; at: number } | { kind: "end"; text: ""; at: number };

const OPERATORS = ["==", "!=", "=", "!", ",", "(", ")", "<", ">"];

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    if (/\s/.test(input[i]!)) {
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => input.startsWith(o, i));
    if (op) {
      tokens.push({ kind: "op", text: op, at: i });
      i += op.length;
      continue;
    }
    const start = i;
    while (i < input.length && !/\s/.test(input[i]!) && !OPERATORS.some((o) => input.startsWith(o, i))) i++;
    tokens.push({ kind: "id", text: input.slice(start, i), at: start });
  }
  tokens.push({ kind: "end", text: "", at: input.length });
  return tokens;
}

/**
 * Parses the Kubernetes label-selector syntax (`env=prod,tier in (web,api),!canary`), with the
 * same operators and validation as `kubectl get -l`.
 */
export function parseSelector(input: string): Selector {
  const tokens = tokenize(input);
  let position = 0;
  const fail = (token: Token, expected: string): never => {
    const found = token.kind === "end" ? "the end" : echo(token.text, "'");
    throw new SelectorError(`invalid selector ${echo(input)}: at position ${token.at}, found ${found}, expected ${expected}`);
  };
  const next = () => tokens[position++]!;
  const peek = () => tokens[position]!;
  const key = (): string => {
    const token = next();
    if (token.kind !== "id" || token.text === "in" || token.text === "notin") return fail(token, "a label key");
    const problem = labelKeyProblem(token.text);
    if (problem) throw new SelectorError(`invalid selector ${echo(input)}: ${problem}`);
    return token.text;
  };
  const value = (k: string): string => {
    const token = peek();
    if (token.kind !== "id") return ""; // `env=` selects the empty value, as in Kubernetes
    position++;
    const problem = labelValueProblem(token.text, k);
    if (problem) throw new SelectorError(`invalid selector ${echo(input)}: ${problem}`);
    return token.text;
  };
  const values = (k: string): string[] => {
    const open = next();
    if (open.text !== "(") fail(open, "'('");
    const out: string[] = [];
    for (;;) {
      out.push(value(k));
      const token = next();
      if (token.text === ")") return out;
      if (token.text !== ",") fail(token, "',' or ')'");
    }
  };
  const requirement = (): Requirement => {
    if (peek().text === "!") {
      position++;
      return { key: key(), operator: "DoesNotExist" };
    }
    const k = key();
    const token = peek();
    if (token.kind === "end" || token.text === ",") return { key: k, operator: "Exists" };
    position++;
    switch (token.text) {
      case "=":
      case "==":
        return { key: k, operator: "In", values: [value(k)] };
      case "!=":
        return { key: k, operator: "NotIn", values: [value(k)] };
      case "in":
        return { key: k, operator: "In", values: values(k) };
      case "notin":
        return { key: k, operator: "NotIn", values: values(k) };
      case "<":
      case ">": {
        // Kubernetes' NewRequirement: the operand is, like every value, a valid label value, and an int64.
        const at = peek();
        const operand = parseInt64(value(k));
        if (operand === undefined) return fail(at, "an integer");
        return { key: k, operator: token.text === "<" ? "Lt" : "Gt", value: operand };
      }
      default:
        return fail(token, "'=', '==', '!=', 'in', 'notin', '<', '>', ',' or the end");
    }
  };

  const selector: Selector = [];
  if (peek().kind === "end") return selector;
  for (;;) {
    selector.push(requirement());
    const token = next();
    if (token.kind === "end") return selector;
    if (token.text !== ",") fail(token, "',' or the end");
  }
}

/** Whether labels satisfy every requirement. */
export function matches(selector: Selector, labels: Readonly<Record<string, string>>): boolean {
  return selector.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    const actual = labels[r.key];
    switch (r.operator) {
      case "Exists":
        return has;
      case "DoesNotExist":
        return !has;
      case "In":
        return has && r.values.includes(actual!);
      case "NotIn":
        return !has || !r.values.includes(actual!);
      case "Gt":
      case "Lt": {
        const number = has ? parseInt64(actual!) : undefined;
        if (number === undefined) return false;
        return r.operator === "Gt" ? number > r.value : number < r.value;
      }
    }
  });
}

/** A metav1.LabelSelector (matchLabels and matchExpressions), as ApplicationSet cluster generators carry it. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Converts a LabelSelector object to requirements, validating it as Kubernetes does. */
export function selectorFromObject(object: LabelSelectorObject): Selector {
  const selector: Selector = [];
  for (const [key, value] of Object.entries(object.matchLabels ?? {})) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(value, key);
    if (problem) throw new SelectorError(`matchLabels: ${problem}`);
    selector.push({ key, operator: "In", values: [value] });
  }
  for (const [index, expression] of (object.matchExpressions ?? []).entries()) {
    const where = `matchExpressions[${index}]`;
    const keyProblem = labelKeyProblem(expression.key);
    if (keyProblem) throw new SelectorError(`${where}: ${keyProblem}`);
    const values = expression.values ?? [];
    switch (expression.operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) throw new SelectorError(`${where}: operator ${expression.operator} needs at least one value`);
        for (const value of values) {
          const problem = labelValueProblem(value, expression.key);
          if (problem) throw new SelectorError(`${where}: ${problem}`);
        }
        selector.push({ key: expression.key, operator: expression.operator, values });
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0) throw new SelectorError(`${where}: operator ${expression.operator} takes no values`);
        selector.push({ key: expression.key, operator: expression.operator });
        break;
      default:
        throw new SelectorError(`${where}: operator ${echo(expression.operator)} is not one of In, NotIn, Exists, DoesNotExist`);
    }
  }
  return selector;
}
