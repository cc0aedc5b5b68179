// Label rules as Kubernetes enforces them (apimachinery validation.IsQualifiedName / IsValidLabelValue).
import { echo } from "./echo.js";

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid label key, or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix.length === 0) return `label key ${echo(key)}: the prefix before '/' must not be empty`;
    if (prefix.length > 253) return `label key ${echo(key)}: the prefix must be at most 253 characters`;
    if (!DNS1123_SUBDOMAIN.test(prefix))
      return `label key ${echo(key)}: the prefix ${echo(prefix)} must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')`;
  }
  if (name.length === 0) return `label key ${echo(key)}: the name part must not be empty`;
  if (name.length > 63) return `label key ${echo(key)}: the name part must be at most 63 characters`;
  if (!NAME_PART.test(name))
    return `label key ${echo(key)}: the name part must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit`;
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is. */
export function labelValueProblem(value: string, key?: string): string | undefined {
  const where = key === undefined ? `label value ${echo(value)}` : `label ${echo(key)}: value ${echo(value)}`;
  if (value.length > 63) return `${where} must be at most 63 characters`;
  if (value.length > 0 && !NAME_PART.test(value))
    return `${where} must be empty or consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit`;
  return undefined;
}

/** Every problem with a set of labels, one message each. */
export function labelProblems(labels: Record<string, string>): string[] {
  return Object.entries(labels).flatMap(([key, value]) => [labelKeyProblem(key), labelValueProblem(value, key)].filter((p): p is string => p !== undefined));
}
