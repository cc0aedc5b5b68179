import type { IncomingMessage, ServerResponse } from "node:http";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { CONSOLE_CONFIG_PATH, consoleContentSecurityPolicy, type ConsoleConfig } from "../../contract/console-config.js";

/** Serves one request when it is for the console; false hands it on to the API. */
export type ConsoleFiles = (request: IncomingMessage, response: ServerResponse) => boolean;

const TYPES: Record<string, string> = { js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8", html: "text/html; charset=utf-8" };

/** The page talks to this origin only; nothing inline runs, and no other site may frame it. */
const SECURITY_HEADERS = {
  "content-security-policy": consoleContentSecurityPolicy(),
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** `/` and `/index.html` are the page; `/assets/<name>` its content-hashed files; `/config.json` the sign-in it uses. Anything else is the API's. */
function fileOf(path: string): string | undefined {
  if (path === "/" || path === "/index.html") return "index.html";
  const asset = /^\/assets\/([\w-]+\.(?:js|css))$/.exec(path);
  return asset ? `assets/${asset[1]}` : undefined;
}

/** The console on this hub signs in with the admin token (on AWS the stack writes its own config.json). */
const CONFIG = JSON.stringify({ auth: "token" } satisfies ConsoleConfig);

function serveConfig(response: ServerResponse, head: boolean): void {
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(CONFIG),
    "cache-control": "no-cache",
  });
  response.end(head ? undefined : CONFIG);
}

interface Loaded {
  raw: Buffer;
  gzip: Buffer;
}

/**
 * The console's static files from `dir` (console/build.ts's output), read once and kept with their
 * gzipped form. Hashed assets are cached for good; the page is revalidated, so a rebuilt console
 * is picked up on the next load.
 */
export function consoleFiles(dir: string): ConsoleFiles {
  const cache = new Map<string, Promise<Loaded>>();
  const load = (file: string) => {
    let loaded = cache.get(file);
    if (!loaded) {
      loaded = readFile(join(dir, file)).then((raw) => ({ raw, gzip: gzipSync(raw) }));
      loaded.catch(() => cache.delete(file));
      cache.set(file, loaded);
    }
    return loaded;
  };
  return (request, response) => {
    if (request.method !== "GET" && request.method !== "HEAD") return false;
    const path = (request.url ?? "/").split("?")[0]!;
    if (path === CONSOLE_CONFIG_PATH) {
      serveConfig(response, request.method === "HEAD");
      return true;
    }
    const file = fileOf(path);
    if (!file) return false;
    load(file).then(
      ({ raw, gzip }) => {
        const gzipped = /\bgzip\b/.test(request.headers["accept-encoding"] ?? "");
        const body = gzipped ? gzip : raw;
        response.writeHead(200, {
          ...SECURITY_HEADERS,
          "content-type": TYPES[file.slice(file.lastIndexOf(".") + 1)]!,
          "content-length": body.length,
          "cache-control": file === "index.html" ? "no-cache" : "public, max-age=31536000, immutable",
          vary: "accept-encoding",
          ...(gzipped ? { "content-encoding": "gzip" } : {}),
        });
        response.end(request.method === "HEAD" ? undefined : body);
      },
      () => {
        response.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
        response.end(`the console has no ${file}; build it with npm run console:build`);
      },
    );
    return true;
  };
}
