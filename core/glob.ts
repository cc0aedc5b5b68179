/**
 * Glob patterns as Argo CD matches `directory.include` / `directory.exclude`: gobwas/glob compiled
 * with no separators (util/glob.Match), so `*` and `?` also match `/`. Syntax: `*`, `**` (same as
 * `*` here), `?`, `[abc]`, `[a-z]`, `[!abc]`, `{a,b}` alternatives (may nest), `\x` for a literal x.
 * The whole text must match. Shared: the hub matches paths with it, the agent users' health-check keys.
 */
export class GlobError extends Error {}

export function compileGlob(pattern: string): RegExp {
  let i = 0;
  const escape = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");

  // Parses until one of `stops` (at brace depth of the caller) or the end; returns regex source.
  const parse = (stops: string): string => {
    let out = "";
    while (i < pattern.length) {
      const c = pattern[i]!;
      if (stops.includes(c)) return out;
      i++;
      if (c === "\\") {
        if (i >= pattern.length) throw new GlobError(`trailing backslash in ${JSON.stringify(pattern)}`);
        out += escape(pattern[i++]!);
      } else if (c === "*") {
        while (pattern[i] === "*") i++;
        out += "[\\s\\S]*";
      } else if (c === "?") {
        out += "[\\s\\S]";
      } else if (c === "[") {
        let negate = false;
        if (pattern[i] === "!") {
          negate = true;
          i++;
        }
        let cls = "";
        let closed = false;
        while (i < pattern.length) {
          const d = pattern[i++]!;
          if (d === "]") {
            closed = true;
            break;
          }
          if (d === "\\" && i < pattern.length) cls += escape(pattern[i++]!);
          else if (d === "-" && cls !== "" && pattern[i] !== "]") cls += "-";
          else cls += escape(d);
        }
        if (!closed || cls === "") throw new GlobError(`unclosed or empty [ in ${JSON.stringify(pattern)}`);
        out += `[${negate ? "^" : ""}${cls}]`;
      } else if (c === "{") {
        const alternatives: string[] = [];
        for (;;) {
          alternatives.push(parse(",}"));
          if (i >= pattern.length) throw new GlobError(`unclosed { in ${JSON.stringify(pattern)}`);
          if (pattern[i++] === "}") break;
        }
        out += `(?:${alternatives.join("|")})`;
      } else {
        out += escape(c);
      }
    }
    return out;
  };

  const source = parse("");
  return new RegExp(`^${source}$`);
}

export function globMatch(pattern: string, text: string): boolean {
  return compileGlob(pattern).test(text);
}
