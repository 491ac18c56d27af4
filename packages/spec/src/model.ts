/**
 * The normalised spec model: what every generator reads after a spec file has passed the
 * structural (io-ts) and semantic checks. Nothing here refers back to YAML except the
 * {@link SourceLoc} kept on each element for messages.
 *
 * Conventions (stated once here, restated in every spec file):
 * - Formats are bit-packed, big-endian, and numbered MSB-first: bit 0 is the most
 *   significant bit of byte 0 (as in RapidIO 4.1 Part 1 §1.3 and the PCIe TLP figures).
 * - Register fields are numbered LSB-first (bit 0 = least significant bit of the register),
 *   as in SystemRDL 2.0 §9.
 *
 * @module
 */

/** Where an element was written: 1-based line and column in the spec file. */
export interface SourceLoc {
  /** Spec file path as given to the loader (relative to the repository root). */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly col: number;
}

/** One loaded spec file. */
export interface SpecModel {
  /** Dotted spec id, e.g. `rashpa.descriptors`. */
  readonly id: string;
  /** Path of the spec file as given to the loader (relative to the repository root). */
  readonly file: string;
  /** Human-readable title of the spec (`title`). */
  readonly title: string;
  /** What the file describes (`doc`); empty when absent. */
  readonly doc: string;
  /** Where the layouts come from, documents or RTL (`source`); empty when absent. */
  readonly source: string;
  /** Workspace package (directory under `packages/`) that receives the generated code. */
  readonly package: string;
  /** Prefix of every format id in this spec (`rashpa` → `rashpa.btd`). */
  readonly idPrefix: string;
  /** Byte order of multi-byte format fields: always big-endian. */
  readonly byteOrder: "big-endian";
  /** Bit numbering of formats: always MSB 0 (bit 0 is the most significant bit of byte 0). */
  readonly bitOrder: "msb0";
  /** Enums, in file order. */
  readonly enums: readonly EnumModel[];
  /** Formats, in file order. */
  readonly formats: readonly FormatModel[];
  /** Register maps, in file order. */
  readonly registerMaps: readonly RegisterMapModel[];
}

/** A named set of values for an enum-typed field. */
export interface EnumModel {
  /** PascalCase name, used for the generated TS type. */
  readonly name: string;
  /** Width in bits of the fields that use it. */
  readonly bits: number;
  /** Description (`doc`); empty when absent. */
  readonly doc: string;
  /** Members in declaration order; names and values are unique and values fit in {@link bits}. */
  readonly values: readonly EnumValueModel[];
  /** Where the enum is declared (its key under `enums`). */
  readonly loc: SourceLoc;
}

/** One member of an {@link EnumModel}. */
export interface EnumValueModel {
  /** kebab-case name; this is the value seen in TypeScript and JSON. */
  readonly name: string;
  /** Raw value on the wire (or in the register field). */
  readonly value: number;
  /** Description (`doc`); empty when absent. */
  readonly doc: string;
}

/** Field types of a bit-packed format. */
export type FieldType = "uint" | "bool" | "enum" | "reserved" | "const" | "bytes";

/** A bit-packed format (packet, header, descriptor, record). */
export interface FormatModel {
  /** kebab-case name inside the spec, e.g. `btd`. */
  readonly name: string;
  /** Global format id, `<idPrefix>.<name>`, e.g. `rashpa.btd`. */
  readonly id: string;
  /** Human-readable title (`title`), e.g. `Address Translation Unit entry`. */
  readonly title: string;
  /** Description (`doc`); empty when absent. */
  readonly doc: string;
  /** Where the layout is defined, e.g. a document section (`source`); empty when absent. */
  readonly source: string;
  /** The layout: fields, switches, optional parts and payloads in wire order. */
  readonly items: readonly ItemModel[];
  /** Where the format is declared (its key under `formats`). */
  readonly loc: SourceLoc;
}

/** An element of a format's layout. */
export type ItemModel = FieldModel | SwitchModel | PayloadModel;

/** A fixed-width field. */
export interface FieldModel {
  /** Discriminant of {@link ItemModel}. */
  readonly kind: "field";
  /** camelCase name: the property name in TypeScript and JSON. */
  readonly name: string;
  /** Width in bits (1 for `bool`, a multiple of 8 for `bytes`, at most 64 otherwise). */
  readonly bits: number;
  /** Field type: as written, else `enum` when an enum is given, else `uint`. */
  readonly type: FieldType;
  /** The enum of an `enum` field. */
  readonly enum: EnumModel | undefined;
  /** Required value of `reserved` and `const` fields. */
  readonly value: bigint | undefined;
  /** For `reserved` fields: accept any value on decode instead of requiring {@link value}. */
  readonly ignore: boolean;
  /** Description (`doc`); empty when absent. */
  readonly doc: string;
  /** Where the field is defined, e.g. a document section (`source`); empty when absent. */
  readonly source: string;
  /** Where the field is written. */
  readonly loc: SourceLoc;
}

