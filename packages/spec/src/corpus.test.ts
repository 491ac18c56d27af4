/**
 * The corpus of broken specs: every file under `test/broken/` has one deliberate problem (a
 * few have several, to show that all problems of a file are reported in one run), and its
 * exact diagnostics are listed here, positions included. Adding a file without adding its row
 * fails the test.
 *
 * The YAML files are kept byte for byte as written (`test/broken/.prettierrc.json` turns
 * formatting off there), since the expected positions depend on it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadSpecText, SpecError } from "./index.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const dir = "test/broken";

/** `[file under test/broken, every message in order]`. */
const corpus: [string, string[]][] = [
  [
    "01-invalid-yaml.yaml",
    [
      "test/broken/01-invalid-yaml.yaml:13:7: spec expected valid YAML, got Flow map in block collection must be sufficiently indented and end with a }",
    ],
  ],
  [
    "02-duplicate-yaml-key.yaml",
    [
      "test/broken/02-duplicate-yaml-key.yaml:14:9: spec expected valid YAML, got Map keys must be unique",
    ],
  ],
  [
    "03-missing-required-key.yaml",
    [
      'test/broken/03-missing-required-key.yaml:13:9: "formats.frame.fields[1].bits" expected integer >= 1, got no "bits" key',
    ],
  ],
  [
    "04-unknown-key-typo.yaml",
    [
      'test/broken/04-unknown-key-typo.yaml:12:29: "formats.frame.fields[0].dco" expected one of name, bits, type, enum, value, ignore, at, doc, source, got unknown key "dco"',
    ],
  ],
  [
    "05-misspelt-required-key.yaml",
    [
      'test/broken/05-misspelt-required-key.yaml:12:9: "formats.frame.fields[0].bits" expected integer >= 1, got no "bits" key',
      'test/broken/05-misspelt-required-key.yaml:12:20: "formats.frame.fields[0].bitz" expected one of name, bits, type, enum, value, ignore, at, doc, source, got unknown key "bitz"',
    ],
  ],
  [
    "06-bits-not-a-number.yaml",
    [
      'test/broken/06-bits-not-a-number.yaml:12:26: "formats.frame.fields[0].bits" expected integer >= 1, got "eight"',
    ],
  ],
  [
    "07-uint-bits-zero.yaml",
    [
      'test/broken/07-uint-bits-zero.yaml:13:26: "formats.frame.fields[1].bits" expected integer >= 1, got 0',
    ],
  ],
  [
    "08-uint-bits-65.yaml",
    [
      'test/broken/08-uint-bits-65.yaml:12:26: "formats.frame.fields[0].bits" expected at most 64 bits for a uint field, got 65',
    ],
  ],
  [
    "09-bool-bits-2.yaml",
    [
      'test/broken/09-bool-bits-2.yaml:12:26: "formats.frame.fields[0].bits" expected 1 for a bool field, got 2',
    ],
  ],
  [
    "10-bytes-not-multiple-of-8.yaml",
    [
      'test/broken/10-bytes-not-multiple-of-8.yaml:13:29: "formats.frame.fields[1].bits" expected a multiple of 8 for a bytes field, got 12',
    ],
  ],
  [
    "11-bytes-not-byte-aligned.yaml",
    [
      'test/broken/11-bytes-not-byte-aligned.yaml:13:39: "formats.frame.fields[1].type" expected a bytes field starting on a byte boundary, got bit offset 4',
    ],
  ],
  [
    "12-enum-field-without-enum.yaml",
    [
      'test/broken/12-enum-field-without-enum.yaml:18:9: "formats.frame.fields[0].enum" expected the name of the enum of an enum field, got no "enum" key',
    ],
  ],
  [
    "13-unknown-enum.yaml",
    [
      'test/broken/13-unknown-enum.yaml:18:50: "formats.frame.fields[0].enum" expected one of the enums declared in this spec (Kind), got "Knd"',
    ],
  ],
  [
    "14-enum-width-mismatch.yaml",
    [
      'test/broken/14-enum-width-mismatch.yaml:18:29: "formats.frame.fields[0].bits" expected 4 bits, the width of enum Kind, got 8',
    ],
  ],
  [
    "15-enum-value-too-wide.yaml",
    [
      'test/broken/15-enum-value-too-wide.yaml:13:31: "enums.Kind.values[1].value" expected a value that fits in 2 bits (at most 3), got 4',
    ],
  ],
  [
    "16-duplicate-enum-name.yaml",
    [
      'test/broken/16-duplicate-enum-name.yaml:14:17: "enums.Kind.values[2].name" expected a member name not used before in enum Kind, got "read"',
    ],
  ],
  [
    "17-duplicate-enum-value.yaml",
    [
      'test/broken/17-duplicate-enum-value.yaml:14:31: "enums.Kind.values[2].value" expected a value not used before in enum Kind, got 1 (already "write")',
    ],
  ],
  [
    "18-reserved-without-value.yaml",
    [
      'test/broken/18-reserved-without-value.yaml:13:9: "formats.frame.fields[1].value" expected the value of a reserved field, got no "value" key',
    ],
  ],
  [
    "19-const-value-too-wide.yaml",
    [
      'test/broken/19-const-value-too-wide.yaml:12:53: "formats.frame.fields[0].value" expected a value that fits in 4 bits (at most 15), got 31',
    ],
  ],
  [
    "20-value-on-uint.yaml",
    [
      'test/broken/20-value-on-uint.yaml:12:29: "formats.frame.fields[0].value" expected no "value" key on a field that is not reserved or const, got value on a uint field',
    ],
  ],
  [
    "21-ignore-on-uint.yaml",
    [
      'test/broken/21-ignore-on-uint.yaml:12:29: "formats.frame.fields[0].ignore" expected no "ignore" key on a field that is not reserved, got ignore on a uint field',
    ],
  ],
  [
    "22-at-mismatch.yaml",
    [
      'test/broken/22-at-mismatch.yaml:13:33: "formats.frame.fields[1].at" expected bit offset 8 (where the layout puts "b"), got 16',
    ],
  ],
  [
    "23-format-not-whole-bytes.yaml",
    [
      'test/broken/23-format-not-whole-bytes.yaml:11:5: "formats.frame.fields" expected a layout of whole bytes, got 4 bits past the last byte (12 bits)',
    ],
  ],
  [
    "24-duplicate-field-name.yaml",
    [
      'test/broken/24-duplicate-field-name.yaml:14:17: "formats.frame.fields[2].name" expected a name not used before in this format, got "a" (already used at line 12)',
    ],
  ],
  [
    "25-field-name-not-camel-case.yaml",
    [
      'test/broken/25-field-name-not-camel-case.yaml:12:17: "formats.frame.fields[0].name" expected camelCase identifier, got "line_bytes"',
    ],
  ],
  [
    "26-format-name-not-kebab-case.yaml",
    [
      'test/broken/26-format-name-not-kebab-case.yaml:9:3: "formats.Frame" expected a kebab-case format name, got "Frame"',
    ],
  ],
  [
    "27-switch-on-unknown-field.yaml",
    [
      'test/broken/27-switch-on-unknown-field.yaml:13:17: "formats.frame.fields[1].switch" expected a field declared earlier on this path, got "mde"',
      'test/broken/27-switch-on-unknown-field.yaml:16:21: "formats.frame.fields[1].cases[0].when.mode" expected a condition on a discriminant (mde), got "mode"',
    ],
  ],
  [
    "28-switch-on-later-field.yaml",
    [
      'test/broken/28-switch-on-later-field.yaml:13:17: "formats.frame.fields[1].switch" expected a field declared earlier on this path, got "mode"',
    ],
  ],
  [
    "29-switch-on-reserved-field.yaml",
    [
      'test/broken/29-switch-on-reserved-field.yaml:13:17: "formats.frame.fields[1].switch" expected a uint, enum or bool field as discriminant, got reserved field "rsvd0"',
    ],
  ],
  [
    "30-switch-on-64-bit-field.yaml",
    [
      'test/broken/30-switch-on-64-bit-field.yaml:13:17: "formats.frame.fields[1].switch" expected a discriminant of at most 32 bits, got 64 bits',
    ],
  ],
  [
    "31-when-value-too-wide.yaml",
    [
      'test/broken/31-when-value-too-wide.yaml:17:31: "formats.frame.fields[2].cases[0].when.mode[1]" expected a value that fits field "mode" (4 bits, at most 15), got 16',
    ],
  ],
  [
    "32-when-value-not-enum-member.yaml",
    [
      'test/broken/32-when-value-not-enum-member.yaml:26:27: "formats.frame.fields[1].cases[1].when.kind" expected a member of enum Kind (read, write), got "wirte"',
    ],
  ],
  [
    "33-when-on-other-field.yaml",
    [
      'test/broken/33-when-on-other-field.yaml:17:30: "formats.frame.fields[2].cases[0].when.size" expected a condition on a discriminant (mode), got "size"',
    ],
  ],
  [
    "34-case-not-whole-bytes.yaml",
    [
      'test/broken/34-case-not-whole-bytes.yaml:20:13: "formats.frame.fields[1].cases[1].fields" expected a case of whole bytes, got 12 bits',
    ],
  ],
  [
    "35-switch-not-byte-aligned.yaml",
    [
      'test/broken/35-switch-not-byte-aligned.yaml:13:9: "formats.frame.fields[1].switch" expected a switch starting on a byte boundary, got bit offset 4',
    ],
  ],
  [
    "36-case-after-default.yaml",
    [
      'test/broken/36-case-after-default.yaml:22:19: "formats.frame.fields[1].cases[2].name" expected a case reachable by some discriminant value, got case "long" fully covered by earlier cases',
    ],
  ],
  [
    "37-case-covered-by-two-cases.yaml",
    [
      'test/broken/37-case-covered-by-two-cases.yaml:25:19: "formats.frame.fields[2].cases[2].name" expected a case reachable by some discriminant value, got case "two" fully covered by earlier cases',
    ],
  ],
  [
    "38-duplicate-case-name.yaml",
    [
      'test/broken/38-duplicate-case-name.yaml:19:19: "formats.frame.fields[1].cases[1].name" expected a case name not used before in this switch, got "short"',
    ],
  ],
  [
    "39-payload-unknown-length-field.yaml",
    [
      'test/broken/39-payload-unknown-length-field.yaml:13:43: "formats.packet.fields[1].length.field" expected a uint field declared earlier on this path, got "len"',
    ],
  ],
  [
    "40-payload-length-field-bool.yaml",
    [
      'test/broken/40-payload-length-field-bool.yaml:14:43: "formats.packet.fields[2].length.field" expected a uint field of at most 32 bits, got bool field "more" of 1 bit',
    ],
  ],
  [
    "41-payload-length-field-enum.yaml",
    [
      'test/broken/41-payload-length-field-enum.yaml:19:43: "formats.packet.fields[1].length.field" expected a uint field of at most 32 bits, got enum field "size" of 8 bits',
    ],
  ],
  [
    "42-payload-after-remainder.yaml",
    [
      'test/broken/42-payload-after-remainder.yaml:15:20: "formats.packet.fields[3].payload" expected no payload after a remainder payload, got payload "trailer"',
    ],
  ],
  [
    "43-payload-not-byte-aligned.yaml",
    [
      'test/broken/43-payload-not-byte-aligned.yaml:13:20: "formats.packet.fields[1].payload" expected a payload starting on a byte boundary, got bit offset 12',
    ],
  ],
  [
    "44-zero-means-in-range.yaml",
    [
      'test/broken/44-zero-means-in-range.yaml:13:70: "formats.packet.fields[1].length.zeroMeans" expected a count above the field\'s largest value 255, got 200',
    ],
  ],
  [
    "45-reg-field-out-of-range.yaml",
    [
      'test/broken/45-reg-field-out-of-range.yaml:20:38: "registers.regs.blocks[0].registers[0].fields[1].bits" expected bits within the 32-bit register (31:0), got 32',
    ],
  ],
  [
    "46-reg-msb-below-lsb.yaml",
    [
      'test/broken/46-reg-msb-below-lsb.yaml:18:37: "registers.regs.blocks[0].registers[0].fields[0].bits" expected "msb:lsb" with msb >= lsb, got 3:7',
    ],
  ],
  [
    "47-reg-fields-overlap.yaml",
    [
      'test/broken/47-reg-fields-overlap.yaml:20:38: "registers.regs.blocks[0].registers[0].fields[2].bits" expected bits not overlapping field "level" (7:4), got 9:7',
    ],
  ],
  [
    "48-reg-reset-too-wide.yaml",
    [
      'test/broken/48-reg-reset-too-wide.yaml:18:51: "registers.regs.blocks[0].registers[0].fields[0].reset" expected a reset value that fits in 4 bits (at most 15), got 16',
    ],
  ],
  [
    "49-registers-overlap.yaml",
    [
      'test/broken/49-registers-overlap.yaml:21:21: "registers.regs.blocks[0].registers[1].offset" expected a register not overlapping register "counter" (0x0..0x7), got register "control" at 0x4..0x7',
    ],
  ],
  [
    "50-register-array-overlaps-next.yaml",
    [
      'test/broken/50-register-array-overlaps-next.yaml:22:21: "registers.regs.blocks[0].registers[1].offset" expected a register not overlapping register "data"[2] (0x8..0xb), got register "status" at 0x8..0xb',
    ],
  ],
  [
    "51-blocks-overlap.yaml",
    [
      'test/broken/51-blocks-overlap.yaml:24:17: "registers.regs.blocks[1].offset" expected a block not overlapping block "control" (0x0..0x7), got block "status" at 0x4..0x7',
    ],
  ],
  [
    "52-register-offset-misaligned.yaml",
    [
      'test/broken/52-register-offset-misaligned.yaml:20:21: "registers.regs.blocks[0].registers[1].offset" expected an offset aligned to 4 bytes (the register width), got 0x6',
    ],
  ],
  [
    "53-regfile-stride-too-small.yaml",
    [
      'test/broken/53-regfile-stride-too-small.yaml:18:21: "registers.regs.blocks[0].registers[0].stride" expected a stride of at least 8 bytes (one element of the register file), got 4',
    ],
  ],
  [
    "54-onread-on-write-only.yaml",
    [
      'test/broken/54-onread-on-write-only.yaml:18:51: "registers.regs.blocks[0].registers[0].fields[0].onread" expected onread only on a software-readable field, got onread: rclr with sw: w',
    ],
  ],
  [
    "55-singlepulse-multi-bit.yaml",
    [
      'test/broken/55-singlepulse-multi-bit.yaml:18:52: "registers.regs.blocks[0].registers[0].fields[0].singlepulse" expected singlepulse only on a writable 1-bit field, got sw: w, 4 bits',
    ],
  ],
  [
    "56-memory-unknown-format.yaml",
    [
      'test/broken/56-memory-unknown-format.yaml:24:21: "registers.regs.blocks[0].registers[0].format" expected a format of this spec (entry), got "entri"',
    ],
  ],
  [
    "57-memory-entry-bytes-mismatch.yaml",
    [
      'test/broken/57-memory-entry-bytes-mismatch.yaml:24:25: "registers.regs.blocks[0].registers[0].entryBytes" expected 12 bytes, the size of format "entry", got 16',
    ],
  ],
  [
    "58-read-only-without-reset.yaml",
    [
      'test/broken/58-read-only-without-reset.yaml:19:52: "registers.regs.blocks[0].registers[0].fields[1].hw" expected a read-only field that hardware writes (hw: w or rw) or a "reset" constant, got sw: r, hw: r and no reset',
    ],
  ],
  [
    "59-three-problems.yaml",
    [
      'test/broken/59-three-problems.yaml:19:35: "formats.frame.fields[1].colour" expected one of name, bits, type, enum, value, ignore, at, doc, source, got unknown key "colour"',
      'test/broken/59-three-problems.yaml:22:5: "formats.ack.fields" expected a layout of whole bytes, got 7 bits past the last byte (7 bits)',
      'test/broken/59-three-problems.yaml:35:82: "registers.regs.blocks[0].registers[0].fields[0].reset" expected a reset value that fits in 1 bit (at most 1), got 2',
    ],
  ],
  [
    "60-broken-enum-no-cascade.yaml",
    [
      'test/broken/60-broken-enum-no-cascade.yaml:10:5: "enums.Kind.bits" expected integer 1..32, got no "bits" key',
      'test/broken/60-broken-enum-no-cascade.yaml:10:5: "enums.Kind.bitz" expected one of bits, values, doc, got unknown key "bitz"',
    ],
  ],
  [
    "61-header-missing-byte-order.yaml",
    [
      'test/broken/61-header-missing-byte-order.yaml:2:1: "byteOrder" expected "big-endian", got no "byteOrder" key',
      'test/broken/61-header-missing-byte-order.yaml:5:11: "bitOrder" expected "msb0", got "lsb0"',
    ],
  ],
  [
    "62-when-bad-value-no-cascade.yaml",
    [
      'test/broken/62-when-bad-value-no-cascade.yaml:17:27: "formats.frame.fields[2].cases[0].when.mode" expected a value that fits field "mode" (2 bits, at most 3), got 4',
      'test/broken/62-when-bad-value-no-cascade.yaml:21:30: "formats.frame.fields[2].cases[1].when.flag" expected a condition on a discriminant (mode), got "flag"',
    ],
  ],
  [
    "63-optional-on-unknown-field.yaml",
    [
      'test/broken/63-optional-on-unknown-field.yaml:14:17: "formats.frame.fields[1].when.flag" expected a field declared earlier on this path, got "flag"',
    ],
  ],
  [
    "64-memory-variable-format.yaml",
    [
      'test/broken/64-memory-variable-format.yaml:25:21: "registers.regs.blocks[0].registers[0].format" expected a format of fixed size for memory entries, got format "record" of variable size',
    ],
  ],
  [
    "65-stride-without-count.yaml",
    [
      'test/broken/65-stride-without-count.yaml:17:13: "registers.regs.blocks[0].registers[0].stride" expected a "count" with "stride" (arrays only), got stride 8 without count',
    ],
  ],
  [
    "66-register-enum-too-wide.yaml",
    [
      'test/broken/66-register-enum-too-wide.yaml:24:50: "registers.regs.blocks[0].registers[0].fields[0].enum" expected an enum of at most 2 bits (the field width), got enum Mode of 4 bits',
    ],
  ],
  [
    "67-tag-clashes-with-field.yaml",
    [
      'test/broken/67-tag-clashes-with-field.yaml:14:14: "formats.frame.fields[1].tag" expected a tag name not used by a field, got "mode" (already used at line 12)',
    ],
  ],
  [
    "68-at-after-payload.yaml",
    [
      'test/broken/68-at-after-payload.yaml:14:36: "formats.packet.fields[2].at" expected no fixed bit offset after a variable-length part, got at: 8',
    ],
  ],
  [
    "69-onwrite-on-read-only.yaml",
    [
      'test/broken/69-onwrite-on-read-only.yaml:18:55: "registers.regs.blocks[0].registers[0].fields[0].onwrite" expected onwrite only on a software-writable field, got onwrite: woclr with sw: r',
    ],
  ],
  [
    "70-duplicate-register-name.yaml",
    [
      'test/broken/70-duplicate-register-name.yaml:19:19: "registers.regs.blocks[0].registers[1].name" expected a name not used before at this level, got "control"',
    ],
  ],
  [
    "71-bad-names-others-still-checked.yaml",
    [
      'test/broken/71-bad-names-others-still-checked.yaml:9:3: "enums.transfer_kind" expected a PascalCase enum name, got "transfer_kind"',
      'test/broken/71-bad-names-others-still-checked.yaml:15:3: "formats.Frame" expected a kebab-case format name, got "Frame"',
      'test/broken/71-bad-names-others-still-checked.yaml:18:38: "formats.Frame.fields[0].enum" expected PascalCase name, got "transfer_kind"',
      'test/broken/71-bad-names-others-still-checked.yaml:24:30: "formats.entry.fields[1].bits" expected 1 for a bool field, got 2',
      'test/broken/71-bad-names-others-still-checked.yaml:36:25: "registers.regs.blocks[0].registers[0].entryBytes" expected 9 bytes, the size of format "entry", got 8',
    ],
  ],
  [
    "72-switch-on-bytes-field.yaml",
    [
      'test/broken/72-switch-on-bytes-field.yaml:13:17: "formats.frame.fields[1].switch" expected a uint, enum or bool field as discriminant, got bytes field "magic"',
    ],
  ],
  [
    "73-two-problems-on-one-token.yaml",
    [
      'test/broken/73-two-problems-on-one-token.yaml:18:29: "formats.frame.fields[0].bits" expected at most 64 bits for an enum field, got 65',
      'test/broken/73-two-problems-on-one-token.yaml:18:29: "formats.frame.fields[0].bits" expected 4 bits, the width of enum Kind, got 65',
      'test/broken/73-two-problems-on-one-token.yaml:23:32: "formats.ack.fields[0].tipe" expected one of name, bits, type, enum, value, ignore, at, doc, source, got unknown key "tipe"',
    ],
  ],
  [
    "74-payload-length-typo.yaml",
    [
      'test/broken/74-payload-length-typo.yaml:13:50: "formats.packet.fields[1].length.unti" expected one of field, unit, zeroMeans, got unknown key "unti"',
    ],
  ],
  [
    "75-case-ruled-out-by-enclosing-case.yaml",
    [
      'test/broken/75-case-ruled-out-by-enclosing-case.yaml:24:27: "formats.frame.fields[1].cases[0].fields[0].cases[1].name" expected a case reachable by some discriminant value, got case "two" ruled out by other conditions of the format',
      'test/broken/75-case-ruled-out-by-enclosing-case.yaml:28:27: "formats.frame.fields[1].cases[0].fields[1].optional" expected an optional part present for some discriminant value, got "extra" ruled out by other conditions of the format',
    ],
  ],
  [
    "76-case-ruled-out-by-later-switch.yaml",
    [
      'test/broken/76-case-ruled-out-by-later-switch.yaml:20:19: "formats.frame.fields[1].cases[1].name" expected a case reachable by some discriminant value, got case "write" ruled out by other conditions of the format',
    ],
  ],
  [
    "77-clashing-type-names.yaml",
    [
      'test/broken/77-clashing-type-names.yaml:31:3: "formats.frame-read" expected a name whose generated type is not taken, got type FrameRead of format "frame-read" (taken by variant "read" of format "frame")',
      'test/broken/77-clashing-type-names.yaml:35:3: "formats.kind" expected a name whose generated type is not taken, got type Kind of format "kind" (taken by enum Kind)',
    ],
  ],
  [
    "78-memory-unknown-format-id.yaml",
    [
      'test/broken/78-memory-unknown-format-id.yaml:24:21: "registers.regs.blocks[0].registers[0].format" expected a format of this spec or the id of a format of a spec loaded with it (test.entry), got "other.entry"',
    ],
  ],
];

