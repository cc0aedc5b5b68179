/**
 * One parameter set a generator yields. With plain templates (fasttemplate) it is flat:
 * `{ name: "a", "metadata.labels.env": "prod" }`; with `goTemplate: true` it is nested:
 * `{ name: "a", metadata: { labels: { env: "prod" } } }`, exactly as Argo CD shapes them.
 */
export type Params = Record<string, unknown>;

/** A registered cluster as generators see it. */
export interface InventoryCluster {
  name: string;
  /** The API server URL; null when registered without one (then only `destination.name` can target it). */
  server: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** A problem with one ApplicationSet, naming the field as a path, e.g. `spec.generators[0].matrix.generators[1]`. */
export class ApplicationSetError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}
