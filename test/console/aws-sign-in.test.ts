// The built console signing in as it does on AWS, in headless Chromium: its config.json names a
// user pool and an identity pool in moto (Cognito's API, TOTP codes checked), the browser's Cognito
// calls are routed to moto, and its /v1 calls reach the hub only through signed-front.ts, which
// recomputes each SigV4 signature from the credentials moto's identity pool gave and refuses any that
// does not match. An operator created with admin-create-user signs in with the temporary password,
// sets a new one and an authenticator app, then signs in again with a code.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, before, test } from "node:test";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import type { Browser, BrowserContext, Page, Route } from "playwright-core";
import type { AwsConsoleConfig } from "../../contract/console-config.js";
import { launchBrowser } from "../engines/chromium.js";
import { startMoto, type MotoServer } from "../engines/moto.js";
import { accessibilityProblems, screenshot } from "./browser.js";
import { ADMIN_TOKEN, startConsoleHub, type ConsoleHub } from "./console-hub.js";
import { startSignedFront, type Credentials, type SignedFront } from "./signed-front.js";

const REGION = "us-east-1";
const EMAIL = "ops@example.com";
const TEMPORARY = "Temporary-Passw0rd!";
const PASSWORD = "A-much-longer-Passw0rd!";

let moto: MotoServer;
let hub: ConsoleHub;
let front: SignedFront;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let config: AwsConsoleConfig;
/** Credentials moto's identity pool has given, by access key: what the front verifies signatures with. */
const issued = new Map<string, Credentials>();
/** Every Cognito call the browser made, in order: its X-Amz-Target's operation, and InitiateAuth's flow. */
const cognitoCalls: string[] = [];
const calls = (operation: string) => cognitoCalls.filter((call) => call === operation || call.startsWith(`${operation} `)).length;

