/**
 * Structural schema of spec files, written with io-ts. A file that passes these codecs has
 * the right shape; `check-*.ts` then checks its meaning (layout, ranges, references).
 *
 * The language is documented in `specs/README.md`.
 *
 * @module
 */
import * as t from "io-ts";

/** Builds a codec accepting strings that match `re`, named after what it expects. */
function pattern(name: string, re: RegExp): t.Type<string, string, unknown> {
  return new t.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === "string" && re.test(u),
    (u, c) => (typeof u === "string" && re.test(u) ? t.success(u) : t.failure(u, c)),
    t.identity,
  );
}

/** An integer (YAML integers arrive as `bigint`) in `[min, max]`, converted to `number`. */
export function int(min: number, max: number, name?: string): t.Type<number, number, unknown> {
  const label =
    name ?? (max === Number.MAX_SAFE_INTEGER ? `integer >= ${min}` : `integer ${min}..${max}`);
  return new t.Type<number, number, unknown>(
    label,
    (u): u is number => typeof u === "number" && Number.isInteger(u) && u >= min && u <= max,
    (u, c) => {
      const n = typeof u === "bigint" ? Number(u) : u;
      if (typeof u === "bigint" && (u < BigInt(min) || u > BigInt(max))) return t.failure(u, c);
      return typeof n === "number" && Number.isInteger(n) && n >= min && n <= max
        ? t.success(n)
        : t.failure(u, c);
    },
    t.identity,
  );
}

/** One of a few integers, converted to `number`. */
export function oneOfInts(values: readonly number[]): t.Type<number, number, unknown> {
  const name = `${values.slice(0, -1).join(", ")} or ${values[values.length - 1]}`;
  return new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === "number" && values.includes(u),
    (u, c) => {
      const n = typeof u === "bigint" ? Number(u) : u;
      return typeof n === "number" && values.includes(n) ? t.success(n) : t.failure(u, c);
    },
    t.identity,
  );
}

/** Any non-negative integer, kept as `bigint` (reset and constant values up to 64 bits). */
export const BigUint = new t.Type<bigint, bigint, unknown>(
  "non-negative integer",
  (u): u is bigint => typeof u === "bigint" && u >= 0n,
  (u, c) => {
    if (typeof u === "bigint" && u >= 0n) return t.success(u);
    if (typeof u === "number" && Number.isSafeInteger(u) && u >= 0) return t.success(BigInt(u));
    return t.failure(u, c);
  },
  t.identity,
);

/** A scalar accepted in a `when` condition: integer, enum member name or boolean. */
export const WhenScalar = new t.Type<number | string | boolean, number | string | boolean, unknown>(
  "integer, enum member or boolean",
  (u): u is number | string | boolean =>
    typeof u === "number" || typeof u === "string" || typeof u === "boolean",
  (u, c) => {
    if (typeof u === "bigint")
      return u >= 0n && u <= 0xffffffffn ? t.success(Number(u)) : t.failure(u, c);
    if (typeof u === "string" || typeof u === "boolean") return t.success(u);
    return t.failure(u, c);
  },
  t.identity,
);

/** A mapping with the given required and optional keys and no other key. */
export function strict<R extends t.Props, O extends t.Props>(
  name: string,
  required: R,
  optional: O,
): t.Type<t.TypeOf<t.TypeC<R>> & Partial<t.TypeOf<t.TypeC<O>>>, unknown, unknown> {
  type A = t.TypeOf<t.TypeC<R>> & Partial<t.TypeOf<t.TypeC<O>>>;
  const known = [...Object.keys(required), ...Object.keys(optional)];
  return new t.Type<A, unknown, unknown>(
    name,
    (u): u is A => typeof u === "object" && u !== null && !Array.isArray(u),
    (u, c) => {
      if (typeof u !== "object" || u === null || Array.isArray(u)) return t.failure(u, c);
      const o = u as Record<string, unknown>;
      const errors: t.Errors = [];
      const out: Record<string, unknown> = {};
      for (const [k, codec] of Object.entries(required)) {
        const r = codec.validate(o[k], t.appendContext(c, k, codec, o[k]));
        if (r._tag === "Left") errors.push(...r.left);
        else out[k] = r.right;
      }
      for (const [k, codec] of Object.entries(optional)) {
        if (o[k] === undefined) continue;
        const r = codec.validate(o[k], t.appendContext(c, k, codec, o[k]));
        if (r._tag === "Left") errors.push(...r.left);
        else out[k] = r.right;
      }
      for (const k of Object.keys(o)) {
        if (!known.includes(k)) {
          errors.push({
            value: k,
            context: [...c, { key: k, type: UnknownKey, actual: o[k] }],
            message: `unknownKey:one of ${known.join(", ")}`,
          });
        }
      }
      return errors.length > 0 ? t.failures(errors) : t.success(out as A);
    },
    t.identity,
  );
}

