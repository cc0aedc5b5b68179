import { BlockList, isIP } from "node:net";

/** Loopback (127.0.0.0/8, ::1, and IPv4-mapped 127/8) and the unspecified addresses, which no pod can reach a hub at. */
const UNREACHABLE = new BlockList();
UNREACHABLE.addSubnet("127.0.0.0", 8, "ipv4");
UNREACHABLE.addAddress("0.0.0.0", "ipv4");
UNREACHABLE.addAddress("::1", "ipv6");
UNREACHABLE.addAddress("::", "ipv6");

/**
 * Whether `url` names this machine only: a host of localhost (RFC 6761 reserves `localhost` and
 * `*.localhost` for loopback) or a loopback or unspecified address. An agent in a cluster given
 * such a hub URL reports to itself.
 */
export function isLoopbackUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const host = new URL(url).hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  const address = host.replace(/^\[(.*)\]$/, "$1");
  const family = isIP(address);
  return family !== 0 && UNREACHABLE.check(address, family === 6 ? "ipv6" : "ipv4");
}