/**
 * A choice between layouts keyed by earlier fields (discriminated variants), or an
 * optional part (`optional: true`: one case, absent when its condition does not hold).
 */
export interface SwitchModel {
  /** Discriminant of {@link ItemModel}. */
  readonly kind: "switch";
  /** Name of the switch: the optional part's name, or the tag for variants. */
  readonly name: string;
  /** Discriminant field names (declared earlier on the same path). */
  readonly on: readonly string[];
  /** Property that holds the case name in decoded values, if any. */
  readonly tag: string | undefined;
  /** Whether this is an optional part rather than a switch between variants. */
  readonly optional: boolean;
  /** Cases in order: the first whose condition holds is taken. An optional part has one. */
  readonly cases: readonly CaseModel[];
  /** Description (`doc`); empty when absent. */
  readonly doc: string;
  /** Where the switch or optional part is written. */
  readonly loc: SourceLoc;
}

/** One alternative of a {@link SwitchModel}. */
export interface CaseModel {
  /** kebab-case case name. */
  readonly name: string;
  /**
   * Condition: for each discriminant field, the accepted raw values (enum members and
   * booleans already turned into numbers). A field missing here accepts any value. An
   * empty object is the default case.
   */
  readonly when: Readonly<Record<string, readonly number[]>>;
  /** Layout items of this case, in wire order (after the items before the switch). */
  readonly items: readonly ItemModel[];
  /** Description (`doc`); empty when absent. */
  readonly doc: string;
  /** Where the case is written (for an optional part: the optional part itself). */
  readonly loc: SourceLoc;
}

/** How the length of a payload is found. */
export type PayloadLength =
  | {
      /** Length taken from an earlier field: `field` × `unit` bytes. */
      readonly kind: "field";
      /** uint field declared earlier on the same path. */
      readonly field: string;
      /** Bytes per count of the length field. */
      readonly unit: number;
      /** Count meant by a length-field value of 0 (PCIe: 0 means 1024 DW), if any. */
      readonly zeroMeans: number | undefined;
    }
  | {
      /** Every byte up to the fixed fields that follow the payload (a trailing CRC, say). */
      readonly kind: "remainder";
    };

/** A variable-length byte payload. */
export interface PayloadModel {
  /** Discriminant of {@link ItemModel}. */
  readonly kind: "payload";
  /** camelCase name: the property that holds the bytes in TypeScript and JSON. */
  readonly name: string;
  /** How the payload's length in bytes is found. */
  readonly length: PayloadLength;
  /** Upper bound used by generated arbitraries (and by encoders for remainder payloads). */
  readonly maxBytes: number;
  /** Description (`doc`); empty when absent. */
  readonly doc: string;
  /** Where the payload is defined, e.g. a document section (`source`); empty when absent. */
  readonly source: string;
  /** Where the payload is written. */
  readonly loc: SourceLoc;
}

/** SystemRDL software access (SystemRDL 2.0 §9.4). */
export type SwAccess = "r" | "w" | "rw" | "w1" | "rw1" | "na";
/** SystemRDL hardware access. */
export type HwAccess = "r" | "w" | "rw" | "na";
/** SystemRDL `onread` side effects. */
export type OnRead = "rclr" | "rset";
/** SystemRDL `onwrite` side effects. */
export type OnWrite = "woclr" | "woset" | "wot" | "wzs" | "wzc" | "wzt" | "wclr" | "wset";

/** An address map of registers, register files and memories. */
export interface RegisterMapModel {
  /** kebab-case name (its key under `registers`). */
  readonly name: string;
  /** Human-readable title (`title`). */
  readonly title: string;
  /** Description (`doc`); empty when absent. */
  readonly doc: string;
  /** Register width in bits (default 32). */
  readonly width: number;
  /** Bit numbering of register fields: always LSB 0 (bit 0 is the least significant bit). */
  readonly bitOrder: "lsb0";
  /** Blocks in declaration order; they do not overlap. */
  readonly blocks: readonly BlockModel[];
  /** Where the map is declared (its key under `registers`). */
  readonly loc: SourceLoc;
}

