// sprig's semver and semverCompare: Masterminds/semver v3.3.0, the version sprig v3.3.0 (Argo CD's)
// pins, ported rule for rule with its regular expressions, its quirks (^* matches only 0.0.0, <=*
// only 0.0.x, "1.x.|" reads as 1.x) and its error messages, since Argo CD renders with that code.
//
// Grammar: operators = != > < >= => <= =< ~ ~> ^; x, X and * wildcards; partial versions (1, 1.2);
// hyphen ranges "1.2 - 1.4"; comparators ANDed by spaces or commas, groups ORed by "||". A version
// with a prerelease satisfies a comparator only if the comparator has a prerelease too (except !=
// of a complete version).

export interface Version {
  major: bigint;
  minor: bigint;
  patch: bigint;
  pre: string;
  /** Build metadata: printed, never compared. */
  meta: string;
}

// Go's \s is ASCII whitespace only; JavaScript's also matches no-break spaces and the like.
const S = String.raw`[\t\n\f\r ]`;
const IDS = String.raw`[0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*`;
/** Masterminds' cvRegex, a version in a constraint; the character class takes "|" too, as Go's does. */
const CV = String.raw`v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-(${IDS}))?(\+(${IDS}))?`;
// The empty alternative after "=" is Masterminds' too: a bare version.
const OPS = String.raw`=||!=|>|<|>=|=>|<=|=<|~|~>|\^`;
const VERSION = new RegExp(String.raw`^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-(${IDS}))?(\+(${IDS}))?$`);
const COMPARATOR = new RegExp(`^${S}*(${OPS})${S}*(${CV})${S}*$`);
const RANGE = new RegExp(`${S}*(${CV})${S}+-${S}+(${CV})${S}*`, "g");
const FIND = new RegExp(`(${OPS})${S}*(${CV})`, "g");
const VALID = new RegExp(`^(${S}*(${OPS})${S}*(${CV})${S}*)((?:${S}+|,${S}*)(${OPS})${S}*(${CV})${S}*)*$`);

const UINT64_MAX = 2n ** 64n - 1n;

/** strconv.ParseUint(s, 10, 64), for a string of digits. */
function parseUint(digits: string): bigint {
  const n = BigInt(digits);
  if (n > UINT64_MAX) throw new Error(`Error parsing version segment: strconv.ParseUint: parsing "${digits}": value out of range`);
  return n;
}

/** Masterminds' NewVersion: a version, coerced (1 and 1.2 are 1.0.0 and 1.2.0), not trimmed. */
export function parseVersion(s: string): Version {
  const m = VERSION.exec(s);
  if (!m) throw new Error("Invalid Semantic Version");
  const segment = (dotted: string | undefined) => (dotted ? parseUint(dotted.slice(1)) : 0n);
  const v = { major: parseUint(m[1]!), minor: segment(m[2]), patch: segment(m[3]), pre: m[5] ?? "", meta: m[8] ?? "" };
  // A numeric prerelease identifier may not have a leading zero; metadata ones may.
  if (v.pre.split(".").some((id) => /^0\d+$/.test(id))) throw new Error("Version segment starts with 0");
  return v;
}

