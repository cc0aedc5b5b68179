import { Command, Option } from "commander";
import { registerHubCommands } from "./hub.js";
import { VERSION } from "../lambdas/version.js";

const program = new Command("radial")
  .description("Radial: a serverless GitOps hub for fleets of Kubernetes clusters")
  .version(VERSION)
  .addOption(new Option("-o, --output <format>", "output format").choices(["table", "json", "yaml"]).default("table"))
  .showHelpAfterError();

registerHubCommands(program);

await program.parseAsync();
