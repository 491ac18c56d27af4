/**
 * SVG bit-field diagrams for the reference site, in the style of the WaveDrom `bit-field`
 * renderer: one row of boxes per 32 bits, a ruler of bit numbers above, each field a box with
 * its name. Packet formats are numbered MSB 0 from the first bit on the wire (specs/README.md
 * "Conventions"); registers are drawn most significant bit left and numbered LSB 0 (SystemRDL
 * 2.0), with each field's access under its name.
 *
 * Strokes and text use `currentColor`, so the diagrams follow the page's light or dark theme.
 * The output is deterministic and has no blank line, so that it can sit in a Markdown HTML
 * block.
 *
 * @module
 */

/** One box of a packet-format diagram, in wire order. */
export interface SvgFormatCell {
  /** Field name shown in the box. */
  readonly name: string;
  /** Width in bits. */
  readonly bits: number;
  /** How the box is shaded: reserved and constant fields are greyed. */
  readonly kind: "field" | "reserved" | "const";
}

/** One field of a register diagram (bits numbered LSB 0). */
export interface SvgRegisterField {
  /** Field name. */
  readonly name: string;
  /** Most significant bit. */
  readonly msb: number;
  /** Least significant bit. */
  readonly lsb: number;
  /** Access shown under the name, e.g. `RW`, `RO`, `W1C`. */
  readonly access: string;
}

const CELL = 22; // width of one bit in px
const ROW = 44; // height of one row of boxes
const TALL_ROW = 110; // height of a row with vertical labels
const RULER = 16; // height of the bit-number ruler
const LEFT = 44; // room for the byte offset or bit range at the left of each row
const FONT = 'font-family="ui-monospace,SFMono-Regular,Menlo,Consolas,monospace"';

/** Escapes text for SVG character data and attribute values. */
export function escapeXml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** A label that fits `width` px at about 7 px a character (font size 11), with an ellipsis. */
function fit(label: string, width: number, charPx = 7): string {
  const room = Math.max(1, Math.floor((width - 4) / charPx));
  if (label.length <= room) return label;
  return room <= 1 ? label.slice(0, 1) : `${label.slice(0, room - 1)}…`;
}