/** A call to moto's JSON API, as the AWS CLI would make it (moto does not check these setup calls' signatures). */
async function motoJson(target: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${moto.endpoint}/`, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return JSON.parse(text) as Record<string, unknown>;
}

/** The code an authenticator app shows now for a base32 `secret` (RFC 6238: HMAC-SHA1, 30 s, 6 digits). */
function totp(secret: string, at = Date.now()): string {
  const bits = Array.from(secret.replace(/=+$/, "").toUpperCase(), (c) => c)
    .map((c) => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".indexOf(c).toString(2).padStart(5, "0"))
    .join("");
  const key = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/** Cognito's endpoints, as the browser calls them, answered by moto; a preflight as Cognito answers it. */
async function routeCognitoToMoto(route: Route): Promise<void> {
  const request = route.request();
  const cors = {
    "access-control-allow-origin": "*",
    "access-control-allow-headers": "*",
    "access-control-allow-methods": "POST",
    "access-control-expose-headers": "*",
  };
  if (request.method() === "OPTIONS") return route.fulfill({ status: 200, headers: cors });
  const target = request.headers()["x-amz-target"] ?? "";
  const flow = (JSON.parse(request.postData() ?? "{}") as { AuthFlow?: string }).AuthFlow;
  cognitoCalls.push(`${target.slice(target.indexOf(".") + 1)}${flow ? ` ${flow}` : ""}`);
  const response = await route.fetch({ url: `${moto.endpoint}/` });
  const body = await response.text();
  if (target.endsWith(".GetCredentialsForIdentity") && response.ok()) {
    const { Credentials: given } = JSON.parse(body) as { Credentials: { AccessKeyId: string; SecretKey: string; SessionToken: string } };
    issued.set(given.AccessKeyId, { accessKeyId: given.AccessKeyId, secretAccessKey: given.SecretKey, sessionToken: given.SessionToken });
  }
  return route.fulfill({ status: response.status(), headers: { ...response.headers(), ...cors }, body });
}

before(
  async () => {
    [moto, hub, browser] = await Promise.all([startMoto(), startConsoleHub(), launchBrowser()]);
    const idp = new CognitoIdentityProviderClient({ region: REGION, endpoint: moto.endpoint, credentials: { accessKeyId: "setup", secretAccessKey: "setup" } });
    // As infra/console-sign-in.ts makes them: email sign-in, no self sign-up, TOTP required, a public client with the password flow.
    const { UserPool: pool } = await idp.send(
      new CreateUserPoolCommand({
        PoolName: "operators",
        UsernameAttributes: ["email"],
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        Policies: { PasswordPolicy: { MinimumLength: 14, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } },
      }),
    );
    await idp.send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool!.Id!, MfaConfiguration: "ON", SoftwareTokenMfaConfiguration: { Enabled: true } }));
    const { UserPoolClient: client } = await idp.send(
      new CreateUserPoolClientCommand({
        UserPoolId: pool!.Id!,
        ClientName: "console",
        GenerateSecret: false,
        ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      }),
    );
    await idp.send(new AdminCreateUserCommand({ UserPoolId: pool!.Id!, Username: EMAIL, TemporaryPassword: TEMPORARY, MessageAction: "SUPPRESS" }));
    const identities = await motoJson("AWSCognitoIdentityService.CreateIdentityPool", {
      IdentityPoolName: "console",
      AllowUnauthenticatedIdentities: false,
      CognitoIdentityProviders: [{ ProviderName: `cognito-idp.${REGION}.amazonaws.com/${pool!.Id!}`, ClientId: client!.ClientId! }],
    });
    config = {
      auth: "aws",
      region: REGION,
      userPoolId: pool!.Id!,
      userPoolClientId: client!.ClientId!,
      identityPoolId: String(identities.IdentityPoolId),
      apiHost: "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
    };
    front = await startSignedFront({ hubUrl: hub.url, adminToken: ADMIN_TOKEN, config, known: (key) => issued.get(key) });
    await hub.api("POST", "/v1/clusters", { name: "edge-1", labels: { env: "prod" } });
    context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    await context.route(/^https:\/\/cognito-(idp|identity)\.us-east-1\.amazonaws\.com\//, routeCognitoToMoto);
    page = await context.newPage();
    page.setDefaultTimeout(60_000);
    // The page's clock, moved forward below to bring its credentials near their expiry.
    await page.clock.install();
  },
  { timeout: 10 * 60_000 },
);

after(async () => {
  await (browser as Browser | undefined)?.close();
  await Promise.all([(front as SignedFront | undefined)?.stop(), (hub as ConsoleHub | undefined)?.stop(), (moto as MotoServer | undefined)?.stop()]);
});

async function fill(label: string, value: string, button = "Continue"): Promise<void> {
  await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole("button", { name: button }).click();
}

test(
  "a new operator signs in with the temporary password, sets a password and an authenticator app, and every /v1 call is signed",
  { timeout: 5 * 60_000 },
  async () => {
    await page.goto(`${front.url}/#/clusters`);
    await page.getByLabel("Email").fill(EMAIL);
    await fill("Password", "not-the-Passw0rd!", "Sign in");
    await page.getByText("Incorrect username or password.").waitFor();
    await accessible("aws-sign-in");

    await page.getByLabel("Email").fill(EMAIL);
    await fill("Password", TEMPORARY, "Sign in");
    await fill("New password", PASSWORD);
    const secret = (await page.locator(".mfa-secret").textContent()) ?? "";
    mfaSecret = secret;
    await fill("Code from the authenticator app", String((Number(totp(secret)) + 1) % 1_000_000).padStart(6, "0"));
    await page.getByText(/Code mismatch/).waitFor();
    await fill("Code from the authenticator app", totp(secret));
    await page.getByRole("heading", { level: 1, name: "Clusters" }).waitFor();
    await page.getByRole("cell", { name: "edge-1" }).first().waitFor();
    // moto's credentials last 90 s, renewed 60 s before they expire: the sign-in's check and the view's calls share one exchange.
    assert.equal(calls("GetCredentialsForIdentity"), 1, `one exchange for ${front.requests.length} calls`);
    assert.ok(front.requests.length >= 2);
    await screenshot(page, "aws-clusters");

    assert.ok(front.requests.length > 0, "the console called the API through the front");
    assert.deepEqual(
      front.requests.filter((request) => request.refused !== null),
      [],
      "every /v1 call carried a signature that verifies",
    );
    assert.deepEqual(new Set(front.requests.map((request) => request.accessKeyId)), new Set(issued.keys()), "signed with the identity pool's credentials");
    assert.ok(!page.url().includes("amz") && !page.url().includes(secret), "nothing of the sign-in in the URL");
    const stored = await page.evaluate(() => Object.keys(sessionStorage));
    assert.deepEqual(stored, ["radial.cognito.refreshToken"], "only the refresh token is kept for the tab; credentials stay in memory");
    assert.equal(await page.evaluate(() => localStorage.length), 0);
  },
);

