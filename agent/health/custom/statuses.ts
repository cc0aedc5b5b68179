import type { HealthStatus } from "../../../contract/status-report.js";

/** The statuses a health script may return; any other is Unknown with Argo CD's message. */
export const HEALTH_STATUSES = new Set<string>(["Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"] satisfies HealthStatus[]);

export const INVALID_STATUS = "Lua returned an invalid health status";
