import { execFile, execFileSync, spawn } from "node:child_process";
import { createHash, timingSafeEqual } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { freePort, run } from "./process.js";

export interface GitServer {
  /** Base URL, `http://127.0.0.1:<port>`; a repo named `fleet` is cloned from `<url>/fleet.git`. */
  readonly url: string;
  /** Creates a bare repo, with one commit of `seed` (path → content) on `branch` when given. */
  createRepo(name: string, options?: { seed?: Record<string, string>; branch?: string }): Promise<string>;
  /** The bare repo's folder on disk, for assertions with the git CLI. */
  repoPath(name: string): string;
  stop(): Promise<void>;
}

export interface GitServerOptions {
  /** When set, every request must carry these credentials as HTTP basic auth. */
  auth?: { username: string; password: string };
}

/** Pushes in tests are a few MiB at most; the bound stops a runaway client filling the disk. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Names may nest (`team/fleet`) but each segment is a plain word, so no `..` or absolute path. */
const REPO_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Seeding commits use a fixed identity and ignore the machine's git config, so they never prompt or sign. */
const SEED_ENV = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Radial Test",
  GIT_AUTHOR_EMAIL: "test@radial.invalid",
  GIT_COMMITTER_NAME: "Radial Test",
  GIT_COMMITTER_EMAIL: "test@radial.invalid",
};

let httpBackendPath: string | undefined;
/** `git http-backend` is not on PATH; it lives in git's exec path. */
function httpBackend(): string {
  httpBackendPath ??= join(execFileSync("git", ["--exec-path"], { encoding: "utf8" }).trim(), "git-http-backend");
  return httpBackendPath;
}

function checkRepoName(name: string): string {
  const bare = name.replace(/\.git$/, "");
  if (!REPO_NAME.test(bare) || bare.split("/").some((segment) => segment.startsWith("."))) {
    throw new Error(`invalid repo name ${JSON.stringify(name)}: use letters, digits, '.', '_', '-' and '/' between words`);
  }
  return `${bare}.git`;
}

function checkSeedPath(path: string): void {
  if (path.startsWith("/") || path.split("/").some((segment) => segment === ".." || segment === "." || segment === "")) {
    throw new Error(`invalid seed path ${JSON.stringify(path)}: must be relative with no '.' or '..' segments`);
  }
}

/** Compares hashes so the comparison takes the same time whatever the credentials' lengths. */
function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function authorized(req: IncomingMessage, auth: GitServerOptions["auth"]): boolean {
  if (!auth) return true;
  const [scheme, encoded] = (req.headers.authorization ?? "").split(" ");
  if (scheme?.toLowerCase() !== "basic" || !encoded) return false;
  return sameSecret(Buffer.from(encoded, "base64").toString("utf8"), `${auth.username}:${auth.password}`);
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : (value ?? "");
}

/** The CGI/1.1 variables git http-backend reads (RFC 3875, plus GIT_PROTOCOL for protocol v2). */
function cgiEnv(req: IncomingMessage, root: string, pathInfo: string, query: string, user: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: root,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: "1",
    GATEWAY_INTERFACE: "CGI/1.1",
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    REQUEST_METHOD: req.method ?? "GET",
    PATH_INFO: pathInfo,
    QUERY_STRING: query,
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
    CONTENT_TYPE: header(req, "content-type"),
    HTTP_CONTENT_ENCODING: header(req, "content-encoding"),
    GIT_PROTOCOL: header(req, "git-protocol"),
  };
  // Without CONTENT_LENGTH http-backend reads the body to EOF, which is what a chunked push needs.
  if (req.headers["content-length"] !== undefined) env.CONTENT_LENGTH = req.headers["content-length"];
  if (user !== undefined) env.REMOTE_USER = user;
  return env;
}

/** Splits the CGI header block (`Status: 404 Not Found`, `Content-Type: ...`) into an HTTP status and headers. */
function parseCgiHeaders(block: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers };
}

function findHeaderEnd(buffer: Buffer): { at: number; length: number } | undefined {
  const crlf = buffer.indexOf("\r\n\r\n");
  const lf = buffer.indexOf("\n\n");
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 };
  return lf >= 0 ? { at: lf, length: 2 } : undefined;
}

/** The decoded path, or undefined when it is malformed or climbs out of the project root. */
function decodePath(pathname: string): string | undefined {
  try {
    const path = decodeURIComponent(pathname);
    return path.split("/").includes("..") ? undefined : path;
  } catch {
    return undefined;
  }
}

