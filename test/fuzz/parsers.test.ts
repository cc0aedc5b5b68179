import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseStatusReport, type StatusReport } from "../../contract/index.js";
import { parseSelector, SelectorError } from "../../core/labels/selector.js";
import { renderGoTemplate, renderFasttemplate, type MissingKey } from "../../lambdas/generate/template/index.js";
import { budget, MEMBER_NAMES } from "./budget.js";
import { mutated } from "./mutate.js";

/** Fails a case that took longer than `ms`: a parser that is slow on some input is a parser an attacker can stall. */
function timed<T>(ms: number, run: () => T): T {
  const started = performance.now();
  try {
    return run();
  } finally {
    const took = performance.now() - started;
    assert.ok(took < ms, `took ${Math.round(took)} ms`);
  }
}

const selectorPieces = fc.oneof(
  fc.constantFrom("env", "tier", "a.b/c", "=", "==", "!=", "!", " in ", " notin ", "(", ")", ",", " ", "prod", "x".repeat(70), "-", "_", "/", "\t", "é"),
  fc.constantFrom(...MEMBER_NAMES),
  fc.string({ maxLength: 8 }),
);

test("the selector parser answers any input with a selector or a SelectorError, quickly and with a bounded message", () => {
  const input = fc.oneof(
    fc.array(selectorPieces, { maxLength: 30 }).map((parts) => parts.join("")),
    fc.string({ unit: "binary", maxLength: 200 }),
  );
  fc.assert(
    fc.property(input, (text) => {
      timed(200, () => {
        try {
          parseSelector(text);
        } catch (error) {
          assert.ok(error instanceof SelectorError, `${String(error)} for ${JSON.stringify(text)}`);
          assert.ok(error.message.length < 1_000, "the message quotes the input within bounds");
        }
      });
    }),
    budget(1_000),
  );
});

const validReport: StatusReport = {
  cluster: "edge-1",
  agentVersion: "0.1.0",
  heartbeatAt: "2026-01-01T00:00:00.000Z",
  revision: null,
  conditions: [{ type: "Ready", status: "True", reason: "Synced", message: "ok", lastTransitionTime: "2026-01-01T00:00:00.000Z" }],
  applications: [
    {
      name: "web",
      revision: null,
      sync: "Synced",
      health: "Healthy",
      resourceCount: 1,
      resources: [{ group: "apps", version: "v1", kind: "Deployment", namespace: "web", name: "web", sync: "Synced", health: "Healthy" }],
    },
  ],
  driftEvents: [
    {
      at: "2026-01-01T00:00:00.000Z",
      application: "web",
      resource: { group: "apps", version: "v1", kind: "Deployment", name: "web" },
      fields: ["spec.replicas"],
      action: "Healed",
    },
  ],
};

test("the status report parser answers mutated and random reports with a value or named problems, never a throw", () => {
  assert.equal(parseStatusReport(JSON.stringify(validReport)).ok, true, "the base case is valid");
  const body = fc.oneof(
    { weight: 4, arbitrary: mutated(validReport).map((report) => JSON.stringify(report)) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 300 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
  );
  fc.assert(
    fc.property(body, (text) => {
      const parsed = timed(500, () => parseStatusReport(text));
      if (!parsed.ok) {
        assert.ok(parsed.problems.length > 0);
        assert.ok(parsed.message.length > 0);
      }
    }),
    budget(300),
  );
});

const templatePieces = fc.oneof(
  fc.constantFrom("{{", "}}", "{{-", "-}}", " ", ".name", ".labels.env", ".values", "$", "$x := ", "|", "(", ")", '"s"', "1", "-1", "0.5", "true", "nil"),
  fc.constantFrom("range ", "if ", "else", "end", "with ", "template ", "define ", "block ", "len ", "index ", "printf ", "default ", "toJson ", "upper "),
  fc.constantFrom("repeat 3 ", "trunc -1 ", "substr 0 9 ", "splitList ", "regexFind ", "semverCompare ", "toYaml ", "fromYaml ", "dict ", "list ", "until 5 "),
  fc.constantFrom(...MEMBER_NAMES.map((name) => `.${name}`)),
  fc.string({ maxLength: 6 }),
);
const ENGINE_BUGS = [TypeError, RangeError, ReferenceError];
const params = { name: "edge-1", labels: { env: "prod" }, values: { a: "1" }, list: ["a", "b"] };

test("the template engine renders any template or refuses it with a template error, never another exception or a stall", () => {
  const text = fc.array(templatePieces, { maxLength: 25 }).map((parts) => parts.join(""));
  fc.assert(
    fc.property(text, fc.constantFrom<MissingKey>("default", "error", "zero"), (template, missingKey) => {
      timed(1_000, () => {
        for (const render of [() => renderGoTemplate(template, params, { missingKey }), () => renderFasttemplate(template, { name: "edge-1" })]) {
          try {
            render();
          } catch (error) {
            // A user's mistake is an Error saying so; a TypeError, RangeError (a blown stack) or ReferenceError is a bug in the engine.
            assert.ok(error instanceof Error, String(error));
            assert.ok(!ENGINE_BUGS.some((kind) => error instanceof kind), `${error.name}: ${error.message} for ${JSON.stringify(template)}`);
          }
        }
      });
    }),
    budget(1_000),
  );
});
