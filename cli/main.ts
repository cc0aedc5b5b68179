import { Command, Option } from "commander";
import { registerAgentCommand } from "../agent/command.js";
import { registerClusterCommands } from "./cluster.js";
import { registerRebuildCommands } from "./rebuild.js";
import { registerGenerateCommand } from "./generate.js";
import { registerHealthCommand } from "./health.js";
import { registerHubCommands } from "./hub.js";
import { registerRenderCommand } from "./render.js";
import { registerStatusCommand } from "./status.js";
import { exitForCommanderError } from "../core/exit.js";
import { EXIT_CODES_HELP } from "./output.js";
import { VERSION } from "../core/version.js";

const program = new Command("radial")
  .description("Radial: a serverless GitOps hub for fleets of Kubernetes clusters")
  .version(VERSION)
  .addOption(new Option("-o, --output <format>", "output format").choices(["table", "json", "yaml"]).default("table"))
  .showHelpAfterError()
  .exitOverride(exitForCommanderError)
  .addHelpText("after", EXIT_CODES_HELP);

registerHubCommands(program);
registerClusterCommands(program);
registerRebuildCommands(program);
registerRenderCommand(program);
registerGenerateCommand(program);
registerHealthCommand(program);
registerStatusCommand(program);
registerAgentCommand(program);

await program.parseAsync();