function fail(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  res.end(`${message}\n`);
}

/** Runs one request through git http-backend: body streamed to stdin, CGI headers parsed, rest streamed back. */
function serveCgi(req: IncomingMessage, res: ServerResponse, root: string, user: string | undefined): void {
  const url = new URL(req.url ?? "/", "http://localhost");
  const pathInfo = decodePath(url.pathname);
  if (pathInfo === undefined) {
    fail(res, 400, "bad path: malformed escape or '..' segment");
    return;
  }
  if (Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) {
    fail(res, 413, "request body too large");
    return;
  }

  const child = spawn(httpBackend(), [], { env: cgiEnv(req, root, pathInfo, url.search.slice(1), user) });
  const stderr: string[] = [];
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  // http-backend may exit before reading the whole body (e.g. on a 404); that EPIPE is not our error.
  child.stdin.on("error", () => undefined);

  let received = 0;
  req.on("data", (chunk: Buffer) => {
    received += chunk.length;
    if (received > MAX_BODY_BYTES) {
      child.kill("SIGKILL");
      fail(res, 413, "request body too large");
      req.destroy();
    }
  });
  req.pipe(child.stdin);
  res.on("close", () => child.kill("SIGKILL"));

  let pending: Buffer = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on("data", (chunk: Buffer) => {
    if (headersDone) {
      if (!res.write(chunk)) {
        child.stdout.pause();
        res.once("drain", () => child.stdout.resume());
      }
      return;
    }
    pending = Buffer.concat([pending, chunk]);
    const end = findHeaderEnd(pending);
    if (!end) return;
    headersDone = true;
    const { status, headers } = parseCgiHeaders(pending.subarray(0, end.at).toString("latin1"));
    res.writeHead(status, headers);
    res.write(pending.subarray(end.at + end.length));
  });
  child.on("close", (code) => {
    if (headersDone) res.end();
    else fail(res, 500, `git http-backend exited with ${code}: ${stderr.join("").trim()}`);
  });
  child.on("error", (error) => fail(res, 500, `git http-backend failed to start: ${error.message}`));
}

/** Makes one commit holding `seed` in a scratch work tree and pushes it into the bare repo. */
async function seedRepo(bare: string, seed: Record<string, string>, branch: string): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "radial-git-seed-"));
  try {
    for (const [path, content] of Object.entries(seed)) {
      checkSeedPath(path);
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), content);
    }
    const git = (...args: string[]) => run("git", args, { cwd: work, env: SEED_ENV, label: "git seed" });
    await git("init", "--quiet", `--initial-branch=${branch}`);
    await git("add", "--all");
    await git("commit", "--quiet", "--no-gpg-sign", "--message", "seed");
    await git("push", "--quiet", bare, `HEAD:refs/heads/${branch}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Starts git's own smart-HTTP server (git http-backend as CGI) over a fresh temp folder of bare repos. */
export async function startGitServer(options: GitServerOptions = {}): Promise<GitServer> {
  const root = await mkdtemp(join(tmpdir(), "radial-git-"));
  const port = await freePort();
  const user = options.auth?.username;
  const server: Server = createServer((req, res) => {
    if (authorized(req, options.auth)) serveCgi(req, res, root, user);
    else fail(res, 401, "authentication required", { "WWW-Authenticate": 'Basic realm="radial-git"' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const url = `http://127.0.0.1:${port}`;
  const repoPath = (name: string) => join(root, checkRepoName(name));

  return {
    url,
    repoPath,
    async createRepo(name, { seed, branch = "main" } = {}) {
      const bare = repoPath(name);
      await run("git", ["init", "--quiet", "--bare", `--initial-branch=${branch}`, bare], { env: SEED_ENV, label: "git init" });
      // http-backend refuses receive-pack unless enabled, or unless REMOTE_USER is set (auth on).
      await run("git", ["--git-dir", bare, "config", "http.receivepack", "true"], { env: SEED_ENV, label: "git config" });
      if (seed) await seedRepo(bare, seed, branch);
      return `${url}/${checkRepoName(name)}`;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The git CLI on a served repository's bare folder on disk (never through the server), for checking what a client did. */
export async function bareGit(server: GitServer, repo: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)("git", ["--git-dir", server.repoPath(repo), ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", GIT_CONFIG_NOSYSTEM: "1", HOME: tmpdir() },
  });
  return stdout.trim();
}
