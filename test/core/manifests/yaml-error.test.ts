// YAML errors read as one sentence: where, then what, never the parser's dangling "column N:".
import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "yaml";
import { parseYamlManifests } from "../../../core/manifests/objects.js";
import { yamlErrorText } from "../../../core/manifests/yaml-error.js";

const broken = "kind: ConfigMap\ndata: [1, 2\nmetadata: {}\n";

test("a manifest file's YAML error names the file and line, then the parser's reason, and ends there", () => {
  assert.throws(
    () => parseYamlManifests(broken, "apps/web/cm.yaml"),
    (error: Error) => {
      assert.equal(error.message, "apps/web/cm.yaml:3: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]");
      return true;
    },
  );
});

test("yamlErrorText gives the place first and the reason after it; without a known place, the reason alone", () => {
  const textOf = (prettyErrors: boolean) => {
    try {
      parse("a: 1\na: 2\n", { prettyErrors, uniqueKeys: true });
    } catch (error) {
      return yamlErrorText(error);
    }
    return "parsed";
  };
  assert.equal(textOf(true), "line 2, column 1: Map keys must be unique");
  assert.equal(textOf(false), "Map keys must be unique");
  assert.equal(yamlErrorText(new Error("not YAML at all")), "not YAML at all");
});
