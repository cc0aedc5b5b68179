// Go value model for the template engine, and Go's fmt printing of those values.
//
// JS values stand for the Go values Argo CD's ApplicationSet controller passes to text/template:
//   undefined → an invalid reflect.Value (a missing map key with missingkey=default/invalid)
//   null      → a nil interface{} (JSON null, or a missing key with missingkey=zero)
//   number    → float64 (every number in Argo's params comes from JSON, so it is a float64)
//   bigint    → int / int64 (template integer constants, len, atoi, sprig arithmetic)
//   string, boolean, arrays ([]interface{}), plain objects (map[string]interface{}).

export type GoValue = unknown;

/** The text fmt prints for a value with a String method (sprig's semver): kept under this key, which its fields do not list. */
export const GO_STRING = Symbol("String");

/** A nil map[string]interface{}: what a map parameter receives for a missing value or nil; empty, and refuses writes. */
export const NIL_MAP: Record<string, unknown> = Object.freeze({});

export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Go's type name of a value, as text/template's errors print it. */
export function goTypeName(v: unknown): string {
  if (v === undefined || v === null) return "<nil>";
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
      return "float64";
    case "bigint":
      return "int";
    case "boolean":
      return "bool";
    case "function":
      return "func";
  }
  if (Array.isArray(v)) return "[]interface {}";
  return "map[string]interface {}";
}

/** fmt's %v of a float64: %g with the shortest digits, exponent form when exp < -4 || exp >= 6 (so 1e+06). */
export function formatFloatV(f: number): string {
  return formatFloatG(f, 6);
}

/** %g with shortest digits: exponent form when exp < -4 || exp >= eprec. */
export function formatFloatG(f: number, eprec: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (f === Infinity) return "+Inf";
  if (f === -Infinity) return "-Inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const exp = f.toExponential(); // shortest round-trip digits, e.g. "1.5e+6"
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exp);
  if (!m) return String(f);
  const sign = m[1] ?? "";
  const digits = (m[2] ?? "") + (m[3] ?? "");
  const e = Number(m[4]);
  if (e < -4 || e >= eprec) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const es = Math.abs(e) < 10 ? `0${Math.abs(e)}` : String(Math.abs(e));
    return `${sign}${mant}e${e < 0 ? "-" : "+"}${es}`;
  }
  if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
  if (digits.length <= e + 1) return `${sign}${digits}${"0".repeat(e + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
}

/** fmt.Sprint of one value (%v). */
export function formatV(v: unknown): string {
  if (v === undefined || v === null) return "<nil>";
  switch (typeof v) {
    case "string":
      return v;
    case "number":
      return formatFloatV(v);
    case "bigint":
      return v.toString();
    case "boolean":
      return v ? "true" : "false";
  }
  if (Array.isArray(v)) return `[${v.map((x) => formatV(x)).join(" ")}]`;
  if (isMap(v)) {
    if (GO_STRING in v) return String(v[GO_STRING]);
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${formatV(v[k])}`).join(" ")}]`;
  }
  // Only a symbol or a function is left: each prints through its own toString.
  return (v as symbol | (() => unknown)).toString();
}

/** fmt.Sprint(args...): spaces between operands when neither side is a string. */
export function goSprint(args: unknown[]): string {
  let out = "";
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += formatV(a);
  });
  return out;
}

/** fmt.Sprintln: always spaces, newline at the end. */
export function goSprintln(args: unknown[]): string {
  return `${args.map((a) => formatV(a)).join(" ")}\n`;
}

/** strconv.Quote (ASCII-safe subset: escapes control characters, quotes and backslashes). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\x07") out += "\\a";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\v") out += "\\v";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Go's type name for fmt's bad-verb output, e.g. %!d(string=foo). */
function fmtTypeName(v: unknown): string {
  if (v === undefined || v === null) return "<nil>";
  return goTypeName(v);
}

function pad(s: string, width: number | undefined, minus: boolean, zero: boolean): string {
  if (width === undefined || s.length >= width) return s;
  if (minus) return s + " ".repeat(width - s.length);
  if (zero) {
    const neg = s.startsWith("-") || s.startsWith("+");
    const body = neg ? s.slice(1) : s;
    return (neg ? s[0]! : "") + "0".repeat(width - s.length) + body;
  }
  return " ".repeat(width - s.length) + s;
}

/** One `%…` directive: its flags, width, precision and verb; `next` is the index after it. */
interface Directive {
  minus: boolean;
  plus: boolean;
  zero: boolean;
  space: boolean;
  sharp: boolean;
  width: number | undefined;
  prec: number | undefined;
  verb: string | undefined;
  next: number;
}

/** Reads the directive whose `%` is just before `i`, as fmt does: flags, width, `.precision`, verb. */
function readDirective(format: string, i: number): Directive {
  const d: Directive = { minus: false, plus: false, zero: false, space: false, sharp: false, width: undefined, prec: undefined, verb: undefined, next: i };
  for (; i < format.length; i++) {
    const f = format[i];
    if (f === "-") d.minus = true;
    else if (f === "+") d.plus = true;
    else if (f === "0") d.zero = true;
    else if (f === " ") d.space = true;
    else if (f === "#") d.sharp = true;
    else break;
  }
  const wm = /^\d+/.exec(format.slice(i));
  if (wm) {
    d.width = Number(wm[0]);
    i += wm[0].length;
  }
  if (format[i] === ".") {
    i++;
    const pm = /^\d+/.exec(format.slice(i));
    d.prec = pm ? Number(pm[0]) : 0;
    if (pm) i += pm[0].length;
  }
  d.verb = format[i];
  d.next = i + 1;
  return d;
}

/** fmt's output for an argument a verb cannot format, e.g. %!d(string=foo). */
function badVerb(verb: string, a: unknown): string {
  return a === undefined || a === null ? `%!${verb}(<nil>)` : `%!${verb}(${fmtTypeName(a)}=${formatV(a)})`;
}

/** %v %s %q %t %c %T: values as text. */
function formatText(d: Directive, verb: string, a: unknown): string {
  switch (verb) {
    case "v": {
      const s = typeof a === "number" && d.prec !== undefined ? a.toPrecision(Math.max(d.prec, 1)) : d.sharp && typeof a === "string" ? goQuote(a) : formatV(a);
      return d.plus && (typeof a === "number" || typeof a === "bigint") && !s.startsWith("-") ? `+${s}` : s;
    }
    case "s":
      if (typeof a === "string") return d.prec !== undefined ? a.slice(0, d.prec) : a;
      return a === undefined || a === null || typeof a === "number" || typeof a === "bigint" || typeof a === "boolean" ? badVerb(verb, a) : formatV(a);
    case "q":
      if (typeof a === "string") return d.sharp && !a.includes("`") ? `\`${a}\`` : goQuote(a);
      return typeof a === "bigint" ? `'${String.fromCodePoint(Number(a))}'` : badVerb(verb, a);
    case "t":
      return typeof a === "boolean" ? String(a) : badVerb(verb, a);
    case "c":
      return typeof a === "bigint" ? String.fromCodePoint(Number(a)) : badVerb(verb, a);
    default:
      return fmtTypeName(a);
  }
}