function diagnosticsOf(file: string): string[] {
  const name = `${dir}/${file}`;
  try {
    loadSpecText(readFileSync(`${root}${name}`, "utf8"), name);
  } catch (e) {
    if (e instanceof SpecError) return e.diagnostics.map((d) => d.message);
    throw e;
  }
  return [];
}

describe("broken spec corpus", () => {
  it("has one row per corpus file, in file order", () => {
    const files = readdirSync(`${root}${dir}`)
      .filter((f) => f.endsWith(".yaml"))
      .sort();
    expect(corpus.map(([f]) => f)).toEqual(files);
    expect(files.every((f) => /^\d\d-[a-z0-9-]+\.yaml$/.test(f))).toBe(true);
  });

  it.each(corpus)("%s", (file, messages) => {
    expect(diagnosticsOf(file)).toEqual(messages);
  });

  it.each(corpus)("%s: every position is on a token of the file", (file, messages) => {
    const lines = readFileSync(`${root}${dir}/${file}`, "utf8").split("\n");
    for (const m of messages) {
      const at = /^test\/broken\/([^:]+):(\d+):(\d+): /.exec(m);
      expect(at?.[1]).toBe(file);
      const line = lines[Number(at?.[2]) - 1] ?? "";
      expect(line.charAt(Number(at?.[3]) - 1)).toMatch(/\S/);
    }
  });
});