function open(width: number, height: number, title: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="rashpa-bitfield" role="img" ` +
    `viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ${FONT} font-size="11" ` +
    `fill="currentColor" stroke="currentColor"><title>${escapeXml(title)}</title>`
  );
}

/** One box to draw: position, width, shading, name, optional second line, tooltip. */
interface Cell {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly shade: number;
  readonly label: string;
  readonly sub: string;
  readonly tip: string;
}

/** Whether a cell's text fits horizontally (about 7 px a character at font size 11). */
function fits(c: { w: number; label: string; sub: string }): boolean {
  return c.label.length * 7 + 4 <= c.w && c.sub.length * 6 + 4 <= c.w;
}

/**
 * Draws a cell of height `h`. Text that does not fit across the box is written vertically
 * (bottom to top), as the WaveDrom renderer does for narrow fields.
 */
function drawCell(c: Cell, h: number): string {
  const fill = c.shade === 0 ? `fill="none"` : `fill="currentColor" fill-opacity="${c.shade}"`;
  const cx = c.x + c.w / 2;
  const parts = [
    `<g><title>${escapeXml(c.tip)}</title>`,
    `<rect x="${c.x}" y="${c.y}" width="${c.w}" height="${h}" ${fill} stroke-width="1"/>`,
  ];
  if (fits(c) || c.label === "-") {
    const two = c.sub !== "";
    parts.push(
      `<text x="${cx}" y="${c.y + h / 2 + (two ? -2 : 4)}" text-anchor="middle" stroke="none">${escapeXml(fit(c.label, c.w))}</text>`,
    );
    if (two)
      parts.push(
        `<text x="${cx}" y="${c.y + h / 2 + 12}" text-anchor="middle" font-size="9" fill-opacity="0.75" stroke="none">${escapeXml(fit(c.sub, c.w, 6))}</text>`,
      );
  } else {
    // Vertical: name, then the second line in a second column when the box is wide enough.
    const room = h - 8;
    const cols = c.sub !== "" && c.w >= 30 ? 2 : 1;
    const text = cols === 1 && c.sub !== "" ? `${c.label} ${c.sub}` : c.label;
    const x1 = cols === 2 ? c.x + c.w / 2 - 2 : cx + 4;
    parts.push(
      `<text transform="translate(${x1} ${c.y + h - 4}) rotate(-90)" stroke="none">${escapeXml(fit(text, room))}</text>`,
    );
    if (cols === 2)
      parts.push(
        `<text transform="translate(${c.x + c.w / 2 + 10} ${c.y + h - 4}) rotate(-90)" font-size="9" fill-opacity="0.75" stroke="none">${escapeXml(fit(c.sub, room, 6))}</text>`,
      );
  }
  parts.push("</g>");
  return parts.join("");
}

/** Row height: taller when some text must be written vertically. */
function rowHeight(cells: readonly { w: number; label: string; sub: string }[]): number {
  return cells.every((c) => fits(c) || c.label === "-") ? ROW : TALL_ROW;
}

/**
 * Diagram of a run of fixed fields of a packet format: 32 bits a row, bit 0 (the most
 * significant bit of byte 0) at the top left, the byte offset of each row at its left.
 *
 * @param cells - consecutive fields, in wire order
 * @param title - accessible title of the image
 * @param startByte - byte offset of the first row (fields after a payload start at 0, relative)
 * @returns the `<svg>` element as one line
 */
export function formatSvg(
  cells: readonly SvgFormatCell[],
  title: string,
  startByte: number | undefined = 0,
): string {
  const total = cells.reduce((a, c) => a + c.bits, 0);
  const rows = Math.max(1, Math.ceil(total / 32));
  const width = LEFT + 32 * CELL + 2;
  // Segments of every field, row by row (a field may span rows).
  const segs: { row: number; x: number; w: number; shade: number; label: string; tip: string }[] =
    [];
  let bit = 0;
  for (const c of cells) {
    let left = c.bits;
    let at = bit;
    const shade = c.kind === "reserved" ? 0.18 : c.kind === "const" ? 0.08 : 0;
    const tip = `${c.name}: bits ${bit}..${bit + c.bits - 1} (${c.bits} bit${c.bits === 1 ? "" : "s"})${c.kind === "field" ? "" : `, ${c.kind}`}`;
    while (left > 0) {
      const row = Math.floor(at / 32);
      const start = at % 32;
      const len = Math.min(left, 32 - start);
      segs.push({ row, x: LEFT + start * CELL, w: len * CELL, shade, label: c.name, tip });
      at += len;
      left -= len;
    }
    bit += c.bits;
  }
  const heights = Array.from({ length: rows }, (_, r) =>
    rowHeight(segs.filter((g) => g.row === r).map((g) => ({ ...g, sub: "" }))),
  );
  const tops = heights.map((_, r) => RULER + heights.slice(0, r).reduce((a, h) => a + h, 0));
  const height = RULER + heights.reduce((a, h) => a + h, 0) + 2;
  const parts = [open(width, height, title)];
  for (let b = 0; b < 32; b++)
    parts.push(
      `<text x="${LEFT + b * CELL + CELL / 2}" y="${RULER - 4}" text-anchor="middle" font-size="9" stroke="none">${b}</text>`,
    );
  for (let r = 0; r < rows; r++) {
    const off = startByte === undefined ? `+${r * 4}` : String(startByte + r * 4);
    parts.push(
      `<text x="${LEFT - 6}" y="${tops[r]! + heights[r]! / 2 + 4}" text-anchor="end" font-size="9" stroke="none">${escapeXml(off)}</text>`,
    );
  }
  for (const g of segs) parts.push(drawCell({ ...g, y: tops[g.row]!, sub: "" }, heights[g.row]!));
  parts.push("</svg>");
  return parts.join("");
}

/**
 * Diagram of a register: one row per 32 bits, the most significant bit at the left, bits
 * numbered LSB 0; bits of no field are shaded and marked `-`; each field shows its name and,
 * below it, its access.
 *
 * @param width - register width in bits
 * @param fields - the register's fields
 * @param title - accessible title of the image
 * @returns the `<svg>` element as one line
 */
export function registerSvg(
  width: number,
  fields: readonly SvgRegisterField[],
  title: string,
): string {
  const rows = Math.ceil(width / 32);
  const perRow = Math.min(32, width);
  const w = LEFT + perRow * CELL + 2;
  const sorted = [...fields].sort((a, b) => b.msb - a.msb);
  // Boxes of each row: fields and the reserved gaps between them, most significant first.
  const rowCells: { top: number; bottom: number; cells: Omit<Cell, "y">[] }[] = [];
  for (let r = 0; r < rows; r++) {
    const top = width - 1 - r * 32;
    const bottom = Math.max(0, top - 31);
    const xOf = (bit: number): number => LEFT + (top - bit) * CELL;
    const cells: Omit<Cell, "y">[] = [];
    const gap = (hi: number, lo: number): void => {
      cells.push({
        x: xOf(hi),
        w: (hi - lo + 1) * CELL,
        shade: 0.18,
        label: "-",
        sub: "",
        tip: `bits ${hi}:${lo}: reserved`,
      });
    };
    let bit = top;
    for (const f of sorted.filter((x) => x.lsb <= top && x.msb >= bottom)) {
      const hi = Math.min(f.msb, top);
      const lo = Math.max(f.lsb, bottom);
      if (hi < bit) gap(bit, hi + 1);
      const range = f.msb === f.lsb ? String(f.msb) : `${f.msb}:${f.lsb}`;
      cells.push({
        x: xOf(hi),
        w: (hi - lo + 1) * CELL,
        shade: 0,
        label: f.name,
        sub: f.access,
        tip: `${f.name}: bits ${range}, ${f.access}`,
      });
      bit = lo - 1;
    }
    if (bit >= bottom) gap(bit, bottom);
    rowCells.push({ top, bottom, cells });
  }
  const heights = rowCells.map((rc) => rowHeight(rc.cells));
  const h = heights.reduce((a, x) => a + x + RULER, 0) + 2;
  const parts = [open(w, h, title)];
  let y = 0;
  rowCells.forEach((rc, r) => {
    y += RULER;
    for (let b = rc.top; b >= rc.bottom; b--)
      parts.push(
        `<text x="${LEFT + (rc.top - b) * CELL + CELL / 2}" y="${y - 4}" text-anchor="middle" font-size="9" stroke="none">${b}</text>`,
      );
    if (rows > 1)
      parts.push(
        `<text x="${LEFT - 6}" y="${y + heights[r]! / 2 + 4}" text-anchor="end" font-size="9" stroke="none">${rc.top}:${rc.bottom}</text>`,
      );
    for (const c of rc.cells) parts.push(drawCell({ ...c, y }, heights[r]!));
    y += heights[r]!;
  });
  parts.push("</svg>");
  return parts.join("");
}
