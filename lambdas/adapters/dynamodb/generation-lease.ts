import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { GenerationTrigger } from "../../../contract/generation.js";
import type { GenerationLease, LeaseRelease, LeaseState } from "../../ports.js";

/**
 * The fleet-wide generation lease: one item `pk=LEASE#generation, sk=LEASE` holding `holder` and
 * `expiresAt` (epoch seconds, also the table's TTL attribute, so DynamoDB may delete an expired
 * lease item; a missing item and an expired one mean the same: free).
 *
 * Guarantees, each by one single-item conditional write (no transactions, no read-then-write):
 * - At most one holder at a time: `acquire` succeeds only when the item is absent or expired.
 * - A crashed holder blocks no one forever: its lease is free once `expiresAt` has passed.
 * - Only the holder can `renew` (and only before expiry, so a holder that lost its lease learns it
 *   instead of silently taking it back) or `release` it.
 * - No trigger is lost to a busy lease: `markPending` records a trigger on the lease item only while
 *   the lease is held, and `release` deletes the item and returns what was pending in the same write
 *   (ReturnValues ALL_OLD). So a trigger is either recorded before the release, and the releasing
 *   holder runs again, or it finds the lease free and its caller acquires and runs. A new holder's
 *   `acquire` replaces an expired item with its pending mark: the new run starts after the mark was
 *   written, so it covers it.
 *
 * Time: the lease is held while `now < expiresAt`, in whole seconds: `expiresAt =
 * floor(now) + ttlSeconds`, so a holder gets between ttlSeconds-1 and ttlSeconds seconds. The
 * caller passes `now`; hosts' clocks must agree to well within the TTL.
 */
export const LEASE_KEY = { pk: "LEASE#generation", sk: "LEASE" } as const;

const epochSeconds = (now: Date) => Math.floor(now.getTime() / 1000);

function checkArgs(holder: string, ttlSeconds: number): void {
  if (holder.length === 0) throw new Error("lease holder must not be empty");
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new Error(`lease ttlSeconds must be a positive integer, got ${ttlSeconds}`);
}

async function conditional(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export class DynamoDBGenerationLease implements GenerationLease {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = DynamoDBDocumentClient.from(client);
  }

  /** Takes the lease when it is free (absent or expired); false when someone else holds it, or this holder already does (use renew). */
  async acquire(holder: string, ttlSeconds: number, now: Date): Promise<boolean> {
    checkArgs(holder, ttlSeconds);
    const at = epochSeconds(now);
    return conditional(() =>
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...LEASE_KEY, kind: "lease", holder, expiresAt: at + ttlSeconds, acquiredAt: now.toISOString() },
          ConditionExpression: "attribute_not_exists(pk) OR #expiresAt <= :now",
          ExpressionAttributeNames: { "#expiresAt": "expiresAt" },
          ExpressionAttributeValues: { ":now": at },
        }),
      ),
    );
  }

  /** Extends the lease to now + ttlSeconds; false when `holder` does not hold it (taken by another, released, or expired). */
  async renew(holder: string, ttlSeconds: number, now: Date): Promise<boolean> {
    checkArgs(holder, ttlSeconds);
    const at = epochSeconds(now);
    return conditional(() =>
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: LEASE_KEY,
          UpdateExpression: "SET #expiresAt = :expiresAt",
          ConditionExpression: "#holder = :holder AND #expiresAt > :now",
          ExpressionAttributeNames: { "#holder": "holder", "#expiresAt": "expiresAt" },
          ExpressionAttributeValues: { ":holder": holder, ":now": at, ":expiresAt": at + ttlSeconds },
        }),
      ),
    );
  }

  /** Frees the lease and hands over what was pending; `released: false` (nothing deleted) when `holder` is not the one recorded. */
  async release(holder: string): Promise<LeaseRelease> {
    let old: Record<string, unknown> | undefined;
    const released = await conditional(async () => {
      const output = await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: LEASE_KEY,
          ConditionExpression: "#holder = :holder",
          ExpressionAttributeNames: { "#holder": "holder" },
          ExpressionAttributeValues: { ":holder": holder },
          ReturnValues: "ALL_OLD",
        }),
      );
      old = output.Attributes;
    });
    if (!released) return { released: false };
    // Only this module writes `pending`; anything else there still means a run is wanted.
    return { released: true, pending: old?.pending === undefined ? undefined : GenerationTrigger.catch("inventory").parse(old.pending) };
  }

  async markPending(trigger: GenerationTrigger, now: Date): Promise<boolean> {
    return conditional(() =>
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: LEASE_KEY,
          UpdateExpression: "SET #pending = if_not_exists(#pending, :trigger)",
          ConditionExpression: "attribute_exists(#holder) AND #expiresAt > :now",
          ExpressionAttributeNames: { "#pending": "pending", "#holder": "holder", "#expiresAt": "expiresAt" },
          ExpressionAttributeValues: { ":trigger": GenerationTrigger.parse(trigger), ":now": epochSeconds(now) },
        }),
      ),
    );
  }

  async current(now: Date): Promise<LeaseState | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: LEASE_KEY, ConsistentRead: true }));
    if (!Item || typeof Item.holder !== "string" || typeof Item.expiresAt !== "number") return undefined;
    if (Item.expiresAt <= epochSeconds(now)) return undefined;
    return { holder: Item.holder, expiresAt: Item.expiresAt };
  }
}
