import type { Parameters } from "fast-check";

/**
 * How hard the property-based suite tries. `npm test` runs it with a fixed seed and a bounded
 * number of cases per property (some 250 requests and 2,300 parser inputs), so a failure
 * reproduces; `npm run fuzz` multiplies the cases by RADIAL_FUZZ_SCALE (default 10), and
 * RADIAL_FUZZ_SEED searches from another seed.
 */
export function budget(runsInSuite: number): Parameters<unknown> {
  const scale = Number(process.env.RADIAL_FUZZ_SCALE ?? 1);
  const seed = Number(process.env.RADIAL_FUZZ_SEED ?? 11);
  return { seed, numRuns: Math.max(1, Math.round(runsInSuite * scale)), endOnFailure: true };
}

/** Names a user may give a key that are also names of JavaScript object members. */
export const MEMBER_NAMES = ["constructor", "__proto__", "prototype", "toString", "hasOwnProperty", "valueOf"];
