import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { errorOf, startTestHub, type TestHub } from "./harness.js";

const LONG = "a".repeat(9_000);
const LONG_KEY = `${"k".repeat(9_000)}=v`;

/** Requests that quote a 9,000-character input back in their error; each must stay within the error schema. */
const cases: { what: string; method: string; path: string; options?: Parameters<TestHub["api"]>[2]; status: number }[] = [
  { what: "a selector", method: "GET", path: `/v1/clusters?selector=${encodeURIComponent(`env in ${LONG}`)}`, status: 400 },
  { what: "a selector's label key", method: "GET", path: `/v1/clusters?selector=${encodeURIComponent(LONG_KEY)}`, status: 400 },
  { what: "a cluster name in the path", method: "GET", path: `/v1/clusters/${LONG}`, status: 400 },
  { what: "a cluster name in the status path", method: "GET", path: `/v1/clusters/${LONG}/status`, status: 400 },
  { what: "a page size", method: "GET", path: `/v1/clusters?limit=${LONG}`, status: 400 },
  { what: "the events count", method: "GET", path: `/v1/clusters/x/status?events=${LONG}`, status: 400 },
  { what: "an unknown path", method: "GET", path: `/v1/${LONG}`, status: 404 },
  { what: "a content type", method: "POST", path: "/v1/clusters", options: { rawBody: "{}", headers: { "content-type": `text/${LONG}` } }, status: 415 },
  {
    what: "an If-Match header",
    method: "PATCH",
    path: "/v1/clusters/x",
    options: { body: { labels: { a: "b" } }, headers: { "if-match": LONG } },
    status: 400,
  },
  {
    what: "a label key in a registration",
    method: "POST",
    path: "/v1/clusters",
    options: { body: { name: "x", labels: { [LONG]: "v" } } },
    status: 400,
  },
  {
    what: "many label keys in a registration",
    method: "POST",
    path: "/v1/clusters",
    options: { body: { name: "x", labels: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`${i}${LONG}`, "v"])) } },
    status: 400,
  },
];

describe("error messages quote input within bounds (issue 11, item 7)", () => {
  let hub: TestHub;
  before(async () => (hub = await startTestHub()));
  after(() => hub.stop());

  for (const { what, method, path, options, status } of cases) {
    test(`${what} of 9,000 characters: the error fits the schema and says what it was`, async () => {
      const response = await hub.api(method, path, options);
      assert.equal(response.status, status);
      // errorOf parses with the contract's ApiError: a message over 4,096 characters fails here.
      const { message } = errorOf(response);
      assert.ok(message.length <= 2_500, `message of ${message.length} characters: ${message.slice(0, 200)}`);
    });
  }

  test("a long input is quoted by its start and its length, so the caller can tell which input it was", async () => {
    const response = await hub.api("GET", `/v1/clusters?selector=${encodeURIComponent(`env in ${LONG}`)}`);
    const { message } = errorOf(response);
    assert.match(message, /invalid selector "env in a{93}…" \(9007 characters\): at position 7, found 'a{100}…' \(9000 characters\), expected '\('/);
  });
});
