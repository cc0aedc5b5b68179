import { RemovalPolicy } from "aws-cdk-lib";
import { Distribution, HttpVersion, ViewerProtocolPolicy } from "aws-cdk-lib/aws-cloudfront";
import { S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import { BlockPublicAccess, Bucket, BucketEncryption } from "aws-cdk-lib/aws-s3";
import { BucketDeployment, Source } from "aws-cdk-lib/aws-s3-deployment";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { LOG_RETENTION } from "./hub-function.js";

export interface ConsoleHostingProps {
  /** The console's built files (console/build.ts), copied into the bucket on deploy; without them the bucket waits for them. */
  assetsDir?: string;
}

/**
 * The console's static assets: a private S3 bucket that only CloudFront reads, through origin
 * access control, and a distribution serving it over HTTPS. The console's files are copied in by
 * CDK's BucketDeployment (a custom resource), which invalidates the distribution's cache.
 */
export class ConsoleHosting extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps = {}) {
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
      defaultBehavior: { origin: S3BucketOrigin.withOriginAccessControl(this.bucket), viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS },
      defaultRootObject: "index.html",
      httpVersion: HttpVersion.HTTP2_AND_3,
    });
    if (props.assetsDir !== undefined) {
      new BucketDeployment(this, "Deploy", {
        sources: [Source.asset(props.assetsDir)],
        destinationBucket: this.bucket,
        distribution: this.distribution,
        logGroup: new LogGroup(this, "DeployLogs", { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY }),
      });
    }
  }
}
