// The CDK app (`npx cdk deploy`, see cdk.json): builds the worker's tools layer (kustomize, helm)
// for linux/arm64 when the tool cache lacks it and the console when console/dist lacks it, then synthesizes the one stack, checked by cdk-nag's AwsSolutions
// pack: a finding the stack does not acknowledge (infra/nag.ts) fails the synth.
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { consoleAssets } from "../console/build.js";
import { HubStack } from "./hub-stack.js";
import { toolsLayerDir } from "./tools-layer.js";

const app = new App();
const tools = await toolsLayerDir((line) => console.error(`tools layer: ${line}`));
new HubStack(app, "RadialHub", { toolsLayerDir: tools, consoleAssetsDir: await consoleAssets() });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
