import { Aws, Duration, RemovalPolicy } from "aws-cdk-lib";
import type { IHttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  OriginProtocolPolicy,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
  type BehaviorOptions,
} from "aws-cdk-lib/aws-cloudfront";
import { HttpOrigin, S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import { BlockPublicAccess, Bucket, BucketEncryption } from "aws-cdk-lib/aws-s3";
import { BucketDeployment, Source } from "aws-cdk-lib/aws-s3-deployment";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import type { z } from "zod";
import { CONSOLE_CONFIG_PATH, consoleContentSecurityPolicy, type AwsConsoleConfig } from "../contract/console-config.js";
import { LOG_RETENTION } from "./hub-function.js";

export interface ConsoleHostingProps {
  /** The hub's HTTP API, which the distribution serves at /v1/*. */
  api: IHttpApi;
}

/**
 * The console's static assets: a private S3 bucket that only CloudFront reads, through origin
 * access control, and a distribution serving it over HTTPS. The console's files are copied in by
 * CDK's BucketDeployment (a custom resource), which invalidates the distribution's cache. The same
 * distribution passes /v1/* to the hub's HTTP API, so the console calls its API on its own origin.
 */
export class ConsoleHosting extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    this.bucket = new Bucket(this, "Assets", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.distribution = new Distribution(this, "Distribution", {
      comment: "Radial console",
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: pageHeaders(this),
      },
      defaultRootObject: "index.html",
      httpVersion: HttpVersion.HTTP2_AND_3,
      additionalBehaviors: { "/v1/*": apiBehavior(props.api) },
    });
  }

  /**
   * Copies the console's built files (console/build.ts) into the bucket on deploy, with its
   * config.json beside them: the sign-in on AWS (contract/console-config.ts). Its values are the
   * stack's own (pool ids, region, API host), which the deployment fills in when it runs.
   */
  deploy(assetsDir: string, config: z.input<typeof AwsConsoleConfig>): void {
    new BucketDeployment(this, "Deploy", {
      sources: [Source.asset(assetsDir), Source.jsonData(CONSOLE_CONFIG_PATH.slice(1), config)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      logGroup: new LogGroup(this, "DeployLogs", { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY }),
    });
  }
}

/** The page's security headers, as the embedded hub sends them, with Cognito's endpoints in this region allowed to be called. */
function pageHeaders(scope: Construct): ResponseHeadersPolicy {
  return new ResponseHeadersPolicy(scope, "PageHeaders", {
    comment: "Radial console: the page's security headers",
    securityHeadersBehavior: {
      contentSecurityPolicy: { contentSecurityPolicy: consoleContentSecurityPolicy({ region: Aws.REGION, urlSuffix: Aws.URL_SUFFIX }), override: true },
      contentTypeOptions: { override: true },
      referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
      strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
    },
  });
}

/**
 * /v1/* to the HTTP API, never cached. Every viewer header but Host goes to the API (CloudFront's
 * AllViewerExceptHostHeader), so a request the browser signed with SigV4 for the API's own host
 * arrives with that host and the signed headers (Authorization, X-Amz-Date, X-Amz-Security-Token,
 * X-Amz-Content-Sha256) and query string unchanged, and API Gateway's IAM authorizer checks it as if
 * it had been sent there directly.
 */
function apiBehavior(api: IHttpApi): BehaviorOptions {
  return {
    origin: new HttpOrigin(apiHost(api), { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
    viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
    allowedMethods: AllowedMethods.ALLOW_ALL,
    cachePolicy: CachePolicy.CACHING_DISABLED,
    originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
  };
}

/** The HTTP API's default endpoint's host name, the host a console request is signed for. */
export function apiHost(api: IHttpApi): string {
  return `${api.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`;
}
