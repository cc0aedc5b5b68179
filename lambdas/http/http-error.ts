import { ERROR_STATUS, type ApiError, type ErrorCode } from "../../contract/index.js";

/** The error schema's bound on `message` (contract/api-error.ts). */
const MAX_MESSAGE = 4096;
const CUT = "… (message truncated)";

/**
 * Messages quote input through `echo`, which bounds each quote; this is the backstop for messages
 * built from many parts (five field problems, a wrapped cause), so every answer stays within the
 * error schema and a client never falls back to printing a raw body.
 */
function bounded(message: string): string {
  return message.length <= MAX_MESSAGE ? message : message.slice(0, MAX_MESSAGE - CUT.length) + CUT;
}

/** An error the API reports to its caller as `{ error: { code, message, details } }`. */
export class HttpError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(bounded(message || code));
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ApiError {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}
