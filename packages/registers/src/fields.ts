/**
 * Field arithmetic on register values, and the access rules a driver must follow
 * (SystemRDL 2.0 §9.4–9.8): which fields may be read back, which may be written, and what a
 * write must put in the fields it does not mean to change.
 *
 * Register values are unsigned 32-bit numbers (`0 … 0xFFFF_FFFF`); field bits are numbered
 * LSB 0.
 *
 * @module
 */
import { RegisterAccessError, RegisterValueError } from "./errors.js";
import type { RegisterFieldInfo, RegisterInfo } from "./info.js";

/** A decoded field value: a boolean for 1-bit fields, an enum member name (or the raw number when no member matches) for enumerated fields, otherwise a number. */
export type FieldValue = number | boolean | string;

/** Width in bits of a field. */
export function fieldWidth(field: RegisterFieldInfo): number {
  return field.msb - field.lsb + 1;
}

/** Mask of a field in its register (e.g. `0x0000_00F0` for bits 7:4). */
export function fieldMask(field: RegisterFieldInfo): number {
  const w = fieldWidth(field);
  return (w >= 32 ? 0xffff_ffff : ((1 << w) - 1) << field.lsb) >>> 0;
}

/** Raw value of a field, extracted from a register value. */
export function fieldRaw(field: RegisterFieldInfo, registerValue: number): number {
  return ((registerValue & fieldMask(field)) >>> field.lsb) >>> 0;
}

/** `registerValue` with the field replaced by `raw` (which must fit; see {@link encodeFieldValue}). */
export function withFieldRaw(field: RegisterFieldInfo, registerValue: number, raw: number): number {
  const m = fieldMask(field);
  return ((registerValue & ~m) | ((raw << field.lsb) & m)) >>> 0;
}

/** Whether the field is shown as a boolean: one bit wide and not enumerated. */
export function isFlagField(field: RegisterFieldInfo): boolean {
  return field.msb === field.lsb && field.enumMembers === undefined;
}

/** The decoded value of a raw field value (see {@link FieldValue}). */
export function decodeFieldValue(field: RegisterFieldInfo, raw: number): FieldValue {
  if (field.enumMembers !== undefined) {
    const m = field.enumMembers.find((e) => e.value === raw);
    return m === undefined ? raw : m.name;
  }
  return isFlagField(field) ? raw !== 0 : raw;
}

/**
 * The raw value of a decoded field value: a boolean (1-bit fields), a member name of the
 * field's enum, or a number that fits the field.
 *
 * @param path - register path, for the error message
 * @throws RegisterValueError when the value does not fit or names no member
 */
export function encodeFieldValue(field: RegisterFieldInfo, value: unknown, path: string): number {
  // The field's path is built only for an error (a string per write costs more than the write).
  const where = (): string => `${path}.${field.name}`;
  const width = fieldWidth(field);
  if (typeof value === "boolean") {
    if (width !== 1) throw new RegisterValueError(where(), `a ${width}-bit number`, String(value));
    return value ? 1 : 0;
  }
  if (typeof value === "string") {
    const m = field.enumMembers?.find((e) => e.name === value);
    if (m === undefined)
      throw new RegisterValueError(
        where(),
        field.enumMembers === undefined
          ? `a ${width}-bit number`
          : `one of ${field.enumMembers.map((e) => e.name).join(", ")} or a ${width}-bit number`,
        JSON.stringify(value),
      );
    return m.value;
  }
  const max = 2 ** width - 1;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max)
    throw new RegisterValueError(
      where(),
      `an integer 0..${max}`,
      typeof value === "number" ? String(value) : typeof value,
    );
  return value;
}

/** Whether software may read the field's value (SystemRDL sw `r`, `rw`, `rw1`). */
export function isReadableField(field: RegisterFieldInfo): boolean {
  return field.sw === "r" || field.sw === "rw" || field.sw === "rw1";
}

/** Whether software may write the field (SystemRDL sw `w`, `rw`, `w1`, `rw1`). */
export function isWritableField(field: RegisterFieldInfo): boolean {
  return field.sw === "w" || field.sw === "rw" || field.sw === "w1" || field.sw === "rw1";
}

/**
 * The value a write must put in a field it does not mean to change, when one exists without
 * reading the register: 0 for read-only fields and for fields whose write side effect is
 * triggered by ones (`woclr`, `woset`, `wot`, `singlepulse`), all ones for those triggered by
 * zeros (`wzc`, `wzs`, `wzt`). `undefined` when no value is neutral: plain storage (it must be
 * read back), or `wclr`/`wset`, which any write triggers.
 */
