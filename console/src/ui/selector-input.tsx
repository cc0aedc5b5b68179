import { useState } from "preact/hooks";
import { parseSelector, SelectorError, type Selector } from "../../../core/labels/selector.js";

/** The selector a text names, or the parser's own error: the hub's parser, so the console refuses exactly what the API would. */
export function readSelector(text: string): { selector: Selector; error: null } | { selector: null; error: string } {
  try {
    return { selector: parseSelector(text), error: null };
  } catch (error) {
    if (error instanceof SelectorError) return { selector: null, error: error.message };
    throw error;
  }
}

/** A label selector typed in kubectl syntax, with the parser's error shown under it as it is typed. */
export function SelectorInput({ value, onChange, id }: { value: string; onChange: (text: string) => void; id: string }) {
  const [text, setText] = useState(value);
  const { error } = readSelector(text);
  return (
    <div class="field">
      <label for={id}>Label selector</label>
      <input
        id={id}
        type="text"
        spellcheck={false}
        autocomplete="off"
        placeholder="env=prod,tier in (web,api),!canary"
        value={text}
        aria-invalid={error !== null}
        aria-describedby={`${id}-error`}
        onInput={(event) => {
          const next = event.currentTarget.value;
          setText(next);
          if (readSelector(next).error === null) onChange(next);
        }}
      />
      <p id={`${id}-error`} class="field-error" aria-live="polite">
        {error}
      </p>
    </div>
  );
}
