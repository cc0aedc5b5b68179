import { fileURLToPath } from "node:url";

/**
 * Node's modules that the functions' bundles take as CommonJS takes them (the `.cjs` files beside
 * this one), not through an ESM import: Node builds an ESM import's namespace by reading every
 * export, and node:http's lazy WebSocket, CloseEvent and MessageEvent getters then load all of
 * undici: 43 ms of CPU at each cold start, measured alone (3 ms through `require`), for nothing
 * the functions use (the AWS SDK's HTTP handler imports node:http and node:https). esbuild's
 * `alias`, by import path.
 */
export const BUILTIN_ALIASES: Record<string, string> = Object.fromEntries(
  ["http", "https"].flatMap((name) => [`node:${name}`, name].map((path) => [path, fileURLToPath(new URL(`${name}.cjs`, import.meta.url))])),
);