/** %d %x %X %o %b: integers (and %x of a string, as hex bytes). */
function formatInteger(d: Directive, verb: string, a: unknown): string {
  if (verb === "d") {
    if (typeof a !== "bigint") return badVerb(verb, a);
    if (d.plus && a >= 0n) return `+${a}`;
    return d.space && a >= 0n ? ` ${a}` : a.toString();
  }
  const radix = verb === "o" ? 8 : verb === "b" ? 2 : 16;
  let s: string;
  if (typeof a === "bigint") s = a.toString(radix);
  else if (typeof a === "string" && radix === 16) s = Buffer.from(a, "utf8").toString("hex");
  else s = badVerb(verb, a);
  if (verb === "X") s = s.toUpperCase();
  if (d.sharp && radix === 16 && typeof a === "bigint") s = (verb === "X" ? "0X" : "0x") + s;
  return s;
}

/** %f %F %e %g: floats. */
function formatFloat(d: Directive, verb: string, a: unknown): string {
  if (typeof a !== "number") return badVerb(verb, a);
  const { prec } = d;
  let s: string;
  if (verb === "f" || verb === "F") s = a.toFixed(prec ?? 6);
  else if (verb === "e") s = a.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, "e$10$2");
  else s = prec === undefined ? formatFloatG(a, 6) : formatFloatG(Number(a.toPrecision(prec || 1)), prec || 1);
  return d.plus && a >= 0 ? `+${s}` : s;
}

/** One argument through its verb, before padding. */
function formatArgument(d: Directive, verb: string, a: unknown): string {
  // fmt applies any verb but %v and %T to a list's items, and to a map's keys and values.
  if (verb !== "v" && verb !== "T" && (Array.isArray(a) || (isMap(a) && !(GO_STRING in a)))) {
    const one = (x: unknown) => formatArgument(d, verb, x);
    if (Array.isArray(a)) return `[${a.map(one).join(" ")}]`;
    return `map[${Object.keys(a)
      .sort()
      .map((k) => `${one(k)}:${one(a[k])}`)
      .join(" ")}]`;
  }
  if ("vsqtcT".includes(verb)) return formatText(d, verb, a);
  if ("dxXob".includes(verb)) return formatInteger(d, verb, a);
  if ("fFeg".includes(verb)) return formatFloat(d, verb, a);
  return badVerb(verb, a);
}

/** fmt.Sprintf for the verbs templates use: %v %s %d %q %f %g %e %t %x %X %o %b %c %T %%. */
export function goSprintf(format: string, args: unknown[]): string {
  let out = "";
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const ch = format[i]!;
    if (ch !== "%") {
      out += ch;
      i++;
      continue;
    }
    const d = readDirective(format, i + 1);
    const verb = d.verb;
    i = d.next;
    if (verb === undefined) {
      out += "%!(NOVERB)";
      break;
    }
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const s = formatArgument(d, verb, args[argi++]);
    out += pad(s, d.width, d.minus, d.zero && !d.minus && verb !== "s" && verb !== "v" && verb !== "q");
  }
  if (argi < args.length) {
    out += `%!(EXTRA ${args
      .slice(argi)
      .map((a) => (a === undefined || a === null ? "<nil>" : `${fmtTypeName(a)}=${formatV(a)}`))
      .join(", ")})`;
  }
  return out;
}
