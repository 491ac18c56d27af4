/**
 * Name conversions used by every generator (kebab-case spec names → TypeScript and C names).
 *
 * @module
 */

/** `atu-entry` → `AtuEntry`; `lineBytes` → `LineBytes`. */
export function pascalCase(name: string): string {
  return name
    .split(/[-_.]/)
    .filter((p) => p !== "")
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join("");
}

/** `atu-entry` → `atuEntry`. */
export function camelCase(name: string): string {
  const p = pascalCase(name);
  return p[0]!.toLowerCase() + p.slice(1);
}

/** `atu-entry` / `lineBytes` → `ATU_ENTRY` / `LINE_BYTES`. */
export function screamingCase(name: string): string {
  return snakeCase(name).toUpperCase();
}

/** `atu-entry` / `lineBytes` → `atu_entry` / `line_bytes`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[-.]/g, "_")
    .toLowerCase();
}

/** Escapes text for a `/** … *\/` comment. */
export function docText(text: string): string {
  return text.trim().replace(/\*\//g, "*\\/");
}

/** Renders a doc comment at the given indentation (nothing for empty text). */
export function docComment(text: string, indent = ""): string {
  const t = docText(text);
  if (t === "") return "";
  const lines = t.split("\n");
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} *${l === "" ? "" : ` ${l}`}`).join("\n")}\n${indent} */\n`;
}

/** Base name of a spec file without directory and extension: `specs/rashpa/descriptors.yaml` → `descriptors`. */
export function specBaseName(file: string): string {
  const base = file.split("/").pop() ?? file;
  return base.replace(/\.ya?ml$/, "");
}

/** Directory of the reference-site pages inside a package's `src/gen`. */
export const PAGES_DIR = "pages";

/** Path of a site page relative to the package's `src/gen` directory, e.g. `pages/pcie.tlp.md`. */
export function sitePagePath(id: string): string {
  return `${PAGES_DIR}/${id}.md`;
}
