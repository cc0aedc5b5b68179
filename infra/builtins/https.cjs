// node:https for the functions' bundles, as CommonJS takes it (aliases.ts says why).
module.exports = process.getBuiltinModule("node:https");
