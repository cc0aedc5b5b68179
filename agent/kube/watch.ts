// A watch that lasts: list-then-watch as client-go's reflector, resuming from the last
// resourceVersion after a disconnect or the server's timeout, re-listing when that is gone (410).
import type { IncomingMessage } from "node:http";
import { backoff, sleep } from "./backoff.js";
import { KubeApiError } from "./errors.js";
import { withType, type KubeObject } from "./object.js";

export type WatchEvent =
  | { type: "ADDED" | "MODIFIED" | "DELETED"; object: KubeObject }
  /** The whole current state: at the start, and after the watch lost its place. Replace what you hold. */
  | { type: "RESYNC"; objects: KubeObject[]; resourceVersion: string }
  /** A failure the watch is retrying with backoff (or the handler's own exception); informational. */
  | { type: "ERROR"; error: Error };

/** Called for one event at a time, in order; a returned promise is awaited before the next. */
export type WatchHandler = (event: WatchEvent) => void | Promise<void>;

export interface WatchOptions {
  /** Omitted: every namespace (for namespaced kinds). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Start after this version; omitted, the watch starts with a list and a RESYNC event. */
  resourceVersion?: string;
  /** How long the apiserver keeps one watch request open before we reconnect; 5–10 min at random by default, as client-go. */
  timeoutSeconds?: number;
}

export interface Watch {
  /** Ends the watch; resolves once no more events will be delivered. */
  stop(): Promise<void>;
}

const MAX_BACKOFF_MS = 30_000;
/** How much past its timeoutSeconds a silent watch may stay open before we drop it ourselves. */
const TIMEOUT_GRACE_SECONDS = 30;

/** What a watch needs of the client (KubeClient has it): the kind's collection, a list, a streamed GET. */
export interface WatchClient {
  collectionPath(apiVersion: string, kind: string, namespace: string | undefined): Promise<string>;
  list(
    apiVersion: string,
    kind: string,
    options: { namespace?: string; labelSelector?: string; fieldSelector?: string },
  ): Promise<{ items: KubeObject[]; resourceVersion: string }>;
  stream(req: { path: string; query?: Record<string, string | number | boolean | undefined> }, signal: AbortSignal): Promise<IncomingMessage>;
}

export function startWatch(client: WatchClient, apiVersion: string, kind: string, options: WatchOptions, onEvent: WatchHandler): Watch {
  const controller = new AbortController();
  const signal = controller.signal;
  const selectors = { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector };
  /** Where to resume: the newest resourceVersion seen; undefined means list first. */
  let version = options.resourceVersion || undefined;
  let failures = 0;

  const deliver = async (event: WatchEvent): Promise<void> => {
    if (signal.aborted) return;
    try {
      await onEvent(event);
    } catch (error) {
      // The handler's failure is its own; report it once and keep watching.
      if (event.type !== "ERROR") await Promise.resolve(onEvent({ type: "ERROR", error: asError(error) })).catch(() => undefined);
    }
  };

  /** Reads one watch response to its end, moving `version` along. */
  const consume = async (path: string, from: string): Promise<void> => {
    const timeoutSeconds = options.timeoutSeconds ?? Math.floor(300 + Math.random() * 300);
    const query = { ...selectors, watch: 1, allowWatchBookmarks: true, resourceVersion: from, timeoutSeconds };
    const res = await client.stream({ path, query }, signal);
    const guard = setTimeout(
      () => res.destroy(new Error(`watch ${kind}: still open ${TIMEOUT_GRACE_SECONDS} s after its timeout`)),
      (timeoutSeconds + TIMEOUT_GRACE_SECONDS) * 1000,
    );
    let pending = "";
    try {
      res.setEncoding("utf8");
      for await (const chunk of res) {
        pending += chunk as string;
        let newline: number;
        while ((newline = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (!line) continue;
          const event = JSON.parse(line) as { type: string; object: KubeObject };
          if (event.type === "ERROR") throw KubeApiError.fromStatus(event.object);
          version = event.object.metadata.resourceVersion || version;
          failures = 0;
          if (event.type === "ADDED" || event.type === "MODIFIED" || event.type === "DELETED") {
            await deliver({ type: event.type, object: withType(event.object, { apiVersion, kind }) });
          }
          // BOOKMARK: nothing changed, only the version moved on.
        }
      }
    } finally {
      clearTimeout(guard);
      res.destroy();
    }
  };

  // Read through a call, so a check after an await is not taken for the loop's (TypeScript narrows property reads).
  const stopped = () => signal.aborted;
  const run = async (): Promise<void> => {
    while (!stopped()) {
      try {
        const path = await client.collectionPath(apiVersion, kind, options.namespace);
        if (version === undefined) {
          const list = await client.list(apiVersion, kind, { ...selectors, namespace: options.namespace });
          version = list.resourceVersion;
          await deliver({ type: "RESYNC", objects: list.items, resourceVersion: version });
        }
        await consume(path, version);
      } catch (error) {
        if (stopped()) return;
        // Gone: the apiserver no longer has history back to our version; start over from a list.
        if (error instanceof KubeApiError && error.status === 410) {
          version = undefined;
          continue;
        }
        await deliver({ type: "ERROR", error: asError(error) });
        await sleep(backoff(failures++, MAX_BACKOFF_MS), signal);
      }
    }
  };

  const done = run();
  return {
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
