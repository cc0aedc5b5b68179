// radial's SigV4 signing, checked by a real verifier: moto with request authentication on
// recomputes each signature with botocore and refuses one that does not match. The signer under
// test is the one radial uses for the hub (`sigV4Auth`), pointed at STS instead of execute-api,
// with credentials from the standard chain (here, the environment).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { bearerAuth, executeApiRegion, sigV4Auth, type HubAuth } from "../../cli/hub-auth.js";
import { hubAuth } from "../../cli/hub-options.js";
import { startMoto, type MotoServer } from "../engines/moto.js";

const REGION = "us-east-1";
const FORM = "application/x-www-form-urlencoded; charset=utf-8";

/** A Query API call (`Action=...`) to moto, with the headers `auth` adds. */
async function call(moto: MotoServer, auth: HubAuth, params: Record<string, string>): Promise<{ status: number; text: string }> {
  const url = new URL(`${moto.endpoint}/`);
  const body = new URLSearchParams(params).toString();
  const headers = { "content-type": FORM };
  const signed = await auth({ method: "POST", url, headers, body });
  const response = await fetch(url, { method: "POST", headers: { ...headers, ...signed }, body });
  return { status: response.status, text: await response.text() };
}

/** One element of moto's XML answer. */
function element(xml: string, name: string): string {
  const value = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
  assert.ok(value, `<${name}> in ${xml.slice(0, 400)}`);
  return value;
}

describe("radial signs its calls with SigV4", () => {
  let moto: MotoServer;
  let user: { keyId: string; secret: string; arn: string };

  before(async () => {
    moto = await startMoto();
    // The next two requests go unchecked (they make the user and its key); every later one is verified.
    assert.equal((await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: "POST", body: "2" })).status, 200);
    const setup = sigV4Auth({ region: REGION, service: "iam", credentials: () => Promise.resolve({ accessKeyId: "setup", secretAccessKey: "setup" }) });
    const created = await call(moto, setup, { Action: "CreateUser", Version: "2010-05-08", UserName: "operator" });
    assert.equal(created.status, 200, created.text);
    const key = await call(moto, setup, { Action: "CreateAccessKey", Version: "2010-05-08", UserName: "operator" });
    assert.equal(key.status, 200, key.text);
    user = { keyId: element(key.text, "AccessKeyId"), secret: element(key.text, "SecretAccessKey"), arn: element(created.text, "Arn") };
  });

  after(async () => {
    await moto.stop();
  });

  test("a request signed with credentials from the standard chain is verified, and names its caller", async () => {
    process.env.AWS_ACCESS_KEY_ID = user.keyId;
    process.env.AWS_SECRET_ACCESS_KEY = user.secret;
    delete process.env.AWS_PROFILE;
    const answer = await call(moto, sigV4Auth({ region: REGION, service: "sts" }), { Action: "GetCallerIdentity", Version: "2011-06-15" });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(element(answer.text, "Arn"), user.arn);
  });

  test("a signature made with the wrong secret is refused", async () => {
    const wrong = sigV4Auth({
      region: REGION,
      service: "sts",
      credentials: () => Promise.resolve({ accessKeyId: user.keyId, secretAccessKey: `${user.secret}x` }),
    });
    const answer = await call(moto, wrong, { Action: "GetCallerIdentity", Version: "2011-06-15" });
    assert.equal(answer.status, 403);
    assert.match(answer.text, /SignatureDoesNotMatch/);
  });

  test("a request whose signed payload hash was changed on the way is refused", async () => {
    const url = new URL(`${moto.endpoint}/`);
    const headers = { "content-type": FORM };
    const body = "Action=GetCallerIdentity&Version=2011-06-15";
    const signed = await sigV4Auth({ region: REGION, service: "sts" })({ method: "POST", url, headers, body });
    const forged = createHash("sha256").update(`${body}&x=1`).digest("hex");
    assert.notEqual(signed["x-amz-content-sha256"], forged);
    const response = await fetch(url, { method: "POST", headers: { ...headers, ...signed, "x-amz-content-sha256": forged }, body: `${body}&x=1` });
    assert.equal(response.status, 403);
    assert.match(await response.text(), /SignatureDoesNotMatch/);
  });
});

describe("which authentication radial uses", () => {
  const hub = new URL("https://a1b2c3d4e5.execute-api.eu-west-2.amazonaws.com");

  test("an execute-api URL names its region; other URLs none", () => {
    assert.equal(executeApiRegion(hub), "eu-west-2");
    assert.equal(executeApiRegion(new URL("https://hub.example.com")), undefined);
    assert.equal(executeApiRegion(new URL("http://127.0.0.1:8420")), undefined);
  });

  test("the hub on AWS is signed for execute-api in its region, with no admin token needed", async () => {
    const auth = hubAuth(hub, undefined, undefined, {});
    process.env.AWS_ACCESS_KEY_ID = "AKIDEXAMPLE";
    process.env.AWS_SECRET_ACCESS_KEY = "secret";
    const headers = await auth({ method: "GET", url: new URL("/v1/clusters?limit=5", hub), headers: {} });
    assert.match(
      headers.authorization ?? "",
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-2\/execute-api\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    assert.equal(headers.host, undefined, "fetch sets Host from the URL");
  });

  test("--auth aws on another URL takes AWS_REGION, and says so when it is missing", async () => {
    const custom = new URL("https://hub.example.com");
    const headers = await hubAuth(custom, "aws", undefined, { AWS_REGION: "ap-south-1" })({ method: "GET", url: custom, headers: {} });
    assert.match(headers.authorization ?? "", /\/ap-south-1\/execute-api\//);
    assert.throws(() => hubAuth(custom, "aws", undefined, {}), /AWS_REGION/);
  });

  test("otherwise the admin token, which is then required", async () => {
    assert.deepEqual(await bearerAuth("t0k")({ method: "GET", url: hub, headers: {} }), { authorization: "Bearer t0k" });
    assert.deepEqual(await hubAuth(new URL("http://127.0.0.1:8420"), undefined, "t0k", {})({ method: "GET", url: hub, headers: {} }), {
      authorization: "Bearer t0k",
    });
    assert.throws(() => hubAuth(new URL("http://127.0.0.1:8420"), undefined, undefined, {}), /RADIAL_TOKEN/);
  });
});
