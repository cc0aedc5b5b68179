import { echo, GenerationHistoryPage, GenerationRun, parseWith, WebhookAnswer } from "../../contract/index.js";
import type { GenerationService } from "../generate/service.js";
import { DELIVERY_HEADER, RecentDeliveries } from "../generate/webhook-deliveries.js";
import { EVENT_HEADER, PushPayload } from "../generate/webhook-push.js";
import { SIGNATURE_HEADER, verifyWebhookSignature } from "../generate/webhook-signature.js";
import { InvalidCursorError } from "../ports.js";
import type { ApiRequest, ApiResponse, Route } from "./api.js";
import { HttpError } from "./http-error.js";
import type { HubContext } from "../hub-context.js";

const MAX_HISTORY_PAGE = 100;
/** GitHub's push payloads list commits and can be large; GitHub caps them at 25 MB, we at 1 MiB (enough for the ref). */
const MAX_WEBHOOK_BYTES = 1024 * 1024;

function configured(context: HubContext): GenerationService {
  if (!context.generation)
    throw new HttpError("unavailable", "generation is not configured on this hub: set RADIAL_REPO_URL to the fleet repo's URL and restart it");
  return context.generation;
}

function flag(request: ApiRequest, name: string): boolean {
  const value = request.query.get(name);
  if (value === null || value === "false") return false;
  if (value === "true" || value === "") return true;
  throw new HttpError("validation_failed", `${name} must be true or false, got ${echo(value)}`, { field: name });
}

/** `/v1/generate`, `/v1/generations` and `/v1/webhooks/git`: starting generation runs and reading their history. */
export function generationRoutes(context: HubContext): Route[] {
  const deliveries = new RecentDeliveries();
  return [
    {
      method: "POST",
      path: "/v1/generate",
      summary:
        "Queue a generation run (?dryRun=true: report per cluster what would change, with diffs, and write nothing; ?force=true: pass the mass-removal guard); follow it with GET /v1/generations/{id}",
      responses: {
        202: { description: "The run is queued; runs happen one at a time, in order", schema: GenerationRun },
      },
      async handle(request) {
        const service = configured(context);
        const body: GenerationRun = await service.request({ dryRun: flag(request, "dryRun"), force: flag(request, "force") });
        return { status: 202, headers: { location: `/v1/generations/${body.id}` }, body };
      },
    },
    {
      method: "GET",
      path: "/v1/generations/{id}",
      summary:
        "A requested run: queued, running, finished (with its result: per cluster the Applications added, changed and removed, errors per file) or failed (why)",
      responses: { 200: { description: "The run", schema: GenerationRun }, 404: { description: "No run has this id (runs are kept 30 days)" } },
      async handle(request) {
        const service = configured(context);
        const id = request.params.id ?? "";
        const run = await service.getRun(id);
        if (!run) throw new HttpError("not_found", `no generation run has id ${echo(id)} (runs are kept 30 days)`, { field: "id" });
        return { status: 200, body: run };
      },
    },
    {
      method: "GET",
      path: "/v1/generations",
      summary: "History of generation runs, newest first (?limit=&pageToken=)",
      responses: { 200: { description: "A page of run records", schema: GenerationHistoryPage } },
      async handle(request) {
        const service = configured(context);
        const limitText = request.query.get("limit") ?? "20";
        const limit = Number(limitText);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_PAGE) {
          throw new HttpError("validation_failed", `limit must be an integer from 1 to ${MAX_HISTORY_PAGE}, got ${echo(limitText)}`, { field: "limit" });
        }
        try {
          const page = await service.history(limit, request.query.get("pageToken") ?? undefined);
          const body: GenerationHistoryPage = { items: page.records, nextPageToken: page.cursor ?? null };
          return { status: 200, body };
        } catch (error) {
          if (error instanceof InvalidCursorError) throw new HttpError("validation_failed", error.message, { field: "pageToken" });
          throw error;
        }
      },
    },
    {
      method: "POST",
      path: "/v1/webhooks/git",
      summary:
        "Git push webhook (GitHub-style X-Hub-Signature-256 HMAC of the body with RADIAL_WEBHOOK_SECRET). A push to the source branch, or to a repository and ref an Application source reads, starts a run in the background",
      // Authenticated by the signature, not the admin token.
      auth: "signature",
      maxBodyBytes: MAX_WEBHOOK_BYTES,
      responses: {
        202: { description: "A generation run starts in the background; see GET /v1/generations", schema: WebhookAnswer },
        200: {
          description:
            "Received and verified, nothing to do (ping, another event, a ref no Application reads, or a redelivery of an X-GitHub-Delivery id already answered); `reason` says which",
          schema: WebhookAnswer,
        },
        401: { description: "Missing or bad signature; nothing starts" },
      },
      async handle(request) {
        const check = verifyWebhookSignature(context.webhookSecret, request.body, request.headers[SIGNATURE_HEADER]);
        if (!check.ok) throw new HttpError("unauthorized", check.message, { reason: check.reason });
        const delivery = request.headers[DELIVERY_HEADER];
        if (deliveries.has(delivery)) {
          const reason = `delivery ${echo(delivery ?? "")} was already received; a redelivery starts nothing (run radial generate to run now)`;
          return { status: 200, body: { started: false, reason } satisfies WebhookAnswer };
        }
        const answer = await webhookAnswer(context, request);
        deliveries.remember(delivery);
        return answer;
      },
    },
  ];
}

/** What a verified delivery starts: pings and other events answer without a fleet repo; a push needs one. */
async function webhookAnswer(context: HubContext, request: ApiRequest): Promise<ApiResponse> {
  const event = request.headers[EVENT_HEADER] ?? "push";
  const answer = (status: 200 | 202, body: WebhookAnswer) => ({ status, body });
  if (event === "ping") {
    const unset = context.generation ? "" : "; generation is not configured on this hub (RADIAL_REPO_URL is unset), so pushes get 503 until it is";
    return answer(200, { started: false, reason: `ping received; the signature is valid${unset}` });
  }
  if (event !== "push") return answer(200, { started: false, reason: `${echo(event, "")} events start nothing; send push events` });
  const service = configured(context);
  const parsed = parseWith(PushPayload, parseJson(request.body), "push payload");
  if (!parsed.ok) throw new HttpError("validation_failed", parsed.message);
  const decision = service.decidePush(parsed.value);
  if (!decision.started) return answer(200, decision);
  await service.trigger("webhook");
  return answer(202, decision);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new HttpError("validation_failed", "the webhook body is not JSON; configure the webhook with content type application/json");
  }
}
