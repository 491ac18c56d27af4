/**
 * Diagnostics of the spec loader: every problem carries `file:line:col`, the path of the
 * offending YAML node, what was expected and what was found.
 *
 * @module
 */

/** One problem found in a spec file. */
export interface SpecDiagnostic {
  /** Spec file path as given to the loader (relative to the repository root). */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly col: number;
  /** YAML path of the offending node, e.g. `formats.btd.fields[3].bits` (empty for the root). */
  readonly path: string;
  /** What was expected there, e.g. `integer >= 1`. */
  readonly expected: string;
  /** What was found instead, e.g. `no "bits" key`. */
  readonly found: string;
  /** `file:line:col: "path" expected X, got Y`. */
  readonly message: string;
}

/**
 * Thrown by the loader when a spec file has problems; holds all of them.
 *
 * @example
 * ```ts
 * try { loadSpecFile("specs/x.yaml"); }
 * catch (e) { if (e instanceof SpecError) for (const d of e.diagnostics) console.error(d.message); }
 * ```
 */
export class SpecError extends Error {
  /** Always `"SpecError"`. */
  override readonly name = "SpecError";
  /** Every problem, in file order. */
  readonly diagnostics: readonly SpecDiagnostic[];
  constructor(diagnostics: readonly SpecDiagnostic[]) {
    super(
      `${diagnostics.length} problem${diagnostics.length === 1 ? "" : "s"} in spec:\n` +
        diagnostics.map((d) => d.message).join("\n"),
    );
    this.diagnostics = diagnostics;
  }
}

/** Formats a path made of keys and indices as `a.b[2].c`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const k of path) {
    if (typeof k === "number") out += `[${k}]`;
    else out += out === "" ? k : `.${k}`;
  }
  return out;
}

/** Builds the message of a diagnostic. */
export function diagnosticMessage(
  file: string,
  line: number,
  col: number,
  path: string,
  expected: string,
  found: string,
): string {
  const where = path === "" ? "spec" : `"${path}"`;
  return `${file}:${line}:${col}: ${where} expected ${expected}, got ${found}`;
}

/** Describes a YAML value briefly for "got …" in a message. */
export function describeFound(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === "object") return "a mapping";
  return typeof v;
}