/** Masterminds' Version.String: the version normalized, as fmt prints it. */
export function versionString(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}${v.pre ? `-${v.pre}` : ""}${v.meta ? `+${v.meta}` : ""}`;
}

/** strconv.ParseUint's answer for a prerelease identifier: undefined when it is not a uint64. */
function numeric(id: string): bigint | undefined {
  return /^\d+$/.test(id) && BigInt(id) <= UINT64_MAX ? BigInt(id) : undefined;
}

/** -1, 0 or 1 as a is below, equal to or above b. */
const cmp = <T extends bigint | number | string>(a: T, b: T): number => (a < b ? -1 : a > b ? 1 : 0);

/** Masterminds' comparePrePart: a missing identifier lowest, then numbers by value, then words by bytes. */
function compareIdentifiers(a: string, b: string): number {
  const x = numeric(a);
  const y = numeric(b);
  const rank = (id: string, n: bigint | undefined) => (id === "" ? 0 : n === undefined ? 2 : 1);
  // Of equal rank, both are numbers or neither is.
  return cmp(rank(a, x), rank(b, y)) || (x !== undefined ? cmp(x, y!) : cmp(a, b));
}

/** Masterminds' comparePrerelease: identifier by identifier, the shorter list padded with missing ones. */
function comparePre(a: string, b: string): number {
  const pa = a.split(".");
  const pb = b.split(".");
  const diffs = Array.from({ length: Math.max(pa.length, pb.length) }, (_, i) => compareIdentifiers(pa[i] ?? "", pb[i] ?? ""));
  return diffs.find((d) => d !== 0) ?? 0;
}

/** Masterminds' Version.Compare: major, minor, patch, then a release above its prereleases, then the prereleases. */
function compareVersions(a: Version, b: Version): number {
  const release = (v: Version) => (v.pre === "" ? 1 : 0);
  return cmp(a.major, b.major) || cmp(a.minor, b.minor) || cmp(a.patch, b.patch) || cmp(release(a), release(b)) || comparePre(a.pre, b.pre);
}

interface Comparator {
  op: string;
  /** The version, wildcards and missing parts as 0. */
  con: Version;
  /** A wildcard or missing part anywhere; minorDirty: from the minor on; patchDirty: the patch only. */
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

const isX = (part: string) => part === "x" || part === "X" || part === "*";

/** Masterminds' parseConstraint: one operator and version, as FIND cut it from its group. */
function parseComparator(text: string): Comparator {
  const [, op = "", cv = "", major = "", minor = "", patch = "", pre = ""] = COMPARATOR.exec(text)!;
  let version = cv;
  let minorDirty = false;
  let patchDirty = false;
  if (isX(major)) version = `0.0.0${pre}`;
  else if (minor === "" || isX(minor.slice(1))) {
    minorDirty = true;
    version = `${major}.0.0${pre}`;
  } else if (patch === "" || isX(patch.slice(1))) {
    patchDirty = true;
    version = `${major}${minor}.0${pre}`;
  }
  let con: Version;
  try {
    con = parseVersion(version);
  } catch {
    // What the regular expressions let through and NewVersion refuses: "|", a leading zero, a uint64 overflow.
    throw new Error("constraint Parser Error");
  }
  return { op, con, dirty: version !== cv, minorDirty, patchDirty };
}

/** Masterminds' NewConstraint: hyphen ranges rewritten, "||" groups, each validated whole, then cut into comparators. */
function parseConstraint(constraint: string): Comparator[][] {
  let rewritten = constraint;
  for (const m of constraint.matchAll(RANGE)) rewritten = rewritten.replace(m[0], () => `>= ${m[1]}, <= ${m[11]} `);
  return rewritten.split("||").map((group) => {
    if (!VALID.test(group)) throw new Error(`improper constraint: ${group}`);
    return group.match(FIND)!.map(parseComparator);
  });
}

/** Masterminds' constraintTilde: at least the version, within its major, and within its minor unless that was a wildcard. */
function tilde(v: Version, c: Comparator): boolean {
  if (compareVersions(v, c.con) < 0) return false;
  // ~0.0.0 and ~* take everything above.
  if (c.con.major === 0n && c.con.minor === 0n && c.con.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  return v.major === c.con.major && (v.minor === c.con.minor || c.minorDirty);
}

/** Masterminds' constraintCaret: within the first nonzero part, or a wildcard's level ("^*" matches 0.0.0 only). */
function caret(v: Version, c: Comparator): boolean {
  if (compareVersions(v, c.con) < 0) return false;
  if (c.con.major > 0n || c.minorDirty) return v.major === c.con.major;
  if (v.major > 0n) return false;
  if (c.con.minor > 0n || c.patchDirty) return v.minor === c.con.minor;
  return v.minor === 0n && v.patch === c.con.patch;
}

/** Masterminds' constraintGreaterThan: with a wildcard, above the whole range it stands for. */
function greater(v: Version, c: Comparator): boolean {
  if (v.major > c.con.major) return true;
  if (v.major < c.con.major) return false;
  if (c.minorDirty) return false;
  if (c.patchDirty) return v.minor > c.con.minor;
  return compareVersions(v, c.con) > 0;
}

/** Masterminds' constraintLessThanEqual: with a wildcard, within the major, and the minor unless that was a wildcard. */
function lessOrEqual(v: Version, c: Comparator): boolean {
  if (!c.dirty) return compareVersions(v, c.con) <= 0;
  if (v.major > c.con.major) return false;
  return !(v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty);
}

/** Masterminds' constraintNotEqual: with a wildcard, outside the range it stands for. */
function notEqual(v: Version, c: Comparator): boolean {
  if (v.major !== c.con.major) return true;
  if (c.minorDirty) return false;
  if (v.minor !== c.con.minor) return true;
  if (c.patchDirty) return v.pre !== c.con.pre;
  return compareVersions(v, c.con) !== 0;
}

function satisfies(v: Version, c: Comparator): boolean {
  // Masterminds' issue 21: a prerelease is only for a comparator that names one (!= of a complete version aside).
  if (v.pre !== "" && c.con.pre === "" && (c.op !== "!=" || c.dirty)) return false;
  switch (c.op) {
    case "!=":
      return notEqual(v, c);
    case ">":
      return greater(v, c);
    case "<":
      return compareVersions(v, c.con) < 0;
    case ">=":
    case "=>":
      return compareVersions(v, c.con) >= 0;
    case "<=":
    case "=<":
      return lessOrEqual(v, c);
    case "~":
    case "~>":
      return tilde(v, c);
    case "^":
      return caret(v, c);
    default: // "" and "=": a wildcard makes it a tilde
      return c.dirty ? tilde(v, c) : compareVersions(v, c.con) === 0;
  }
}

/** sprig's semverCompare: the constraint is parsed first, so its error comes before the version's. */
export function semverCompare(constraint: string, version: string): boolean {
  const groups = parseConstraint(constraint);
  const v = parseVersion(version);
  return groups.some((group) => group.every((c) => satisfies(v, c)));
}
