export * from "./names.js";
export * from "./status-report.js";
export * from "./hub-reply.js";
export * from "./agent-config.js";
export * from "./api-error.js";
export * from "./validation.js";
export * from "./labels.js";
export * from "./clusters.js";
