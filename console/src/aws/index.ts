// The AWS sign-in's script: console/build.ts bundles it apart from the page (it is most of the AWS
// SDK's browser code, ~55 KB gzipped), and the page imports it only when its configuration says AWS.
// It imports nothing of the page at run time, so the two never share a module.
export { awsAuthorizer, forgetSession, keptRefreshToken } from "./signer.js";
export { UserPoolSignIn } from "./user-pool.js";
