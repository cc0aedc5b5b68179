import * as z from "zod";

/** A DNS-1123 label, as Kubernetes requires of namespace names; Radial requires it of cluster names. */
export const Dns1123Label = z
  .string()
  .min(1, "must not be empty")
  .max(63, "must be at most 63 characters")
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit");

/** A DNS-1123 subdomain, as Kubernetes requires of most object names (Applications included). */
export const Dns1123Subdomain = z
  .string()
  .min(1, "must not be empty")
  .max(253, "must be at most 253 characters")
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    "must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
  );

export const ClusterName = Dns1123Label;
export const ApplicationName = Dns1123Subdomain;

/** A Git commit id: SHA-1 (40 hex digits) or SHA-256 (64). */
export const Revision = z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, "must be a full Git commit id (40 or 64 lower-case hex digits)");

/** An RFC 3339 timestamp with a zone offset, as Kubernetes writes them. */
export const Timestamp = z.iso.datetime({ offset: true });
