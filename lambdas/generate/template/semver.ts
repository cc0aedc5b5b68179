// sprig's semver / semverCompare (Masterminds/semver v3 constraints), the common subset:
// operators = != > < >= <= ~ ~> ^, wildcards (x, X, *), partial versions, hyphen ranges,
// "," or space for AND and "||" for OR. A version with a prerelease only satisfies a constraint
// whose comparator has a prerelease too (Masterminds' rule).

interface Version {
  major: number;
  minor: number;
  patch: number;
  pre: string;
  /** Build metadata: printed, never compared. */
  meta?: string;
}

const VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/;

export function parseVersion(s: string): Version {
  const m = VERSION.exec(s.trim());
  if (!m) throw new Error("Invalid Semantic Version");
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), patch: Number(m[3] ?? 0), pre: m[4] ?? "", meta: m[5] ?? "" };
}

/** Masterminds' Version.String: the version normalized, as fmt prints it. */
export function versionString(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}${v.pre ? `-${v.pre}` : ""}${v.meta ? `+${v.meta}` : ""}`;
}

function comparePre(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "") return 1;
  if (b === "") return -1;
  const pa = a.split(".");
  const pb = b.split(".");
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) {
      if (Number(x) !== Number(y)) return Number(x) < Number(y) ? -1 : 1;
    } else if (nx) return -1;
    else if (ny) return 1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function compareVersions(a: Version, b: Version): number {
  for (const k of ["major", "minor", "patch"] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  return comparePre(a.pre, b.pre);
}

type Check = (v: Version) => boolean;

function comparator(op: string, ver: string): { check: Check; pre: boolean } {
  const m = /^v?([0-9xX*]+)(?:\.([0-9xX*]+))?(?:\.([0-9xX*]+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(ver);
  if (!m) throw new Error(`improper constraint: ${op}${ver}`);
  const wild = (p: string | undefined) => p === undefined || p === "x" || p === "X" || p === "*";
  const parts = [m[1], m[2], m[3]];
  const fixed = parts.findIndex(wild); // number of fixed leading parts (-1: all three fixed)
  const n = fixed < 0 ? 3 : fixed;
  const num = (i: number) => (i < n ? Number(parts[i]) : 0);
  const base: Version = { major: num(0), minor: num(1), patch: num(2), pre: m[4] ?? "" };
  const cmp = (v: Version) => compareVersions(v, base);
  const upper = (level: number): Version =>
    level <= 0 ? { major: base.major + 1, minor: 0, patch: 0, pre: "" } : { major: base.major, minor: base.minor + 1, patch: 0, pre: "" };
  const below = (u: Version) => (v: Version) =>
    compareVersions(v, { ...u, pre: "" }) < 0 && !(v.pre && v.major === u.major && v.minor === u.minor && v.patch === u.patch);
  let check: Check;
  switch (op) {
    case "":
    case "=":
      if (n === 3) check = (v) => cmp(v) === 0;
      else if (n === 0) check = () => true;
      else check = (v) => cmp(v) >= 0 && below(upper(n - 1))(v);
      break;
    case "!=":
      if (n === 3) check = (v) => cmp(v) !== 0;
      else if (n === 0) check = () => false;
      else check = (v) => !(cmp(v) >= 0 && below(upper(n - 1))(v));
      break;
    case ">":
      check = n === 3 ? (v) => cmp(v) > 0 : n === 0 ? () => false : (v) => !below(upper(n - 1))(v);
      break;
    case ">=":
      check = (v) => cmp(v) >= 0;
      break;
    case "<":
      check = (v) => cmp(v) < 0;
      break;
    case "<=":
      check = n === 3 ? (v) => cmp(v) <= 0 : n === 0 ? () => true : below(upper(n - 1));
      break;
    case "~":
    case "~>":
      check = (v) => cmp(v) >= 0 && below(upper(n <= 1 ? 0 : 1))(v);
      break;
    case "^":
      check = (v) =>
        cmp(v) >= 0 && below(base.major > 0 || n <= 1 ? upper(0) : base.minor > 0 || n === 2 ? upper(1) : { ...base, patch: base.patch + 1, pre: "" })(v);
      break;
    default:
      throw new Error(`improper constraint: ${op}${ver}`);
  }
  return { check, pre: base.pre !== "" };
}

/** Masterminds' Constraints.Check for the common syntax. */
export function semverCompare(constraint: string, version: string): boolean {
  const v = parseVersion(version);
  const groups = constraint.split("||");
  return groups.some((group) => {
    const g = group.trim().replace(/\s+-\s+/g, " - ");
    const tokens: string[] = [];
    // hyphen ranges "1.2 - 1.4" → ">=1.2 <=1.4"
    const words = g.split(/[\s,]+/).filter(Boolean);
    for (let i = 0; i < words.length; i++) {
      if (words[i + 1] === "-" && words[i + 2] !== undefined) {
        tokens.push(`>=${words[i]}`, `<=${words[i + 2]}`);
        i += 2;
      } else tokens.push(words[i]!);
    }
    // operators may be separated from the version by spaces: ">= 1.2"
    const merged: string[] = [];
    for (const t of tokens) {
      const last = merged[merged.length - 1];
      if (last !== undefined && /^(=|!=|>|<|>=|<=|~|~>|\^)$/.test(last)) merged[merged.length - 1] = last + t;
      else merged.push(t);
    }
    // Masterminds refuses an empty constraint, or an empty side of ||.
    if (merged.length === 0) throw new Error(`improper constraint: ${constraint}`);
    const cs = merged.map((t) => {
      const m = /^(!=|>=|<=|~>|=|>|<|~|\^)?(.*)$/.exec(t)!;
      return comparator(m[1] ?? "", m[2] ?? "");
    });
    if (v.pre && !cs.some((c) => c.pre)) return false;
    return cs.every((c) => c.check(v));
  });
}
