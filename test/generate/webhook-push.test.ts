import assert from "node:assert/strict";
import { test } from "node:test";
import { decidePush, PushPayload, repositoryKey } from "../../lambdas/generate/webhook-push.js";
import { generateIntervalSeconds } from "../../lambdas/generate/schedule.js";
import { credentialsFor, parseGitCredentials } from "../../lambdas/adapters/git/source-repositories.js";

const fleetURL = "https://github.com/acme/fleet.git";
const push = (ref: string, repository?: Record<string, string>) => PushPayload.parse({ ref, ...(repository ? { repository } : {}) });

test("a push payload's URLs and the configured URL name the same repository however they are written", () => {
  const key = repositoryKey(fleetURL);
  for (const url of [
    "https://github.com/acme/fleet",
    "https://GitHub.com/acme/fleet/",
    "git://github.com/acme/fleet.git",
    "git@github.com:acme/fleet.git",
    "https://token@github.com/acme/fleet.git",
  ]) {
    assert.equal(repositoryKey(url), key, url);
  }
  assert.notEqual(repositoryKey("https://github.com/acme/fleet-2"), key);
  assert.notEqual(repositoryKey("https://github.com/Acme/fleet"), key, "paths are case-sensitive, hosts are not");
});

test("which pushes start a run", () => {
  const context = {
    fleetURL,
    sourceBranch: "main",
    references: new Map([[repositoryKey("https://git.example.com/team/apps.git"), new Set(["refs/heads/release", "refs/tags/v1"])]]),
  };
  const started = (p: PushPayload) => decidePush(p, context).started;
  assert.equal(started(push("refs/heads/main", { clone_url: "https://github.com/acme/fleet.git" })), true);
  assert.equal(started(push("refs/heads/main")), true, "no repository named: the fleet repo");
  assert.equal(started(push("refs/heads/feature", { clone_url: fleetURL })), false);
  assert.equal(started(push("refs/heads/radial/clusters/a", { clone_url: fleetURL })), false, "the hub's own writes");
  assert.equal(started(PushPayload.parse({ ref: "refs/heads/main", deleted: true })), false);
  assert.equal(started(push("refs/heads/release", { html_url: "https://git.example.com/team/apps" })), true);
  assert.equal(started(push("refs/tags/v1", { clone_url: "https://git.example.com/team/apps.git" })), true);
  assert.equal(started(push("refs/heads/main", { clone_url: "https://git.example.com/team/apps.git" })), false, "a ref no source read");
  assert.equal(started(push("refs/heads/main", { clone_url: "https://git.example.com/team/other.git" })), false);
  assert.equal(
    decidePush(push("refs/heads/x", { clone_url: "https://git.example.com/team/other.git" }), { ...context, references: undefined }).started,
    true,
    "before the first run: cannot tell, so run",
  );
  assert.equal(PushPayload.safeParse({ ref: "x".repeat(1025) }).success, false);
  assert.equal(PushPayload.safeParse({ repository: {} }).success, false);
});

test("credentials: the longest matching URL prefix, on whole path segments; bad settings are named", () => {
  const config = parseGitCredentials(
    JSON.stringify({ "https://git.example.com": { username: "all", password: "a" }, "https://git.example.com/team/": { username: "team", password: "t" } }),
  );
  assert.equal(credentialsFor("https://git.example.com/team/apps.git", config)?.username, "team");
  assert.equal(credentialsFor("https://git.example.com/teamwork/apps.git", config)?.username, "all");
  assert.equal(credentialsFor("https://git.example.com.evil.invalid/x.git", config), undefined);
  assert.equal(credentialsFor("https://other.example.com/x.git", config), undefined);
  assert.deepEqual(parseGitCredentials(undefined), {});
  assert.throws(() => parseGitCredentials("{not json"), /RADIAL_GIT_CREDENTIALS must be JSON/);
  assert.throws(() => parseGitCredentials(JSON.stringify({ "https://h": { username: "u" } })), /RADIAL_GIT_CREDENTIALS https:\/\/h.password/);
});

test("RADIAL_GENERATE_INTERVAL: seconds, default 300, 0 turns the schedule off", () => {
  assert.equal(generateIntervalSeconds({}), 300);
  assert.equal(generateIntervalSeconds({ RADIAL_GENERATE_INTERVAL: "0" }), 0);
  assert.equal(generateIntervalSeconds({ RADIAL_GENERATE_INTERVAL: "60" }), 60);
  assert.throws(() => generateIntervalSeconds({ RADIAL_GENERATE_INTERVAL: "-1" }), /whole number of seconds/);
  assert.throws(() => generateIntervalSeconds({ RADIAL_GENERATE_INTERVAL: "1.5" }), /whole number of seconds/);
});