const UnknownKey = new t.Type<never>(
  "known key",
  (_u): _u is never => false,
  t.failure,
  t.identity,
);

/**
 * A mapping whose keys match `keyPattern` and whose values all pass `value`. `keyName` says
 * what one key is, for messages: "kebab-case format name".
 */
export function strictRecord<V extends t.Mixed>(
  keyName: string,
  keyPattern: RegExp,
  value: V,
): t.Type<Record<string, t.TypeOf<V>>, unknown, unknown> {
  type A = Record<string, t.TypeOf<V>>;
  return new t.Type<A, unknown, unknown>(
    `mapping of ${keyName}s`,
    (u): u is A => typeof u === "object" && u !== null && !Array.isArray(u),
    (u, c) => {
      if (typeof u !== "object" || u === null || Array.isArray(u)) return t.failure(u, c);
      const errors: t.Errors = [];
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(u as Record<string, unknown>)) {
        if (!keyPattern.test(k)) {
          errors.push({
            value: k,
            context: [...c, { key: k, type: UnknownKey, actual: v }],
            message: `badKey:a ${keyName}`,
          });
          continue;
        }
        const r = value.validate(v, t.appendContext(c, k, value, v));
        if (r._tag === "Left") errors.push(...r.left);
        else out[k] = r.right;
      }
      return errors.length > 0 ? t.failures(errors) : t.success(out);
    },
    t.identity,
  );
}

/** A list (possibly empty) whose elements all pass `item`. */
export function list<I extends t.Mixed>(
  name: string,
  item: I,
  minLength = 0,
): t.Type<t.TypeOf<I>[], unknown, unknown> {
  return new t.Type<t.TypeOf<I>[], unknown, unknown>(
    minLength > 0 ? `non-empty list of ${name}` : `list of ${name}`,
    (u): u is t.TypeOf<I>[] => Array.isArray(u),
    (u, c) => {
      if (!Array.isArray(u) || u.length < minLength) return t.failure(u, c);
      const errors: t.Errors = [];
      const out: unknown[] = [];
      u.forEach((v, i) => {
        const r = item.validate(v, t.appendContext(c, String(i), item, v));
        if (r._tag === "Left") errors.push(...r.left);
        else out.push(r.right);
      });
      return errors.length > 0 ? t.failures(errors) : t.success(out);
    },
    t.identity,
  );
}

