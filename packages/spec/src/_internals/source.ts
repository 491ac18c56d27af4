/**
 * A parsed YAML spec file that remembers where every node was written, so that a problem
 * found at a path of the plain value can be reported at `file:line:col`.
 *
 * @module
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document, Node } from "yaml";
import { describeFound, diagnosticMessage, formatPath } from "../diagnostics.js";
import type { SpecDiagnostic } from "../diagnostics.js";
import type { SourceLoc } from "../model.js";

/** A YAML path: mapping keys and sequence indices. */
export type YamlPath = readonly (string | number)[];

/** Parsed YAML text with position lookup and a diagnostic sink. */
export class SpecSource {
  readonly file: string;
  /** Plain value of the document (integers as `bigint`). */
  readonly value: unknown;
  readonly diagnostics: SpecDiagnostic[] = [];
  private readonly doc: Document.Parsed;
  private readonly lines = new LineCounter();

  constructor(file: string, text: string) {
    this.file = file;
    this.doc = parseDocument(text, {
      lineCounter: this.lines,
      intAsBigInt: true,
      uniqueKeys: true,
      prettyErrors: true,
    });
    for (const e of this.doc.errors) {
      const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
      const reason = (e.message.split("\n")[0] ?? e.message).replace(
        / at line \d+, column \d+:?$/,
        "",
      );
      this.push(pos.line, pos.col, "", "valid YAML", reason);
    }
    this.value = this.doc.errors.length === 0 ? this.doc.toJS({ maxAliasCount: 100 }) : undefined;
  }

  /** Position of the node at `path`, or of its nearest existing ancestor. */
  loc(path: YamlPath, key = false): SourceLoc {
    const offset = this.offsetOf(path, key);
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col };
  }

  /** Records a problem at `path`, describing the value found. `key` points at the mapping key. */
  report(path: YamlPath, expected: string, found: unknown, key = false): void {
    this.reportText(path, expected, describeFound(found), key);
  }

  /** Records a problem whose "found" text is already written out. */
  reportText(path: YamlPath, expected: string, foundText: string, key = false): void {
    const { line, col } = this.loc(path, key);
    this.push(line, col, formatPath(path), expected, foundText);
  }

  private push(line: number, col: number, path: string, expected: string, found: string): void {
    this.diagnostics.push({
      file: this.file,
      line,
      col,
      path,
      expected,
      found,
      message: diagnosticMessage(this.file, line, col, path, expected, found),
    });
  }

  private offsetOf(path: YamlPath, key: boolean): number {
    let node: unknown = this.doc.contents;
    let best = rangeStart(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      const k = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(k),
        );
        if (!pair) return best;
        if (last && key) return rangeStart(pair.key) ?? best;
        node = pair.value;
        best = rangeStart(node) ?? rangeStart(pair.key) ?? best;
      } else if (isSeq(node) && typeof k === "number") {
        node = node.items[k];
        if (node === undefined) return best;
        best = rangeStart(node) ?? best;
      } else {
        return best;
      }
    }
    return best;
  }
}

function rangeStart(node: unknown): number | undefined {
  if (node && typeof node === "object" && "range" in node) {
    const r = (node as Node).range;
    if (r) return r[0];
  }
  return undefined;
}
