/**
 * A tiny line emitter with indentation, used by every generator.
 *
 * @module
 */

/** Collects lines of generated text. */
export class Emitter {
  private readonly lines: string[] = [];
  private depth = 0;
  private readonly unit: string;

  constructor(unit = "  ") {
    this.unit = unit;
  }

  /** Appends one line at the current indentation (an empty string gives an empty line). */
  line(text = ""): this {
    this.lines.push(text === "" ? "" : this.unit.repeat(this.depth) + text);
    return this;
  }

  /** Appends raw text (already indented, may span lines). */
  raw(text: string): this {
    if (text !== "") this.lines.push(...text.replace(/\n$/, "").split("\n"));
    return this;
  }

  /** Emits `open`, the body one level deeper, then `close`. */
  block(open: string, body: () => void, close = "}"): this {
    this.line(open);
    this.depth++;
    body();
    this.depth--;
    if (close !== "") this.line(close);
    return this;
  }

  /** Runs `body` one level deeper. */
  indent(body: () => void): this {
    this.depth++;
    body();
    this.depth--;
    return this;
  }

  /** The text, ending with one newline. */
  toString(): string {
    return `${this.lines.join("\n")}\n`;
  }
}
