import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { randomBytes } from "node:crypto";
import * as z from "zod";
import { PageTokens } from "../../inventory/page-cursor.js";
import { parseItem } from "./item.js";

/** Where the generated secret lives: one item in the hub's own table, so every hub process (every Lambda) signs alike. */
export const PAGE_TOKEN_SECRET_KEY = { pk: "HUB#secrets", sk: "PAGE_TOKENS" } as const;

/** The least a RADIAL_PAGE_TOKEN_SECRET may hold: 256 bits written as hex or base64 is longer. */
export const MIN_PAGE_TOKEN_SECRET_LENGTH = 32;

const SecretItem = z.object({ secret: z.string().min(MIN_PAGE_TOKEN_SECRET_LENGTH) });

/**
 * The key page tokens are signed with, loaded once per process: RADIAL_PAGE_TOKEN_SECRET when the
 * operator gives one (`fromEnv`), else 256 random bits generated on first use and kept in the table
 * (a conditional put, so hub processes starting at once agree on one). Anyone who can read the
 * table can read the inventory anyway; the secret only keeps API callers from forging positions.
 */
export function pageTokenSecret(documents: DynamoDBDocumentClient, tableName: string, fromEnv: string | undefined): () => Promise<PageTokens> {
  if (fromEnv !== undefined && fromEnv.length < MIN_PAGE_TOKEN_SECRET_LENGTH)
    throw new Error(`RADIAL_PAGE_TOKEN_SECRET must be at least ${MIN_PAGE_TOKEN_SECRET_LENGTH} characters`);
  let loading: Promise<PageTokens> | undefined;
  return () => {
    loading ??= (fromEnv === undefined ? storedSecret(documents, tableName) : Promise.resolve(fromEnv)).then(
      (secret) => new PageTokens(Buffer.from(secret)),
      (error: unknown) => {
        // A failed read is not remembered: the next listing tries again.
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
}

async function storedSecret(documents: DynamoDBDocumentClient, tableName: string): Promise<string> {
  const read = async () => {
    const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: PAGE_TOKEN_SECRET_KEY, ConsistentRead: true }));
    return Item ? parseItem(SecretItem, Item).secret : undefined;
  };
  const existing = await read();
  if (existing !== undefined) return existing;
  const secret = randomBytes(32).toString("base64url");
  try {
    await documents.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...PAGE_TOKEN_SECRET_KEY, kind: "secret", secret },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
    return secret;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // Another process stored its secret first: use that one.
    const stored = await read();
    if (stored === undefined) throw new Error("the page token secret vanished from the table while it was being created", { cause: error });
    return stored;
  }
}
