// What the EKS adapters use of the SDK's EKS client: eks-client.ts imports this module when the
// first EKS call is made. An import() of the package itself would bundle every command it has.
export {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClusterCommand,
  EKSClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from "@aws-sdk/client-eks";