/** kebab-case names: formats, enum members, cases, register maps, blocks, registers. */
export const KebabName = pattern("kebab-case name", /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
/** camelCase identifiers: field and payload names (TypeScript and JSON property names). */
export const Ident = pattern("camelCase identifier", /^[a-z][a-zA-Z0-9]*$/);
/** PascalCase names: enums. */
export const PascalName = pattern("PascalCase name", /^[A-Z][a-zA-Z0-9]*$/);
/** Dotted lower-case ids: `rashpa.descriptors`. */
export const DottedId = pattern("dotted lower-case id", /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/);
/** A format of the same spec (`atu-entry`) or the global id of any format (`rashpa.atu-entry`). */
export const FormatRef = pattern(
  "format name or global format id",
  /^([a-z][a-z0-9-]*\.)*[a-z][a-z0-9]*(-[a-z0-9]+)*$/,
);
const Text = t.string;

/** Field types of formats. */
export const FieldTypeCodec = t.keyof(
  { uint: null, bool: null, enum: null, reserved: null, const: null, bytes: null },
  "one of uint, bool, enum, reserved, const, bytes",
);

/** A `when` condition: field → value or list of values. */
export const WhenCodec = strictRecord(
  "camelCase field name",
  /^[a-z][a-zA-Z0-9]*$/,
  t.union([WhenScalar, list("values", WhenScalar, 1)], "value or non-empty list of values"),
);

/** Raw field of a format. */
export const FieldRaw = strict(
  "field",
  { name: Ident, bits: int(1, 1 << 20, "integer >= 1") },
  {
    type: FieldTypeCodec,
    enum: PascalName,
    value: BigUint,
    ignore: t.boolean,
    at: int(0, Number.MAX_SAFE_INTEGER),
    doc: Text,
    source: Text,
  },
);
export type FieldRaw = t.TypeOf<typeof FieldRaw>;

const LengthFieldRaw = strict(
  "length",
  { field: Ident },
  { unit: int(1, 1 << 16), zeroMeans: int(1, 1 << 30) },
);
type LengthRaw = "remainder" | t.TypeOf<typeof LengthFieldRaw>;

/** Payload length: `remainder`, or a mapping checked key by key (so typos show where they are). */
const LengthRaw = new t.Type<LengthRaw, unknown, unknown>(
  "remainder or {field, unit?, zeroMeans?}",
  (u): u is LengthRaw => u === "remainder" || LengthFieldRaw.is(u),
  (u, c) => {
    if (typeof u === "object" && u !== null && !Array.isArray(u))
      return LengthFieldRaw.validate(u, c);
    return u === "remainder" ? t.success(u) : t.failure(u, c);
  },
  t.identity,
);

/** Raw payload item. */
export const PayloadRaw = strict(
  "payload",
  { payload: Ident, length: LengthRaw },
  { maxBytes: int(0, 1 << 30), doc: Text, source: Text },
);
export type PayloadRaw = t.TypeOf<typeof PayloadRaw>;

/** Raw item of a layout (field, switch, optional part or payload). */
export type ItemRaw = FieldRaw | SwitchRaw | OptionalRaw | PayloadRaw;
/** Raw switch (discriminated variants). */
export interface SwitchRaw {
  switch: string | string[];
  tag?: string;
  doc?: string;
  cases: CaseRaw[];
}
/** Raw switch case. */
export interface CaseRaw {
  name: string;
  when?: Record<string, WhenValue>;
  doc?: string;
  fields: ItemRaw[];
}
/** Raw optional part. */
export interface OptionalRaw {
  optional: string;
  when: Record<string, WhenValue>;
  doc?: string;
  fields: ItemRaw[];
}
type WhenValue = number | string | boolean | (number | string | boolean)[];

/** Item codec: dispatches on the item's distinguishing key. */
export const ItemRaw: t.Type<ItemRaw, unknown, unknown> = t.recursion(
  "layout item",
  () =>
    new t.Type<ItemRaw, unknown, unknown>(
      "layout item (field, switch, optional or payload)",
      (u): u is ItemRaw => typeof u === "object" && u !== null,
      (u, c) => {
        if (typeof u !== "object" || u === null || Array.isArray(u)) return t.failure(u, c);
        if ("switch" in u) return SwitchRawCodec.validate(u, c);
        if ("optional" in u) return OptionalRawCodec.validate(u, c);
        if ("payload" in u) return PayloadRaw.validate(u, c);
        return FieldRaw.validate(u, c);
      },
      t.identity,
    ),
);

const Items = list("layout items", ItemRaw);

const CaseRawCodec = strict(
  "case",
  { name: KebabName, fields: Items },
  { when: WhenCodec, doc: Text },
);
const SwitchRawCodec = strict(
  "switch",
  {
    switch: t.union([Ident, list("field names", Ident, 1)], "field name or list of field names"),
    cases: list("cases", CaseRawCodec, 1),
  },
  { tag: Ident, doc: Text },
) as unknown as t.Type<SwitchRaw, unknown, unknown>;
const OptionalRawCodec = strict(
  "optional part",
  { optional: Ident, when: WhenCodec, fields: Items },
  { doc: Text },
) as unknown as t.Type<OptionalRaw, unknown, unknown>;

/** Raw enum. */
export const EnumRaw = strict(
  "enum",
  {
    bits: int(1, 32),
    values: list(
      "enum values",
      strict("enum value", { name: KebabName, value: BigUint }, { doc: Text }),
      1,
    ),
  },
  { doc: Text },
);
export type EnumRaw = t.TypeOf<typeof EnumRaw>;

/** Raw format. */
export const FormatRaw = strict(
  "format",
  { title: Text, fields: list("layout items", ItemRaw, 1) },
  { doc: Text, source: Text },
);
export type FormatRaw = t.TypeOf<typeof FormatRaw>;

const SwAccessCodec = t.keyof(
  { r: null, w: null, rw: null, w1: null, rw1: null, na: null },
  "one of r, w, rw, w1, rw1, na",
);
const HwAccessCodec = t.keyof({ r: null, w: null, rw: null, na: null }, "one of r, w, rw, na");

/** Raw register field. `bits` is `"msb:lsb"` or a single bit number. */
export const RegFieldRaw = strict(
  "register field",
  {
    name: Ident,
    bits: t.union([int(0, 1023), pattern('"msb:lsb"', /^\d+:\d+$/)], 'bit number or "msb:lsb"'),
  },
  {
    sw: SwAccessCodec,
    hw: HwAccessCodec,
    onread: t.keyof({ rclr: null, rset: null }, "one of rclr, rset"),
    onwrite: t.keyof(
      {
        woclr: null,
        woset: null,
        wot: null,
        wzs: null,
        wzc: null,
        wzt: null,
        wclr: null,
        wset: null,
      },
      "one of woclr, woset, wot, wzs, wzc, wzt, wclr, wset",
    ),
    singlepulse: t.boolean,
    reset: BigUint,
    enum: PascalName,
    doc: Text,
  },
);
export type RegFieldRaw = t.TypeOf<typeof RegFieldRaw>;

/** Raw register (an array when `count` is given). */
export const RegisterRaw = strict(
  "register",
  { name: KebabName, offset: int(0, 0xffffffff), fields: list("register fields", RegFieldRaw, 1) },
  {
    count: int(1, 1 << 20),
    stride: int(1, 0xffffffff),
    width: oneOfInts([8, 16, 32, 64]),
    doc: Text,
  },
);
export type RegisterRaw = t.TypeOf<typeof RegisterRaw>;

/** Raw register file. */
export const RegFileRaw = strict(
  "register file",
  {
    regfile: KebabName,
    offset: int(0, 0xffffffff),
    count: int(1, 1 << 20),
    stride: int(1, 0xffffffff),
    registers: list("registers", RegisterRaw, 1),
  },
  { doc: Text },
);
export type RegFileRaw = t.TypeOf<typeof RegFileRaw>;

/** Raw memory (table of entries). */
export const MemoryRaw = strict(
  "memory",
  {
    memory: KebabName,
    offset: int(0, 0xffffffff),
    entries: int(1, 1 << 24),
    entryBytes: int(1, 4096),
  },
  { format: FormatRef, sw: SwAccessCodec, doc: Text },
);
export type MemoryRaw = t.TypeOf<typeof MemoryRaw>;

/** Raw block node (register, register file or memory). */
export type RegNodeRaw = RegisterRaw | RegFileRaw | MemoryRaw;
const RegNodeRawCodec = new t.Type<RegNodeRaw, unknown, unknown>(
  "register, regfile or memory",
  (u): u is RegNodeRaw => typeof u === "object" && u !== null,
  (u, c) => {
    if (typeof u !== "object" || u === null || Array.isArray(u)) return t.failure(u, c);
    if ("regfile" in u) return RegFileRaw.validate(u, c);
    if ("memory" in u) return MemoryRaw.validate(u, c);
    return RegisterRaw.validate(u, c);
  },
  t.identity,
);

/** Raw block. */
export const BlockRaw = strict(
  "block",
  { name: KebabName, offset: int(0, 0xffffffff), registers: list("registers", RegNodeRawCodec, 1) },
  { doc: Text },
);
export type BlockRaw = t.TypeOf<typeof BlockRaw>;

/** Raw register map. */
export const RegisterMapRaw = strict(
  "register map",
  { title: Text, blocks: list("blocks", BlockRaw, 1) },
  { width: oneOfInts([8, 16, 32, 64]), bitOrder: t.literal("lsb0"), doc: Text },
);
export type RegisterMapRaw = t.TypeOf<typeof RegisterMapRaw>;

/** Top-level keys of a spec file (sections are validated separately so that all errors show). */
export const SpecHeaderRaw = strict(
  "spec file",
  {
    spec: DottedId,
    title: Text,
    package: KebabName,
    byteOrder: t.literal("big-endian"),
    bitOrder: t.literal("msb0"),
  },
  {
    idPrefix: DottedId,
    doc: Text,
    source: Text,
    enums: t.unknown,
    formats: t.unknown,
    registers: t.unknown,
  },
);
export type SpecHeaderRaw = t.TypeOf<typeof SpecHeaderRaw>;
