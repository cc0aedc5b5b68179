// The container image's entry point: `radial agent` alone, so the image carries none of the hub's
// dependencies (the AWS SDK, the embedded DynamoDB). Locally `radial agent` runs the same command.
import { Command } from "commander";
import { registerAgentCommand } from "./command.js";
import { exitForCommanderError } from "../core/exit.js";
import { VERSION } from "../core/version.js";

const program = new Command("radial").version(VERSION).showHelpAfterError().exitOverride(exitForCommanderError);
registerAgentCommand(program);
await program.parseAsync();
