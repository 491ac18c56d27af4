/**
 * The run-time description of a register map, as `@rashpa/codegen` emits it for every
 * `registers:` map of a spec (`src/gen/<spec>.ts`, constant `<MAP>_MAP`). It carries exactly
 * what access needs: offsets, array strides, field positions (LSB 0), SystemRDL access
 * properties, reset values and enum members.
 *
 * Vocabulary: SystemRDL 2.0 (Accellera, 2018) — `sw`/`hw` access (§9.4), `onread`/`onwrite`
 * side effects (§9.6), `singlepulse` (§9.8), `encode` enums (§6.2).
 *
 * @module
 */

/** SystemRDL software access of a field (SystemRDL 2.0 §9.4). */
export type SwAccess = "r" | "w" | "rw" | "w1" | "rw1" | "na";
/** SystemRDL hardware access of a field. */
export type HwAccess = "r" | "w" | "rw" | "na";
/** SystemRDL `onread` side effect: clear or set the field when software reads it. */
export type OnRead = "rclr" | "rset";
/**
 * SystemRDL `onwrite` side effect (SystemRDL 2.0 §9.6): write-one-to-clear/-set/-toggle
 * (`woclr`, `woset`, `wot`), write-zero-to-set/-clear/-toggle (`wzs`, `wzc`, `wzt`), and
 * clear/set on any write (`wclr`, `wset`).
 */
export type OnWrite = "woclr" | "woset" | "wot" | "wzs" | "wzc" | "wzt" | "wclr" | "wset";

/** A named value of an enumerated field. */
export interface EnumMemberInfo {
  /** Member name, as in the spec. */
  readonly name: string;
  /** Raw field value. */
  readonly value: number;
}

/** A field of a register. */
export interface RegisterFieldInfo {
  /** camelCase name, unique in the register. */
  readonly name: string;
  /** Most significant bit (LSB 0). */
  readonly msb: number;
  /** Least significant bit (LSB 0). */
  readonly lsb: number;
  /** Software access. */
  readonly sw: SwAccess;
  /** Hardware access. */
  readonly hw: HwAccess;
  /** Side effect of a software read, if any. */
  readonly onread?: OnRead;
  /** Side effect of a software write, if any. */
  readonly onwrite?: OnWrite;
  /** Writing 1 sets the field for one cycle only (SystemRDL `singlepulse`). */
  readonly singlepulse?: true;
  /** Value after reset, when the spec gives one. */
  readonly reset?: number;
  /** Enum naming the field's values, if any. */
  readonly enumName?: string;
  /** Members of that enum. */
  readonly enumMembers?: readonly EnumMemberInfo[];
  /** One-line description. */
  readonly doc: string;
}

/** A register, or an array of `count` registers every `stride` bytes. */
export interface RegisterInfo {
  /** Discriminant of {@link RegisterNodeInfo}. */
  readonly kind: "register";
  /** kebab-case name from the spec. */
  readonly name: string;
  /** Byte offset from the enclosing block or register-file element. */
  readonly offset: number;
  /** Number of array elements (1 for a single register). */
  readonly count: number;
  /** Byte distance between array elements. */
  readonly stride: number;
  /** Width in bits. */
  readonly width: number;
  /** One-line description. */
  readonly doc: string;
  /** Fields, in declaration order. */
  readonly fields: readonly RegisterFieldInfo[];
}

/** A group of registers repeated `count` times every `stride` bytes. */
export interface RegFileInfo {
  /** Discriminant of {@link RegisterNodeInfo}. */
  readonly kind: "regfile";
  /** kebab-case name from the spec. */
  readonly name: string;
  /** Byte offset of element 0 from the enclosing block. */
  readonly offset: number;
  /** Number of elements. */
  readonly count: number;
  /** Byte distance between elements. */
  readonly stride: number;
  /** One-line description. */
  readonly doc: string;
  /** Registers of one element, offsets relative to the element. */
  readonly registers: readonly RegisterInfo[];
}

/** A table of equal entries (SystemRDL `mem`), such as an address translation table. */
export interface MemoryInfo {
  /** Discriminant of {@link RegisterNodeInfo}. */
  readonly kind: "memory";
  /** kebab-case name from the spec. */
  readonly name: string;
  /** Byte offset from the enclosing block. */
  readonly offset: number;
  /** Number of entries. */
  readonly entries: number;
  /** Bytes per entry. */
  readonly entryBytes: number;
  /** Id of the format of one entry (e.g. `rashpa.atu-entry`), if the spec names one. */
  readonly format?: string;
  /** Software access to the entries. */
  readonly sw: SwAccess;
  /** One-line description. */
  readonly doc: string;
}

/** An element of a block. */
export type RegisterNodeInfo = RegisterInfo | RegFileInfo | MemoryInfo;

/** A contiguous group of registers at a base offset. */
export interface BlockInfo {
  /** kebab-case name from the spec. */
  readonly name: string;
  /** Byte offset from the base of the map. */
  readonly offset: number;
  /** One-line description. */
  readonly doc: string;
  /** Registers, register files and memories. */
  readonly nodes: readonly RegisterNodeInfo[];
}

/** A whole register map. */
export interface RegisterMapInfo {
  /** Global id: `<idPrefix>.<map name>`, e.g. `pcie.config-space`. */
  readonly id: string;
  /** Human-readable title. */
  readonly title: string;
  /** Register width in bits of the map. */
  readonly width: number;
  /** Spec file the map comes from, relative to the repository root. */
  readonly spec: string;
  /** Blocks in declaration order. */
  readonly blocks: readonly BlockInfo[];
}
