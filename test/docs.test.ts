// The documentation a clone carries is whole: every page it points to is in the clone, and the
// architecture page covers what the README sends readers there for.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";

const ROOT = resolve(import.meta.dirname, "..");
const PAGES = ["README.md", "docs/architecture.md", "docs/migrating-from-argo-cd.md", "agent/README.md"];

/** Markdown link targets, and code spans naming a .md file, as written on the page. */
function references(text: string): string[] {
  const links = [...text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z]+:/.test(target));
  const spans = [...text.matchAll(/`([^`\s]+\.md)`/g)].map((m) => m[1]!);
  return [...links, ...spans];
}

test("every page the documentation points to is in the clone (no ../shared/DESIGN.md)", async () => {
  const broken: string[] = [];
  for (const page of PAGES) {
    for (const target of references(await readFile(join(ROOT, page), "utf8"))) {
      // A path is read from the page's folder, or from the repository's root as README tables write it.
      const candidates = [resolve(ROOT, dirname(page), target), resolve(ROOT, target)];
      const inside = candidates.filter((path) => !relative(ROOT, path).startsWith(".."));
      if (!inside.some((path) => existsSync(path))) broken.push(`${page}: ${target}`);
    }
  }
  assert.deepEqual(broken, []);
});

test("the README links the architecture page, which covers the loop, the layout, the fleet repo contract and the safety rules", async () => {
  assert.match(await readFile(join(ROOT, "README.md"), "utf8"), /\]\(docs\/architecture\.md\)/);
  const page = await readFile(join(ROOT, "docs/architecture.md"), "utf8");
  const headings = [...page.matchAll(/^## (.+)$/gm)].map((m) => m[1]!);
  for (const wanted of ["The loop, and who does each step", "The fleet repo contract", "Safety rules", "The tree"])
    assert.ok(headings.includes(wanted), `missing "${wanted}" in ${headings.join(" | ")}`);
  assert.match(page, /clusters\/<cluster>\/<app>\/deleted\.yaml/);
});
