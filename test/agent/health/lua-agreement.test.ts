// The TypeScript checks in agent/health/custom/ against Argo CD's own health.lua for the same kind,
// beyond Argo CD's cases: every one-change variant of each case (lua-variants.ts) must get the
// script's answer, status and message, from the port; where the script stops with an error (a
// field it indexes is missing), the port's answer is Unknown too. The scripts' answers are stored
// (fixtures/lua-outcomes.json, from write-lua-outcomes.ts) so this runs in milliseconds; a sample
// of them is run again here in the real Lua VM, so a stale file fails.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, describe, test } from "node:test";
import { customHealth } from "../../../agent/health/index.js";
import { LuaHealthScripts } from "../../../agent/health/lua/vm.js";
import { OUTCOMES_FILE, SCRIPT_KEYS, scriptOf, variantsOf, type Outcomes } from "./lua-variants.js";

const outcomes = JSON.parse(readFileSync(OUTCOMES_FILE, "utf8")) as Outcomes;
const scripts = await LuaHealthScripts.compile(new Map(SCRIPT_KEYS.map((key) => [key, scriptOf(key)])));
after(() => scripts.close());

/** One variant in this many is run in the Lua VM again. */
const SAMPLE = 40;

for (const key of SCRIPT_KEYS) {
  describe(key, () => {
    const variants = variantsOf(key);
    const { answers, answer } = outcomes[key]!;
    const expected = (i: number) => answers[answer[i]!]!;

    test(`the stored answers are the script's (${variants.length} variants, every ${SAMPLE}th run again)`, () => {
      assert.equal(answer.length, variants.length);
      for (let i = 0; i < variants.length; i += SAMPLE) {
        const { status, message = "" } = scripts.run(key, variants[i]!);
        assert.deepEqual([status, message], expected(i), `variant ${i}`);
      }
    });

    test("the port gives the script's answer for every variant", () => {
      variants.forEach((variant, i) => {
        const [status, message] = expected(i);
        const health = customHealth(variant);
        // A script error's text is the Lua VM's own; the port says where it stopped in its words.
        const got = status === "Unknown" && message.includes("attempt to") ? [health?.status] : [health?.status, health?.message ?? ""];
        assert.deepEqual(
          got,
          status === "Unknown" && message.includes("attempt to") ? [status] : [status, message],
          `variant ${i}: ${JSON.stringify(variant)}`,
        );
      });
    });
  });
}