export function neutralWriteRaw(field: RegisterFieldInfo): number | undefined {
  if (!isWritableField(field)) return 0;
  if (field.singlepulse === true) return 0;
  switch (field.onwrite) {
    case "woclr":
    case "woset":
    case "wot":
      return 0;
    case "wzc":
    case "wzs":
    case "wzt":
      return 2 ** fieldWidth(field) - 1;
    default:
      // plain storage, or wclr/wset which any write triggers
      return undefined;
  }
}

/** Whether a software read of the register changes it (a field with `onread`). */
export function readHasSideEffects(register: RegisterInfo): boolean {
  return register.fields.some((f) => f.onread !== undefined);
}

/** The result of {@link planFieldWrite}. */
export interface FieldWritePlan {
  /** Bits to keep from a read of the register; 0 when no read is needed. */
  readonly keepMask: number;
  /** Bits to write in the positions not kept and not being written. */
  readonly base: number;
}

/**
 * How to write some fields of a register and leave the others as they are: which raw bits to
 * keep from a read of the register (`keepMask`, zero when no read is needed) and the bits to
 * write in every other position (`base`). The plan never writes back a value read from a
 * side-effect field (so a pending write-one-to-clear bit is not cleared by accident), and never
 * reads a register whose read has side effects.
 *
 * @param register - the register
 * @param path - its path, for errors
 * @param changing - names of the fields being written
 * @throws RegisterAccessError when the write cannot leave the other fields unchanged
 */
export function planFieldWrite(
  register: RegisterInfo,
  path: string,
  changing: ReadonlySet<string>,
): FieldWritePlan {
  let keepMask = 0;
  let base = 0;
  for (const f of register.fields) {
    if (changing.has(f.name)) {
      if (!isWritableField(f))
        throw new RegisterAccessError(path, f.name, `software access is "${f.sw}", not writable`);
      continue;
    }
    const neutral = neutralWriteRaw(f);
    if (neutral !== undefined) {
      base = withFieldRaw(f, base, neutral);
      continue;
    }
    if (f.onwrite === "wclr" || f.onwrite === "wset")
      throw new RegisterAccessError(
        path,
        f.name,
        `any write to the register ${f.onwrite === "wclr" ? "clears" : "sets"} it (onwrite ${f.onwrite}); write the whole register`,
      );
    if (!isReadableField(f))
      throw new RegisterAccessError(
        path,
        f.name,
        `write-only field cannot be read back to preserve it; write the whole register`,
      );
    keepMask = (keepMask | fieldMask(f)) >>> 0;
  }
  if (keepMask !== 0 && readHasSideEffects(register)) {
    const culprit = register.fields.find((f) => f.onread !== undefined)!;
    throw new RegisterAccessError(
      path,
      culprit.name,
      `reading the register has a side effect (onread ${culprit.onread}); no read-modify-write, write the whole register`,
    );
  }
  return { keepMask, base };
}

/** Decoded fields of a register value: readable fields only (write-only fields never read back). */
export function decodeRegisterValue(
  register: RegisterInfo,
  value: number,
): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const f of register.fields)
    if (isReadableField(f)) out[f.name] = decodeFieldValue(f, fieldRaw(f, value));
  return out;
}

/**
 * A register value from named fields. Fields not given take their reset value (0 when the spec
 * gives none).
 *
 * @param path - register path, for errors
 * @throws RegisterValueError for an unknown field name or a value that does not fit
 */
export function encodeRegisterValue(
  register: RegisterInfo,
  fields: Readonly<Record<string, unknown>>,
  path: string,
): number {
  let v = resetValue(register);
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const f = register.fields.find((x) => x.name === name);
    if (f === undefined)
      throw new RegisterValueError(
        `${path}.${name}`,
        `a field of ${register.name} (${register.fields.map((x) => x.name).join(", ")})`,
        "an unknown field",
      );
    v = withFieldRaw(f, v, encodeFieldValue(f, value, path));
  }
  return v;
}

/** The register's value after reset (fields without a reset value count as 0). */
export function resetValue(register: RegisterInfo): number {
  let v = 0;
  for (const f of register.fields) if (f.reset !== undefined) v = withFieldRaw(f, v, f.reset);
  return v;
}
