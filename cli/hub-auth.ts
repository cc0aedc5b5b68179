import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";

/** A request to the hub as it will be sent, for an authenticator to add its headers to. */
export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/** How `radial` proves to the hub who it is: the headers to add to one request. */
export type HubAuth = (request: OutgoingRequest) => Promise<Record<string, string>>;

/** The embedded hub's way: the admin token as a bearer token. */
export function bearerAuth(token: string): HubAuth {
  return () => Promise.resolve({ authorization: `Bearer ${token}` });
}

/** The region of an API Gateway URL (`https://<api>.execute-api.<region>.amazonaws.com`), else undefined. */
export function executeApiRegion(url: URL): string | undefined {
  return /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(url.hostname)?.[1];
}

export interface SigV4Options {
  region: string;
  /** `execute-api` for the hub's HTTP API. */
  service?: string;
  /** The standard AWS credential chain (environment, SSO, profiles, web identity, container, instance) unless given. */
  credentials?: ReturnType<typeof fromNodeProviderChain>;
}

/**
 * The hub on AWS: each request signed with SigV4 by the AWS SDK's own signer, with credentials from
 * the standard chain; API Gateway's IAM authorizer verifies the signature and IAM decides.
 */
export function sigV4Auth(options: SigV4Options): HubAuth {
  const signer = new SignatureV4({
    service: options.service ?? "execute-api",
    region: options.region,
    credentials: options.credentials ?? fromNodeProviderChain(),
    sha256: Hash.bind(null, "sha256"),
  });
  return async ({ method, url, headers, body }) => {
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of url.searchParams) {
      const previous = query[name];
      query[name] = previous === undefined ? value : ([] as string[]).concat(previous, value);
    }
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: { ...headers, host: url.host },
      ...(body === undefined ? {} : { body }),
    });
    // fetch sets Host itself, from the URL, to the value that was signed.
    const { host: _host, ...added } = signed.headers;
    return added;
  };
}
