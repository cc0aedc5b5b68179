import { z } from "zod";
import { GenerationBusyError, type GenerationService } from "../generation/generation-service.js";
import { GenerationRecord } from "../generation/history.js";
import { SIGNATURE_HEADER, verifyWebhookSignature } from "../generation/webhook-signature.js";
import { InvalidCursorError } from "../inventory/store.js";
import type { ApiRequest, Route } from "./api.js";
import { HttpError } from "./http-error.js";
import type { HubContext } from "./routes.js";

const MAX_HISTORY_PAGE = 100;
/** Webhook payloads (GitHub's push events) can be large; only the signature over them matters here. */
const MAX_WEBHOOK_BYTES = 1024 * 1024;

const GenerationHistoryPage = z.strictObject({ items: z.array(GenerationRecord), nextPageToken: z.string().nullable() });
const WebhookAccepted = z.strictObject({ accepted: z.literal(true), message: z.string() });

function configured(context: HubContext): GenerationService {
  if (!context.generation) throw new HttpError("unavailable", "generation is not configured on this hub: set RADIAL_REPO_URL to the fleet repo's URL and restart it");
  return context.generation;
}

function flag(request: ApiRequest, name: string): boolean {
  const value = request.query.get(name);
  if (value === null || value === "false") return false;
  if (value === "true" || value === "") return true;
  throw new HttpError("validation_failed", `${name} must be true or false, got "${value}"`, { field: name });
}

/** `/v1/generate`, `/v1/generations` and `/v1/webhooks/git`: starting generation runs and reading their history. */
export function generationRoutes(context: HubContext): Route[] {
  return [
    {
      method: "POST",
      path: "/v1/generate",
      summary: "Run generation now (?dryRun=true: report per cluster what would change, with diffs, and write nothing; ?force=true: pass the mass-removal guard)",
      responses: { 200: { description: "The run's result: per cluster the Applications added, changed and removed, and errors per file" } },
      async handle(request) {
        const service = configured(context);
        const dryRun = flag(request, "dryRun");
        const force = flag(request, "force");
        try {
          return { status: 200, body: await service.run({ trigger: "api", dryRun, force }) };
        } catch (error) {
          if (error instanceof GenerationBusyError) throw new HttpError("conflict", error.message);
          throw error;
        }
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
          throw new HttpError("validation_failed", `limit must be an integer from 1 to ${MAX_HISTORY_PAGE}, got "${limitText}"`, { field: "limit" });
        }
        try {
          const page = await service.history(limit, request.query.get("pageToken") ?? undefined);
          return { status: 200, body: { items: page.records, nextPageToken: page.cursor ?? null } };
        } catch (error) {
          if (error instanceof InvalidCursorError) throw new HttpError("validation_failed", error.message, { field: "pageToken" });
          throw error;
        }
      },
    },
    {
      method: "POST",
      path: "/v1/webhooks/git",
      summary: "Git push webhook (GitHub-style X-Hub-Signature-256 HMAC of the body with RADIAL_WEBHOOK_SECRET); starts a run in the background",
      // Authenticated by the signature, not the admin token.
      public: true,
      maxBodyBytes: MAX_WEBHOOK_BYTES,
      responses: { 202: { description: "Accepted; a generation run starts in the background", schema: WebhookAccepted } },
      async handle(request) {
        const check = verifyWebhookSignature(context.webhookSecret, request.body, request.headers[SIGNATURE_HEADER]);
        if (!check.ok) throw new HttpError("unauthorized", check.message, { reason: check.reason });
        configured(context).trigger("webhook");
        return { status: 202, body: { accepted: true, message: "a generation run starts in the background; see GET /v1/generations" } };
      },
    },
  ];
}
