import { App } from "aws-cdk-lib";
import { HubStack } from "./hub-stack.js";

const app = new App();
new HubStack(app, "RadialHub");
app.synth();
