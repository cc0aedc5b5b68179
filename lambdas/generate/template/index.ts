// The ApplicationSet template engine: Argo CD's fasttemplate mode, its Go text/template mode with
// sprig and Argo's extra functions, rendering of Application templates, and templatePatch.
export {
  renderFasttemplate,
  renderGoTemplate,
  renderTemplate,
  applyTemplatePatch,
  parseGoTemplateOptions,
  replaceString,
  type GoTemplateOptions,
} from "./render.js";
export { TemplateParseError } from "./parse.js";
export { TemplateExecError, type MissingKey } from "./exec.js";
export { sanitizeName } from "./funcs.js";
