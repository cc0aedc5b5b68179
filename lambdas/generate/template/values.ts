// Go value model for the template engine, and Go's fmt printing of those values.
//
// JS values stand for the Go values Argo CD's ApplicationSet controller passes to text/template:
//   undefined → an invalid reflect.Value (a missing map key with missingkey=default/invalid)
//   null      → a nil interface{} (JSON null, or a missing key with missingkey=zero)
//   number    → float64 (every number in Argo's params comes from JSON, so it is a float64)
//   bigint    → int / int64 (template integer constants, len, atoi, sprig arithmetic)
//   string, boolean, arrays ([]interface{}), plain objects (map[string]interface{}).

export type GoValue = unknown;

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
export function formatV(v: unknown, top = true): string {
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
  if (Array.isArray(v)) return `[${v.map((x) => formatV(x, false)).join(" ")}]`;
  if (isMap(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${formatV(v[k], false)}`).join(" ")}]`;
  }
  void top;
  return String(v);
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
    return (neg ? s[0] : "") + "0".repeat(width - s.length) + body;
  }
  return " ".repeat(width - s.length) + s;
}

/** fmt.Sprintf for the verbs templates use: %v %s %d %q %f %g %e %t %x %X %o %b %c %T %%. */
export function goSprintf(format: string, args: unknown[]): string {
  let out = "";
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const ch = format[i];
    if (ch !== "%") {
      out += ch;
      i++;
      continue;
    }
    i++;
    let minus = false;
    let plus = false;
    let zero = false;
    let space = false;
    let sharp = false;
    for (; i < format.length; i++) {
      const f = format[i];
      if (f === "-") minus = true;
      else if (f === "+") plus = true;
      else if (f === "0") zero = true;
      else if (f === " ") space = true;
      else if (f === "#") sharp = true;
      else break;
    }
    let width: number | undefined;
    let prec: number | undefined;
    const wm = /^\d+/.exec(format.slice(i));
    if (wm) {
      width = Number(wm[0]);
      i += wm[0].length;
    }
    if (format[i] === ".") {
      i++;
      const pm = /^\d+/.exec(format.slice(i));
      prec = pm ? Number(pm[0]) : 0;
      if (pm) i += pm[0].length;
    }
    const verb = format[i];
    i++;
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
    const a = args[argi++];
    const bad = () => `%!${verb}(${fmtTypeName(a)}=${formatV(a)})`;
    let s: string;
    switch (verb) {
      case "v":
        if (typeof a === "number" && prec !== undefined) s = a.toPrecision(Math.max(prec, 1));
        else s = sharp && typeof a === "string" ? goQuote(a) : formatV(a);
        if (plus && (typeof a === "number" || typeof a === "bigint") && !s.startsWith("-")) s = `+${s}`;
        break;
      case "s":
        if (typeof a === "string") s = prec !== undefined ? a.slice(0, prec) : a;
        else if (typeof a === "number" || typeof a === "bigint" || typeof a === "boolean") s = bad();
        else s = formatV(a);
        break;
      case "q":
        if (typeof a === "string") s = sharp && !a.includes("`") ? `\`${a}\`` : goQuote(a);
        else if (typeof a === "bigint") s = `'${String.fromCodePoint(Number(a))}'`;
        else s = bad();
        break;
      case "d":
        if (typeof a === "bigint") {
          s = a.toString();
          if (plus && a >= 0n) s = `+${s}`;
          else if (space && a >= 0n) s = ` ${s}`;
        } else s = bad();
        break;
      case "t":
        s = typeof a === "boolean" ? String(a) : bad();
        break;
      case "c":
        s = typeof a === "bigint" ? String.fromCodePoint(Number(a)) : bad();
        break;
      case "x":
      case "X":
      case "o":
      case "b": {
        const radix = verb === "o" ? 8 : verb === "b" ? 2 : 16;
        if (typeof a === "bigint") s = a.toString(radix);
        else if (typeof a === "string" && radix === 16) s = Buffer.from(a, "utf8").toString("hex");
        else s = bad();
        if (verb === "X") s = s.toUpperCase();
        if (sharp && radix === 16 && typeof a === "bigint") s = (verb === "X" ? "0X" : "0x") + s;
        break;
      }
      case "f":
      case "F":
      case "e":
      case "g": {
        const n = typeof a === "number" ? a : undefined;
        if (n === undefined) {
          s = bad();
          break;
        }
        if (verb === "f" || verb === "F") s = n.toFixed(prec ?? 6);
        else if (verb === "e") s = n.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, "e$10$2");
        else s = prec === undefined ? formatFloatG(n, 6) : formatFloatG(Number(n.toPrecision(prec || 1)), prec || 1);
        if (plus && n >= 0) s = `+${s}`;
        break;
      }
      case "T":
        s = fmtTypeName(a);
        break;
      default:
        s = `%!${verb}(${fmtTypeName(a)}=${formatV(a)})`;
    }
    out += pad(s, width, minus, zero && !minus && verb !== "s" && verb !== "v" && verb !== "q");
  }
  if (argi < args.length) {
    out += `%!(EXTRA ${args
      .slice(argi)
      .map((a) => `${fmtTypeName(a)}=${formatV(a)}`)
      .join(", ")})`;
  }
  return out;
}
