// Writes fixtures/lua-outcomes.json: Argo CD's health.lua scripts, run in the agent's Lua sandbox, over
// every variant of lua-variants.ts. Run it again when a script or the variants change:
//   npx tsx test/agent/health/write-lua-outcomes.ts && npx prettier --write test/agent/health/fixtures/lua-outcomes.json
import { writeFileSync } from "node:fs";
import { LuaHealthScripts } from "../../../agent/health/lua/vm.js";
import { OUTCOMES_FILE, SCRIPT_KEYS, scriptOf, variantsOf, type Outcomes } from "./lua-variants.js";

const scripts = await LuaHealthScripts.compile(new Map(SCRIPT_KEYS.map((key) => [key, scriptOf(key)])));
const outcomes: Outcomes = {};
for (const key of SCRIPT_KEYS) {
  const answers: [string, string][] = [];
  const answer = variantsOf(key).map((variant) => {
    const { status, message = "" } = scripts.run(key, variant);
    const found = answers.findIndex(([s, m]) => s === status && m === message);
    return found >= 0 ? found : answers.push([status, message]) - 1;
  });
  outcomes[key] = { answers, answer };
}
scripts.close();
writeFileSync(OUTCOMES_FILE, `${JSON.stringify(outcomes)}\n`);