test("credentials within a minute of expiring are renewed before the next call, which still verifies", { timeout: 3 * 60_000 }, async () => {
  const before = calls("GetCredentialsForIdentity");
  // The page's clock 40 s on: its 90 s credentials have less than the minute left (the console polls every 4 s).
  await page.clock.fastForward(40_000);
  await waitUntil(() => calls("GetCredentialsForIdentity") > before);
  const renewed = front.requests.length;
  await waitUntil(() => front.requests.length > renewed);
  assert.deepEqual(
    front.requests.filter((request) => request.refused !== null),
    [],
  );
});

test(
  "a reload keeps the tab signed in (the refresh token); sign-out forgets it, and the next sign-in asks for the app's code",
  { timeout: 3 * 60_000 },
  async () => {
    const refreshes = calls("InitiateAuth REFRESH_TOKEN_AUTH");
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Clusters" }).waitFor();
    // The heading is drawn before the view's first signed request, which renews the ID token.
    await waitUntil(() => calls("InitiateAuth REFRESH_TOKEN_AUTH") > refreshes);
    assert.equal(calls("InitiateAuth REFRESH_TOKEN_AUTH"), refreshes + 1, "the ID token renewed from the kept refresh token, no password asked");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Email").waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    await page.getByLabel("Email").fill(EMAIL);
    await fill("Password", PASSWORD, "Sign in");
    await fill("Code from the authenticator app", totp(mfaSecret ?? ""));
    await page.getByRole("heading", { level: 1, name: "Clusters" }).waitFor();
  },
);

test("the front's check can fail: a signed request whose query was changed on the way is refused, the same one unchanged passes", async () => {
  const [credentials] = [...issued.values()];
  assert.ok(credentials);
  const signer = new SignatureV4({ service: "execute-api", region: REGION, credentials, sha256: Hash.bind(null, "sha256") });
  const signed = await signer.sign({
    method: "GET",
    protocol: "https:",
    hostname: config.apiHost,
    path: "/v1/clusters",
    query: { limit: "1" },
    headers: { host: config.apiHost },
  });
  const { host: _host, ...headers } = signed.headers;
  assert.equal((await fetch(`${front.url}/v1/clusters?limit=1`, { headers })).status, 200);
  const changed = await fetch(`${front.url}/v1/clusters?limit=2`, { headers });
  assert.equal(changed.status, 403);
  assert.match(await changed.text(), /SignatureDoesNotMatch/);
});

let mfaSecret: string | undefined;

async function accessible(view: string): Promise<void> {
  assert.deepEqual(await accessibilityProblems(page), [], `axe on ${view}`);
  await screenshot(page, view);
}

async function waitUntil(probe: () => boolean): Promise<void> {
  for (let waited = 0; !probe(); waited += 100) {
    if (waited > 30_000) throw new Error("waited 30 s in vain");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
