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
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** One loaded spec file. */
export interface SpecModel {
  /** Dotted spec id, e.g. `rashpa.descriptors`. */
  readonly id: string;
  /** Path of the spec file as given to the loader (relative to the repository root). */
  readonly file: string;
  readonly title: string;
  readonly doc: string;
  readonly source: string;
  /** Workspace package (directory under `packages/`) that receives the generated code. */
  readonly package: string;
  /** Prefix of every format id in this spec (`rashpa` → `rashpa.btd`). */
  readonly idPrefix: string;
  readonly byteOrder: "big-endian";
  readonly bitOrder: "msb0";
  readonly enums: readonly EnumModel[];
  readonly formats: readonly FormatModel[];
  readonly registerMaps: readonly RegisterMapModel[];
}

/** A named set of values for an enum-typed field. */
export interface EnumModel {
  /** PascalCase name, used for the generated TS type. */
  readonly name: string;
  /** Width in bits of the fields that use it. */
  readonly bits: number;
  readonly doc: string;
  readonly values: readonly EnumValueModel[];
  readonly loc: SourceLoc;
}

/** One member of an {@link EnumModel}. */
export interface EnumValueModel {
  /** kebab-case name; this is the value seen in TypeScript and JSON. */
  readonly name: string;
  readonly value: number;
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
  readonly title: string;
  readonly doc: string;
  readonly source: string;
  readonly items: readonly ItemModel[];
  readonly loc: SourceLoc;
}

/** An element of a format's layout. */
export type ItemModel = FieldModel | SwitchModel | PayloadModel;

/** A fixed-width field. */
export interface FieldModel {
  readonly kind: "field";
  /** camelCase name: the property name in TypeScript and JSON. */
  readonly name: string;
  readonly bits: number;
  readonly type: FieldType;
  /** The enum of an `enum` field. */
  readonly enum: EnumModel | undefined;
  /** Required value of `reserved` and `const` fields. */
  readonly value: bigint | undefined;
  /** For `reserved` fields: accept any value on decode instead of requiring {@link value}. */
  readonly ignore: boolean;
  readonly doc: string;
  readonly source: string;
  readonly loc: SourceLoc;
}

/**
 * A choice between layouts keyed by earlier fields (discriminated variants), or an
 * optional part (`optional: true`: one case, absent when its condition does not hold).
 */
export interface SwitchModel {
  readonly kind: "switch";
  /** Name of the switch: the optional part's name, or the tag for variants. */
  readonly name: string;
  /** Discriminant field names (declared earlier on the same path). */
  readonly on: readonly string[];
  /** Property that holds the case name in decoded values, if any. */
  readonly tag: string | undefined;
  readonly optional: boolean;
  readonly cases: readonly CaseModel[];
  readonly doc: string;
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
  readonly items: readonly ItemModel[];
  readonly doc: string;
  readonly loc: SourceLoc;
}

/** How the length of a payload is found. */
export type PayloadLength =
  | {
      readonly kind: "field";
      /** uint field declared earlier on the same path. */
      readonly field: string;
      /** Bytes per count of the length field. */
      readonly unit: number;
      /** Count meant by a length-field value of 0 (PCIe: 0 means 1024 DW), if any. */
      readonly zeroMeans: number | undefined;
    }
  | { readonly kind: "remainder" };

/** A variable-length byte payload. */
export interface PayloadModel {
  readonly kind: "payload";
  readonly name: string;
  readonly length: PayloadLength;
  /** Upper bound used by generated arbitraries (and by encoders for remainder payloads). */
  readonly maxBytes: number;
  readonly doc: string;
  readonly source: string;
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
  readonly name: string;
  readonly title: string;
  readonly doc: string;
  /** Register width in bits (default 32). */
  readonly width: number;
  readonly bitOrder: "lsb0";
  readonly blocks: readonly BlockModel[];
  readonly loc: SourceLoc;
}

/** A contiguous group of registers at a base offset. */
export interface BlockModel {
  readonly name: string;
  readonly offset: number;
  readonly doc: string;
  readonly nodes: readonly RegNodeModel[];
  readonly loc: SourceLoc;
}

/** An element of a block. */
export type RegNodeModel = RegisterModel | RegFileModel | MemoryModel;

/** A register, or an array of registers when `count` > 1. */
export interface RegisterModel {
  readonly kind: "register";
  readonly name: string;
  /** Byte offset from the enclosing block or register file. */
  readonly offset: number;
  readonly count: number;
  /** Byte distance between array elements. */
  readonly stride: number;
  readonly width: number;
  readonly doc: string;
  readonly fields: readonly RegFieldModel[];
  readonly loc: SourceLoc;
}

/** A group of registers repeated `count` times every `stride` bytes. */
export interface RegFileModel {
  readonly kind: "regfile";
  readonly name: string;
  readonly offset: number;
  readonly count: number;
  readonly stride: number;
  /** Bytes covered by one element. */
  readonly size: number;
  readonly doc: string;
  readonly registers: readonly RegisterModel[];
  readonly loc: SourceLoc;
}

/** A table of entries (SystemRDL `mem`), e.g. the ATU. */
export interface MemoryModel {
  readonly kind: "memory";
  readonly name: string;
  readonly offset: number;
  readonly entries: number;
  readonly entryBytes: number;
  /** Format (in the same spec) of one entry, if declared. */
  readonly format: string | undefined;
  readonly sw: SwAccess;
  readonly doc: string;
  readonly loc: SourceLoc;
}

/** A field of a register. */
export interface RegFieldModel {
  readonly name: string;
  readonly msb: number;
  readonly lsb: number;
  readonly sw: SwAccess;
  readonly hw: HwAccess;
  readonly onread: OnRead | undefined;
  readonly onwrite: OnWrite | undefined;
  readonly singlepulse: boolean;
  readonly reset: bigint | undefined;
  readonly enum: EnumModel | undefined;
  readonly doc: string;
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
