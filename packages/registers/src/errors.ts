/**
 * Typed errors of the register runtime. Each has a stable `name` and says which register (by
 * its path in the map, e.g. `bgu.channel[2].control`) and field are involved.
 *
 * @module
 */

/**
 * An access that the field's SystemRDL properties forbid or make unsafe: reading a
 * write-only field, writing a read-only one, or a read-modify-write that would trigger a side
 * effect (a clear-on-read register) or lose a value (a write-only neighbour).
 */
export class RegisterAccessError extends Error {
  /** Stable error name. */
  override readonly name = "RegisterAccessError";
  /**
   * @param path - register path in the map
   * @param field - field name, or `undefined` for the whole register
   * @param reason - what is wrong, as a sentence fragment
   */
  constructor(
    /** Register path in the map (`block.register[i]`). */
    readonly path: string,
    /** Field involved, if any. */
    readonly field: string | undefined,
    /** What is wrong. */
    readonly reason: string,
  ) {
    super(`${field === undefined ? path : `${path}.${field}`}: ${reason}`);
  }
}

/** A value that does not fit a field or register, or a name that is not a member of its enum. */
export class RegisterValueError extends Error {
  /** Stable error name. */
  override readonly name = "RegisterValueError";
  /**
   * @param path - register path (and field) involved
   * @param expected - what was expected
   * @param found - what was given
   */
  constructor(
    /** Register path, with `.field` when a field is involved. */
    readonly path: string,
    /** What was expected. */
    readonly expected: string,
    /** What was given, rendered for humans. */
    readonly found: string,
  ) {
    super(`"${path}" expected ${expected}, got ${found}`);
  }
}

/** An address that no register of the map covers, or an index out of an array's range. */
export class RegisterAddressError extends Error {
  /** Stable error name. */
  override readonly name = "RegisterAddressError";
  /**
   * @param map - map id
   * @param address - byte address (relative to the map base)
   * @param reason - what is wrong
   */
  constructor(
    /** Map id. */
    readonly map: string,
    /** Byte address relative to the base of the map. */
    readonly address: number,
    reason: string,
  ) {
    super(`${map} @ 0x${address.toString(16)}: ${reason}`);
  }
}
