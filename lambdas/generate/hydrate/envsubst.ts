import type { Application } from "../../../contract/application.js";

/**
 * The build environment Argo CD gives config management tools (ARGOCD_APP_*), used to substitute
 * variables in kustomize images and commonLabels (and commonAnnotations with
 * `commonAnnotationsEnvsubst: true`), as Argo CD does.
 */
export function buildEnv(application: Application, revision: string): Record<string, string> {
  const source = application.spec.source;
  return {
    ARGOCD_APP_NAME: application.metadata.name,
    ARGOCD_APP_NAMESPACE: application.spec.destination.namespace ?? "",
    ARGOCD_APP_REVISION: revision,
    ARGOCD_APP_REVISION_SHORT: revision.slice(0, 7),
    ARGOCD_APP_REVISION_SHORT_8: revision.slice(0, 8),
    ARGOCD_APP_SOURCE_PATH: source?.path ?? "",
    ARGOCD_APP_SOURCE_REPO_URL: source?.repoURL ?? "",
    ARGOCD_APP_SOURCE_TARGET_REVISION: source?.targetRevision ?? "",
  };
}

const SPECIAL = "*#$@!?-0123456789";
const isNameChar = (c: string) => /[A-Za-z0-9_]/.test(c);

/**
 * Go's os.Expand with Argo CD's mapping (Env.Envsubst): `$NAME` and `${NAME}` are replaced by the
 * variable's value, unknown variables by ""; `$$` is a literal `$`; a `$` not followed by a name
 * stays; `${` without a closing `}` and `${}` are dropped, as Go does.
 */
export function envsubst(text: string, env: Record<string, string>): string {
  const map = (name: string) => (name === "$" ? "$" : Object.hasOwn(env, name) ? env[name]! : "");
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== "$" || i + 1 >= text.length) {
      out += c;
      i++;
      continue;
    }
    const rest = text.slice(i + 1);
    let name = "";
    let width = 0;
    if (rest.startsWith("{")) {
      if (rest.length > 2 && SPECIAL.includes(rest[1]!) && rest[2] === "}") {
        name = rest[1]!;
        width = 3;
      } else {
        const close = rest.indexOf("}");
        if (close === 1) width = 2;
        else if (close === -1) width = 1;
        else {
          name = rest.slice(1, close);
          width = close + 1;
        }
      }
    } else if (SPECIAL.includes(rest[0]!)) {
      name = rest[0]!;
      width = 1;
    } else {
      while (width < rest.length && isNameChar(rest[width]!)) width++;
      name = rest.slice(0, width);
    }
    if (name === "" && width === 0) out += "$";
    else if (name !== "") out += map(name);
    i += 1 + width;
  }
  return out;
}
