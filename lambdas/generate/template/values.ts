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

/** fmt's padding of one formatted value to the directive's width, in characters; zeros go after a sign. */
function pad(s: string, d: Directive, zero: boolean): string {
  const length = Array.from(s).length;
  if (d.width === undefined || length >= d.width) return s;
  const fill = d.width - length;
  if (d.minus) return s + " ".repeat(fill);
  if (zero) {
    const signed = s.startsWith("-") || s.startsWith("+");
    return (signed ? s[0]! : "") + "0".repeat(fill) + (signed ? s.slice(1) : s);
  }
  return " ".repeat(fill) + s;
}

/** fmt's output for an argument its verb cannot format, whole: the value inside is padded, not the output. */
interface BadVerb {
  bad: string;
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

/** fmt's output for an argument a verb cannot format, e.g. %!d(string=foo): the value printed with %v and the directive's width. */
function badVerb(d: Directive, verb: string, a: unknown): BadVerb {
  if (a === undefined || a === null) return { bad: `%!${verb}(<nil>)` };
  const value = formatText({ ...d, plus: false, sharp: false }, "v", a) as string;
  return { bad: `%!${verb}(${fmtTypeName(a)}=${pad(value, d, d.zero)})` };
}

/** An integer with at least `count` digits, as a precision asks of %d and %v. */
function minDigits(n: bigint, count: number): string {
  const digits = (n < 0n ? -n : n).toString().padStart(count, "0");
  return n < 0n ? `-${digits}` : digits;
}

/** The character an integer is as a rune: one that is not a Unicode code point is U+FFFD, as in Go. */
function runeOf(n: bigint): string {
  const valid = n >= 0n && n <= 0x10ffffn && !(n >= 0xd800n && n <= 0xdfffn);
  return valid ? String.fromCodePoint(Number(n)) : "\ufffd";
}

/** The first `count` characters of `s`. */
function firstRunes(s: string, count: number): string {
  return Array.from(s).slice(0, count).join("");
}

/** strconv.QuoteRune: in single quotes, a control character escaped. */
function quoteRune(ch: string): string {
  if (ch === "'") return "'\\''";
  if (ch === '"') return `'"'`;
  return `'${goQuote(ch).slice(1, -1)}'`;
}

/** %v %s %q %t %c %T: values as text. */
function formatText(d: Directive, verb: string, a: unknown): string | BadVerb {
  switch (verb) {
    // %+v adds field names to structs, never a sign; a precision shortens a string as %s does.
    case "v":
      if (typeof a === "number" && d.prec !== undefined) return formatFloatG(Number(a.toPrecision(d.prec || 1)), d.prec || 1);
      if (typeof a === "bigint" && d.prec !== undefined) return minDigits(a, d.prec);
      if (typeof a === "string" && d.prec !== undefined) return firstRunes(a, d.prec);
      return d.sharp && typeof a === "string" ? goQuote(a) : formatV(a);
    case "s":
      if (typeof a === "string") return d.prec !== undefined ? firstRunes(a, d.prec) : a;
      return a === undefined || a === null || typeof a === "number" || typeof a === "bigint" || typeof a === "boolean" ? badVerb(d, verb, a) : formatV(a);
    case "q":
      if (typeof a === "string") {
        const text = d.prec === undefined ? a : firstRunes(a, d.prec);
        return d.sharp && !text.includes("`") ? `\`${text}\`` : goQuote(text);
      }
      return typeof a === "bigint" ? quoteRune(runeOf(a)) : badVerb(d, verb, a);
    case "t":
      return typeof a === "boolean" ? String(a) : badVerb(d, verb, a);
    case "c":
      return typeof a === "bigint" ? runeOf(a) : badVerb(d, verb, a);
    default:
      return fmtTypeName(a);
  }
}

/** %d %x %X %o %b: integers (and %x of a string, as hex bytes). */
function formatInteger(d: Directive, verb: string, a: unknown): string | BadVerb {
  if (verb === "d") {
    if (typeof a !== "bigint") return badVerb(d, verb, a);
    const digits = d.prec === undefined ? a.toString() : minDigits(a, d.prec);
    if (d.plus && a >= 0n) return `+${digits}`;
    return d.space && a >= 0n ? ` ${digits}` : digits;
  }
  const radix = verb === "o" ? 8 : verb === "b" ? 2 : 16;
  if (typeof a === "number" && verb !== "o") return verb === "b" ? floatBinary(a) : floatHex(a, verb === "X");
  let s: string;
  if (typeof a === "bigint") s = a.toString(radix);
  else if (typeof a === "string" && radix === 16) s = Buffer.from(a, "utf8").toString("hex");
  else return badVerb(d, verb, a);
  if (verb === "X") s = s.toUpperCase();
  if (d.sharp && radix === 16) s = s.startsWith("-") ? `-${verb === "X" ? "0X" : "0x"}${s.slice(1)}` : (verb === "X" ? "0X" : "0x") + s;
  return s;
}

/** %f %F %e %g: floats. */
function formatFloat(d: Directive, verb: string, a: unknown): string | BadVerb {
  if (typeof a !== "number") return badVerb(d, verb, a);
  const { prec } = d;
  let s: string;
  // toFixed turns to exponents from 1e21; a float64 that large is an integer, exact as a BigInt.
  if ((verb === "f" || verb === "F") && Math.abs(a) >= 1e21 && Number.isFinite(a)) s = `${BigInt(a)}${prec === 0 ? "" : `.${"0".repeat(prec ?? 6)}`}`;
  else if (verb === "f" || verb === "F") s = a.toFixed(prec ?? 6);
  else if (verb === "e") s = a.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, "e$10$2");
  else s = prec === undefined ? formatFloatG(a, 6) : formatFloatG(Number(a.toPrecision(prec || 1)), prec || 1);
  return d.plus && a >= 0 ? `+${s}` : s;
}

