/** The Status object the apiserver answers errors with (meta/v1 Status). */
export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; causes?: { type?: string; message?: string; field?: string }[] };
}

/** Reasons for bodies that are not a Status (a proxy, a load balancer), as apimachinery maps codes. */
const REASON_BY_CODE: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "Conflict",
  410: "Expired",
  413: "RequestEntityTooLarge",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

/**
 * An error answer from the apiserver. `reason` is the Status reason (NotFound, Conflict,
 * AlreadyExists, Invalid, Forbidden, Expired, ...), which tells apart errors sharing a code
 * (409 is both Conflict and AlreadyExists).
 */
export class KubeApiError extends Error {
  override readonly name = "KubeApiError";
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    /** Which fields were invalid and why, when the apiserver says (reason Invalid). */
    readonly details?: KubeStatus["details"],
  ) {
    super(message);
  }

  /** From a Status object (an error response, or the object of a watch ERROR event). */
  static fromStatus(status: KubeStatus, httpStatus?: number): KubeApiError {
    const code = status.code ?? httpStatus ?? 0;
    return new KubeApiError(code, status.reason || (REASON_BY_CODE[code] ?? "Unknown"), status.message || `HTTP ${code}`, status.details);
  }

  /** From an HTTP error response body, a Status when the apiserver wrote it, text otherwise. */
  static fromResponse(httpStatus: number, body: string, context: string): KubeApiError {
    let status: KubeStatus | undefined;
    try {
      const parsed = JSON.parse(body) as KubeStatus | null;
      if (parsed?.kind === "Status") status = parsed;
    } catch {
      // not JSON: a proxy or load balancer answered
    }
    const error = status
      ? KubeApiError.fromStatus({ ...status, code: httpStatus }, httpStatus)
      : new KubeApiError(httpStatus, REASON_BY_CODE[httpStatus] ?? "Unknown", body.trim().slice(0, 500) || `HTTP ${httpStatus}`);
    error.message = `${context}: ${error.message}`;
    return error;
  }
}

/** No resource of this apiVersion and kind is served, even after refreshing discovery (as kubectl's "no matches for kind"). */
export class NoKindMatchError extends Error {
  override readonly name = "NoKindMatchError";
  constructor(
    readonly apiVersion: string,
    readonly kind: string,
  ) {
    super(`no matches for kind "${kind}" in version "${apiVersion}": the apiserver does not serve it (is its CRD installed and established?)`);
  }
}
