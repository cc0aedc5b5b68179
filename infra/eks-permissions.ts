import { Aws, Validations } from "aws-cdk-lib";
import { PolicyStatement, type IRole } from "aws-cdk-lib/aws-iam";

/** Every EKS cluster of this account, in any region: registration takes an EKS ARN from any region, and a rebuild recreates it there. */
export const EKS_CLUSTERS = `arn:${Aws.PARTITION}:eks:*:${Aws.ACCOUNT_ID}:cluster/*`;
/** The cluster role a recreated control plane gets is the one registration recorded, any role of this account. */
export const ACCOUNT_ROLES = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/*`;

/**
 * The API function's EKS calls, each as lambdas/adapters/eks makes them: registration describes the
 * cluster (eks-lookup.ts); a rebuild with recreateEks runs in the API function too, one short call
 * per request (rebuild-service.ts starts it, each later read advances it: no request waits for a
 * control plane), and describes, deletes (`replace`) and creates the cluster with its recorded tags
 * (tagging on create needs eks:TagResource), handing EKS the recorded cluster role (iam:PassRole,
 * to eks.amazonaws.com only).
 */
export function grantEksAccess(role: IRole): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ["eks:DescribeCluster", "eks:CreateCluster", "eks:DeleteCluster", "eks:TagResource"],
      resources: [EKS_CLUSTERS],
    }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ["iam:PassRole"],
      resources: [ACCOUNT_ROLES],
      conditions: { StringEquals: { "iam:PassedToService": "eks.amazonaws.com" } },
    }),
  );
  const acknowledge = (resource: string, reason: string) =>
    Validations.of(role).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM5[Resource::${resource}]`, reason });
  acknowledge(
    "arn:<AWS::Partition>:eks:*:<AWS::AccountId>:cluster/*",
    "Registered clusters are named by their EKS ARN, in any region of this account: registration describes them, a rebuild with recreateEks deletes and recreates them.",
  );
  acknowledge(
    "arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*",
    "A recreated control plane gets the cluster role registration recorded, which may be any role of this account; passed to eks.amazonaws.com only.",
  );
}