/** The bits of a float64: its sign, its biased exponent and its 52-bit mantissa. */
function floatBits(f: number): { negative: boolean; exponent: number; mantissa: bigint } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, f);
  const bits = view.getBigUint64(0);
  return { negative: bits >> 63n === 1n, exponent: Number((bits >> 52n) & 0x7ffn), mantissa: bits & 0xfffffffffffffn };
}

/** strconv.FormatFloat(f, 'b', -1, 64): a decimal mantissa and a binary exponent, as %b prints a float. */
function floatBinary(f: number): string {
  const { negative, exponent, mantissa } = floatBits(f);
  const m = exponent === 0 ? mantissa : mantissa | (1n << 52n);
  const e = (exponent === 0 ? 1 : exponent) - 1075;
  return `${negative ? "-" : ""}${m}p${e >= 0 ? "+" : ""}${e}`;
}

/** strconv.FormatFloat(f, 'x', -1, 64): the shortest hexadecimal mantissa and a two-digit binary exponent, as %x prints a float. */
function floatHex(f: number, upper: boolean): string {
  if (!Number.isFinite(f)) return Number.isNaN(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf";
  const { negative, exponent, mantissa } = floatBits(f);
  let e = exponent - 1023;
  let m = mantissa;
  if (exponent === 0) {
    if (m === 0n) e = 0;
    else {
      // Subnormal: normalize so the leading 1 is implicit again.
      e = -1022;
      while ((m & (1n << 52n)) === 0n) {
        m <<= 1n;
        e--;
      }
      m &= 0xfffffffffffffn;
    }
  }
  const digits = m.toString(16).padStart(13, "0").replace(/0+$/, "");
  const exp = `${e >= 0 ? "+" : "-"}${String(Math.abs(e)).padStart(2, "0")}`;
  const s = `${negative ? "-" : ""}0x${exponent === 0 && mantissa === 0n ? "0" : "1"}${digits ? `.${digits}` : ""}p${exp}`;
  return upper ? s.toUpperCase() : s;
}

/** One argument through its verb, padded as fmt pads it. */
function formatArgument(d: Directive, verb: string, a: unknown): string {
  // fmt formats a list's items and a map's keys and values one by one with the directive, its width
  // and precision included; %v without either and %T print the whole.
  const container = Array.isArray(a) || (isMap(a) && !(GO_STRING in a));
  if (container && verb !== "T" && (verb !== "v" || ((d.width !== undefined || d.prec !== undefined) && !d.sharp))) {
    const one = (x: unknown) => formatArgument(d, verb, x);
    if (Array.isArray(a)) return `[${a.map(one).join(" ")}]`;
    return `map[${Object.keys(a)
      .sort()
      .map((k) => `${one(k)}:${one(a[k])}`)
      .join(" ")}]`;
  }
  const s = formatLeaf(d, verb, a);
  return typeof s === "string"
    ? pad(s, d, d.zero && !d.minus && ((verb !== "s" && verb !== "v" && verb !== "q") || typeof a === "number" || typeof a === "bigint"))
    : s.bad;
}

function formatLeaf(d: Directive, verb: string, a: unknown): string | BadVerb {
  if ("vsqtcT".includes(verb)) return formatText(d, verb, a);
  if ("dxXob".includes(verb)) return formatInteger(d, verb, a);
  if ("fFeg".includes(verb)) return formatFloat(d, verb, a);
  // %U reads the integer as unsigned, as Go's uint64 conversion does.
  if (verb === "U" && typeof a === "bigint") return `U+${BigInt.asUintN(64, a).toString(16).toUpperCase().padStart(4, "0")}`;
  return badVerb(d, verb, a);
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
    out += formatArgument(d, verb, args[argi++]);
  }
  if (argi < args.length) {
    out += `%!(EXTRA ${args
      .slice(argi)
      .map((a) => (a === undefined || a === null ? "<nil>" : `${fmtTypeName(a)}=${formatV(a)}`))
      .join(", ")})`;
  }
  return out;
}
