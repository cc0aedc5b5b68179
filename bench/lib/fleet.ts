import { pick, seededRandom, weightedPick } from "./random.js";

/** One registered cluster as the benchmarks register or evaluate it. */
export interface FleetCluster {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  server: string;
}

export const ENVS = [
  ["prod", 3],
  ["staging", 2],
  ["dev", 5],
] as const;
export const REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-northeast-1", "sa-east-1"];
export const TIERS = ["web", "api", "batch", "data"];
export const TEAMS = Array.from({ length: 20 }, (_, i) => `team-${String(i + 1).padStart(2, "0")}`);
const CANARY_SHARE = 0.05;
const GENERATIONS = 20;

/** A fleet shaped like a real one: skewed environments, spread regions and teams, a few canaries. */
export function makeFleet(count: number): FleetCluster[] {
  const random = seededRandom(42);
  return Array.from({ length: count }, (_, i) => {
    const env = weightedPick(random, ENVS);
    const region = pick(random, REGIONS);
    const team = pick(random, TEAMS);
    const labels: Record<string, string> = {
      env,
      region,
      tier: pick(random, TIERS),
      team,
      generation: String(1 + Math.floor(random() * GENERATIONS)),
    };
    if (random() < CANARY_SHARE) labels.canary = "true";
    return {
      name: `${env}-${region}-${String(i).padStart(5, "0")}`,
      labels,
      annotations: { "radial.dev/owner": `${team}@example.com` },
      server: `https://10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:6443`,
    };
  });
}