/** A contiguous group of registers at a base offset. */
export interface BlockModel {
  /** kebab-case name, unique in the map. */
  readonly name: string;
  /** Byte offset from the base of the register map. */
  readonly offset: number;
  /** Description (`doc`); empty when absent. */
  readonly doc: string;
  /** Registers, register files and memories in declaration order; they do not overlap. */
  readonly nodes: readonly RegNodeModel[];
  /** Where the block is written. */
  readonly loc: SourceLoc;
}

/** An element of a block. */
export type RegNodeModel = RegisterModel | RegFileModel | MemoryModel;

/** A register, or an array of registers when `count` > 1. */
export interface RegisterModel {
  /** Discriminant of {@link RegNodeModel}. */
  readonly kind: "register";
  /** kebab-case name, unique at its level. */
  readonly name: string;
  /** Byte offset from the enclosing block or register file. */
  readonly offset: number;
  /** Number of array elements (1 for a single register). */
  readonly count: number;
  /** Byte distance between array elements. */
  readonly stride: number;
  /** Width in bits: 8, 16, 32 or 64 (the map's width unless overridden). */
  readonly width: number;
  /** Description (`doc`); empty when absent. */
  readonly doc: string;
  /** Fields in declaration order; they do not overlap. */
  readonly fields: readonly RegFieldModel[];
  /** Where the register is written. */
  readonly loc: SourceLoc;
}

/** A group of registers repeated `count` times every `stride` bytes. */
export interface RegFileModel {
  /** Discriminant of {@link RegNodeModel}. */
  readonly kind: "regfile";
  /** kebab-case name, unique at its level. */
  readonly name: string;
  /** Byte offset of the first element from the enclosing block. */
  readonly offset: number;
  /** Number of elements. */
  readonly count: number;
  /** Byte distance between elements (at least {@link size}). */
  readonly stride: number;
  /** Bytes covered by one element. */
  readonly size: number;
  /** Description (`doc`); empty when absent. */
  readonly doc: string;
  /** Registers of one element, with offsets from the start of the element. */
  readonly registers: readonly RegisterModel[];
  /** Where the register file is written. */
  readonly loc: SourceLoc;
}

/** A table of entries (SystemRDL `mem`), e.g. the ATU. */
export interface MemoryModel {
  /** Discriminant of {@link RegNodeModel}. */
  readonly kind: "memory";
  /** kebab-case name, unique at its level. */
  readonly name: string;
  /** Byte offset from the enclosing block. */
  readonly offset: number;
  /** Number of entries. */
  readonly entries: number;
  /** Bytes per entry (the size of {@link format} when one is given). */
  readonly entryBytes: number;
  /**
   * Global id (`<idPrefix>.<name>`, e.g. `rashpa.atu-entry`) of the format of one entry, if
   * declared: a format of the same spec named by name or id, or of another spec loaded with it
   * named by id.
   */
  readonly format: string | undefined;
  /** Software access to the entries (default `rw`). */
  readonly sw: SwAccess;
  /** Description (`doc`); empty when absent. */
  readonly doc: string;
  /** Where the memory is written. */
  readonly loc: SourceLoc;
}

/** A field of a register. */
export interface RegFieldModel {
  /** camelCase name, unique in the register. */
  readonly name: string;
  /** Most significant bit, numbered LSB 0 (bit 0 is the register's least significant bit). */
  readonly msb: number;
  /** Least significant bit, numbered LSB 0; equal to {@link msb} for a 1-bit field. */
  readonly lsb: number;
  /** Software access (default `rw`). */
  readonly sw: SwAccess;
  /** Hardware access (default `r`). */
  readonly hw: HwAccess;
  /** Side effect of a software read on the field, or `undefined` for none. */
  readonly onread: OnRead | undefined;
  /** Side effect of a software write on the field, or `undefined` for a plain write. */
  readonly onwrite: OnWrite | undefined;
  /** Whether writing 1 sets the field for one clock cycle only (SystemRDL `singlepulse`). */
  readonly singlepulse: boolean;
  /** Value after reset (fits the field), or `undefined` when not specified. */
  readonly reset: bigint | undefined;
  /** Enum that names the field's values (SystemRDL `encode`), if any. */
  readonly enum: EnumModel | undefined;
  /** Description (`doc`); empty when absent. */
  readonly doc: string;
  /** Where the field is written. */
  readonly loc: SourceLoc;
}

/** Byte size of one element of a register-map node. */
export function nodeElementBytes(node: RegNodeModel): number {
  switch (node.kind) {
    case "register":
      return node.width / 8;
    case "regfile":
      return node.size;
    case "memory":
      return node.entries * node.entryBytes;
  }
}

/** Number of repetitions of a register-map node. */
export function nodeCount(node: RegNodeModel): number {
  return node.kind === "memory" ? 1 : node.count;
}
