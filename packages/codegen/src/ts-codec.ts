/**
 * TypeScript codec generator. For every format `X` of a spec it writes the value types, and
 * `decodeX`, `encodeX`, `encodeXInto`, `xByteLength`, `isX`, `xFromJson` and the
 * {@link FormatInfo} record `X_FORMAT`, all derived from one walk over the format's layout so
 * that they cannot disagree. Arbitraries go to a separate module (see `ts-arbitraries.ts`).
 *
 * Generated code works on a `DataView` with 32-bit word loads and stores: the fields of a
 * run of fixed fields are cut out of (or packed into) big-endian words with shifts and masks,
 * fields of 33..64 bits become `bigint` from two word parts, and no object is allocated per
 * field. Encoders check every field before writing anything, so a rejected value leaves the
 * target untouched.
 *
 * @module
 */
import type {
  EnumModel,
  FieldModel,
  FormatModel,
  ItemModel,
  PayloadModel,
  RegNodeModel,
  SpecModel,
  SwitchModel,
} from "@rashpa/spec";
import { formatByteSize, layoutPaths, valueFields } from "@rashpa/spec";
import { emitRegisterMaps, registerImports } from "./ts-registers.js";
import { Emitter } from "./_internals/emitter.js";
import { camelCase, docComment, pascalCase, screamingCase, sitePagePath } from "./names.js";

/** Names of the generated symbols of one format. */
export interface FormatNames {
  /** Type of decoded values: the PascalCase format name (`atu-entry` → `AtuEntry`). */
  readonly type: string;
  /** `decode<Type>(bytes, offset?)`: decodes one value. */
  readonly decode: string;
  /** `encode<Type>(value)`: encodes into a new `Uint8Array`. */
  readonly encode: string;
  /** `encode<Type>Into(view, offset, value)`: encodes into a `DataView`. */
  readonly encodeInto: string;
  /** `<type>ByteLength(value)`: bytes the encoders produce for a value. */
  readonly byteLength: string;
  /** `is<Type>(value)`: type guard for valid values. */
  readonly is: string;
  /** `<type>FromJson(json)`: reads the JSON shape. */
  readonly fromJson: string;
  /** `<type>VariantOf(value)`: index of the variant a value takes. */
  readonly variantOf: string;
  /** `<TYPE>_FORMAT`: the format's `FormatInfo` record. */
  readonly info: string;
  /** `arb<Type>`: fast-check arbitrary of valid values (in the `.arb.ts` module). */
  readonly arb: string;
  /** `<TYPE>_BYTES`: the byte size, declared only for formats of fixed size. */
  readonly bytesConst: string;
}

/** Generated symbol names for a format. */
export function formatNames(format: FormatModel): FormatNames {
  const P = pascalCase(format.name);
  const c = camelCase(format.name);
  return {
    type: P,
    decode: `decode${P}`,
    encode: `encode${P}`,
    encodeInto: `encode${P}Into`,
    byteLength: `${c}ByteLength`,
    is: `is${P}`,
    fromJson: `${c}FromJson`,
    variantOf: `${c}VariantOf`,
    info: `${screamingCase(format.name)}_FORMAT`,
    arb: `arb${P}`,
    bytesConst: `${screamingCase(format.name)}_BYTES`,
  };
}

/** Generated symbol names for an enum. */
export function enumNames(e: EnumModel): {
  /** Type of the member names: the enum's name itself. */
  type: string;
  /** `<ENUM>_NAMES`: member names indexed by value (`undefined` for unused values). */
  names: string;
  /** `<enum>Value(name)`: value of a member, or -1 when `name` is not one. */
  value: string;
} {
  return {
    type: e.name,
    names: `${screamingCase(e.name)}_NAMES`,
    value: `${camelCase(e.name)}Value`,
  };
}

/** TS type name of one variant of a format. */
export function variantTypeName(format: FormatModel, pathName: string): string {
  return pathName === "" ? pascalCase(format.name) : pascalCase(format.name) + pascalCase(pathName);
}

// ---------------------------------------------------------------------------------------
// Layout walking shared by every function

/** A byte position: `$o` + dynamic lengths + constant. */
interface Pos {
  readonly dyn: readonly string[];
  readonly k: number;
}

const posExpr = (p: Pos, extra = 0): string => {
  const k = p.k + extra;
  return [`$o`, ...p.dyn, ...(k === 0 ? [] : [String(k)])].join(" + ");
};
const relExpr = (p: Pos): string =>
  [...p.dyn, ...(p.k === 0 && p.dyn.length > 0 ? [] : [String(p.k)])].join(" + ");

/** State along one path of the walk. */
interface Ctx {
  readonly pos: Pos;
  /** Properties of the value, in order: [name, expression]. */
  readonly props: readonly (readonly [string, string])[];
  /** Deferred writes (encoders write only after every check passed). */
  readonly writes: readonly ((out: Emitter) => void)[];
  /** Fields seen on this path, by name (for conditions and payload lengths). */
  readonly fields: ReadonlyMap<string, FieldModel>;
  /**
   * Discriminants already compared on this path: TypeScript narrows them to the values of the
   * enclosing case, so later comparisons (of a switch that this branch rules out, say) widen
   * them back to `number` to stay valid.
   */
  readonly tested: ReadonlySet<string>;
}

/** A piece of a field of at most 32 bits: the whole field, or the hi/lo part of a wide one. */
interface Part {
  readonly bit: number;
  readonly width: number;
}

type Mode = "decode" | "into" | "new" | "check" | "length" | "variant" | "json";

const MASK = (w: number): string => (w >= 32 ? "0xffffffff" : `0x${(2 ** w - 1).toString(16)}`);

function partsOf(f: FieldModel, bit: number): Part[] {
  if (f.bits <= 32) return [{ bit, width: f.bits }];
  return [
    { bit, width: f.bits - 32 },
    { bit: bit + f.bits - 32, width: 32 },
  ];
}

/** Generator of the codec functions of one format. */
class FormatCodegen {
  private counter = 0;
  private pathIndex = 0;
  /**
   * Writers of the variants, by path index: encoders check every field in one function and
   * then call the variant's writer, so that no function grows beyond what V8 optimises
   * (formats with many variants, such as the PCIe TLP, would otherwise stay interpreted).
   */
  readonly writers = new Map<number, string>();
  /** Byte size when fixed: the decoder then checks the input length once, up front. */
  private readonly fixedBytes: number | undefined;

  constructor(
    private readonly format: FormatModel,
    private readonly out: Emitter,
  ) {
    this.fixedBytes = formatByteSize(format);
  }

  private fresh(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  /** Emits the body of one function for `mode`. */
  body(mode: Mode): void {
    this.counter = 0;
    this.pathIndex = 0;
    if (mode === "decode" && this.fixedBytes !== undefined) {
      this.out.line(
        `if ($end - $o < ${this.fixedBytes}) throw truncatedError(${JSON.stringify(this.format.name)}, ${this.fixedBytes}, $end - $o, $o);`,
      );
    }
    this.walk(
      this.format.items,
      { pos: { dyn: [], k: 0 }, props: [], writes: [], fields: new Map(), tested: new Set() },
      mode,
    );
  }

  private fail(mode: Mode, path: string, expected: string, found: string, offset?: string): string {
    if (mode === "check") return "return false;";
    if (mode === "variant") return "return -1;";
    if (mode === "decode")
      return `throw decodeFieldError(${JSON.stringify(path)}, ${expected}, ${found}, ${offset ?? "$o"});`;
    return `throw encodeFieldError(${JSON.stringify(path)}, ${expected}, ${found});`;
  }

  private walk(items: readonly ItemModel[], ctxIn: Ctx, mode: Mode): void {
    let ctx = ctxIn;
    let i = 0;
    const run: FieldModel[] = [];
    while (i < items.length && items[i]!.kind === "field") run.push(items[i++] as FieldModel);
    if (run.length > 0) ctx = this.run(run, ctx, mode, keyFieldsOf(items.slice(i), mode));
    if (i === items.length) {
      this.leaf(ctx, mode);
      return;
    }
    const item = items[i]!;
    const rest = items.slice(i + 1);
    if (item.kind === "payload") {
      ctx = this.payload(item, rest, ctx, mode);
      this.walk(rest, ctx, mode);
      return;
    }
    this.switchOn(item as SwitchModel, rest, ctx, mode);
  }

  private switchOn(sw: SwitchModel, rest: readonly ItemModel[], ctx: Ctx, mode: Mode): void {
    const out = this.out;
    let open = false;
    const tested = new Set([...ctx.tested, ...sw.on]);
    for (const [ci, c] of sw.cases.entries()) {
      const conds = Object.entries(c.when).map(([k, vals]) => {
        const r = ctx.tested.has(k) ? `(r_${k} as number)` : `r_${k}`;
        return vals.length === 1
          ? `${r} === ${vals[0]}`
          : `(${vals.map((v) => `${r} === ${v}`).join(" || ")})`;
      });
      const cond = conds.join(" && ");
      const props = [...ctx.props];
      if (sw.tag !== undefined) props.push([sw.tag, JSON.stringify(c.name)]);
      const inner = { ...ctx, props, tested };
      if (cond === "") {
        out.line(ci === 0 ? "{" : "} else {");
      } else {
        out.line(`${ci === 0 ? "if" : "} else if"} (${cond}) {`);
      }
      open = true;
      out.indent(() => {
        if (
          sw.tag !== undefined &&
          (mode === "into" ||
            mode === "new" ||
            mode === "check" ||
            mode === "length" ||
            mode === "variant")
        ) {
          const tv = `$v[${JSON.stringify(sw.tag)}]`;
          out.line(
            `if (${tv} !== ${JSON.stringify(c.name)}) ${this.fail(mode, sw.tag, JSON.stringify(`"${c.name}" (selected by ${sw.on.join(", ")})`), `describeValue(${tv})`)}`,
          );
        }
        if (sw.tag !== undefined && mode === "json") {
          const tv = `$j[${JSON.stringify(sw.tag)}]`;
          out.line(
            `if (${tv} !== undefined && ${tv} !== ${JSON.stringify(c.name)}) ${this.fail(mode, sw.tag, JSON.stringify(`"${c.name}" (selected by ${sw.on.join(", ")})`), `describeValue(${tv})`)}`,
          );
        }
        this.walk([...c.items, ...rest], inner, mode);
      });
      if (cond === "") break;
    }
    const hasDefault = sw.cases.some((c) => Object.keys(c.when).length === 0);
    if (sw.optional) {
      out.line("} else {");
      out.indent(() => this.walk(rest, { ...ctx, tested }, mode));
      out.line("}");
    } else if (hasDefault) {
      if (open) out.line("}");
    } else {
      out.line("}");
      const found =
        sw.on.length === 1
          ? `hexNumber(r_${sw.on[0]}, ${ctx.fields.get(sw.on[0]!)?.bits ?? 32})`
          : `\`${sw.on.map((k) => `${k}=\${hexNumber(r_${k}, ${ctx.fields.get(k)?.bits ?? 32})}`).join(", ")}\``;
      const expected = JSON.stringify(`a value selecting a variant of ${this.format.id}`);
      out.line(this.fail(mode, sw.on.join(","), expected, found, posExpr(ctx.pos)));
    }
  }

  // ---- runs of fixed fields ----------------------------------------------------------

  /**
   * @param keys - fields whose raw value selects a variant or sizes a payload further along
   *   this path (their raw value `r_<name>` is kept; names may be reused in sibling cases)
   */
  private run(run: readonly FieldModel[], ctx: Ctx, mode: Mode, keys: ReadonlySet<string>): Ctx {
    const out = this.out;
    const bits = run.reduce((a, f) => a + f.bits, 0);
    const bytes = bits / 8;
    const fields = new Map(ctx.fields);
    const props = [...ctx.props];
    let bit = 0;
    const layout: { f: FieldModel; bit: number }[] = [];
    for (const f of run) {
      layout.push({ f, bit });
      fields.set(f.name, f);
      bit += f.bits;
    }
    const wordWidth = (i: number): number => Math.min(32, bits - 32 * i);

    if (mode === "decode") {
      const at = posExpr(ctx.pos);
      if (this.fixedBytes === undefined)
        out.line(
          `if ($end - (${at}) < ${bytes}) throw truncatedError(${JSON.stringify(`${this.format.name}.${run[0]!.name}`)}, ${bytes}, $end - (${at}), ${at});`,
        );
      const words = new Map<number, string>();
      const word = (i: number): string => {
        let w = words.get(i);
        if (w === undefined) {
          w = this.fresh("$w");
          words.set(i, w);
          const p = posExpr(ctx.pos, 4 * i);
          const ww = wordWidth(i);
          const load =
            ww === 32
              ? `$view.getUint32(${p})`
              : ww === 16
                ? `$view.getUint16(${p})`
                : ww === 8
                  ? `$view.getUint8(${p})`
                  : `($view.getUint16(${p}) * 256 + $view.getUint8(${p} + 2))`;
          out.line(`const ${w} = ${load};`);
        }
        return w;
      };
      const read = (part: Part): string => {
        const i = Math.floor(part.bit / 32);
        const o = part.bit % 32;
        const ww = wordWidth(i);
        if (o + part.width <= ww) {
          const shift = ww - o - part.width;
          let e = word(i);
          if (shift > 0) e = `(${e} >>> ${shift})`;
          if (o > 0) e = `(${e} & ${MASK(part.width)})`;
          return e;
        }
        const hiBits = ww - o;
        const loBits = part.width - hiBits;
        const ww2 = wordWidth(i + 1);
        const hi = `(${word(i)} & ${MASK(hiBits)})`;
        const lo = ww2 - loBits > 0 ? `(${word(i + 1)} >>> ${ww2 - loBits})` : word(i + 1);
        return `(${hi} * ${2 ** loBits} + ${lo})`;
      };
      for (const { f, bit: b } of layout) {
        const byteAt = posExpr(ctx.pos, Math.floor(b / 8));
        switch (f.type) {
          case "bytes":
            // A view made with the constructor (no species lookup, as `subarray` does): about
            // twice as fast, and a Uint8Array whatever subclass the input is.
            out.line(
              `const f_${f.name} = new Uint8Array(bytes.buffer, bytes.byteOffset + ${byteAt}, ${f.bits / 8});`,
            );
            props.push([f.name, `f_${f.name}`]);
            break;
          case "reserved":
          case "const": {
            if (f.ignore) break;
            const parts = partsOf(f, b);
            const value = f.value ?? 0n;
            const want = parts.length === 1 ? [value] : [value >> 32n, value & 0xffffffffn];
            parts.forEach((p, pi) => {
              const found = parts.length === 1 ? `hexNumber(${read(p)}, ${f.bits})` : `"0x${"…"}"`;
              out.line(
                `if (${read(p)} !== ${want[pi]!.toString()}) ${this.fail(mode, f.name, JSON.stringify(`0x${value.toString(16)} (${f.type})`), parts.length === 1 ? found : `hexNumber(readBitsBig($view, (${posExpr(ctx.pos)}) * 8 + ${b}, ${f.bits}), ${f.bits})`, byteAt)}`,
              );
            });
            break;
          }
          default: {
            if (f.bits > 32) {
              if (f.bits === 64 && b % 8 === 0)
                out.line(`const f_${f.name} = $view.getBigUint64(${byteAt});`);
              else {
                const [hi, lo] = partsOf(f, b);
                // Up to 53 bits the value is exact as a number: one BigInt instead of four.
                if (f.bits <= 53)
                  out.line(`const f_${f.name} = BigInt(${read(hi!)} * 4294967296 + ${read(lo!)});`);
                else {
                  // Wider: still one BigInt whenever this value is below 2^53.
                  const h = this.fresh("$h");
                  out.line(`const ${h} = ${read(hi!)};`);
                  out.line(
                    `const f_${f.name} = ${h} < 2097152 ? BigInt(${h} * 4294967296 + ${read(lo!)}) : (BigInt(${h}) << 32n) | BigInt(${read(lo!)});`,
                  );
                }
              }
              props.push([f.name, `f_${f.name}`]);
              break;
            }
            if (f.type === "bool" && !keys.has(f.name)) {
              props.push([f.name, `${read({ bit: b, width: f.bits })} !== 0`]);
              break;
            }
            out.line(`const r_${f.name} = ${read({ bit: b, width: f.bits })};`);
            if (f.type === "bool") {
              // Converted now: a case on it narrows r_<name> to one value further on.
              out.line(`const f_${f.name} = r_${f.name} !== 0;`);
              props.push([f.name, `f_${f.name}`]);
            } else if (f.type === "enum") {
              const en = enumNames(f.enum!);
              out.line(`const f_${f.name} = ${en.names}[r_${f.name}];`);
              out.line(
                `if (f_${f.name} === undefined) ${this.fail(mode, f.name, JSON.stringify(`one of ${f.enum!.values.map((v) => v.name).join(", ")}`), `hexNumber(r_${f.name}, ${f.bits})`, byteAt)}`,
              );
              props.push([f.name, `f_${f.name}`]);
            } else props.push([f.name, `r_${f.name}`]);
          }
        }
      }
      return { ...ctx, pos: { dyn: ctx.pos.dyn, k: ctx.pos.k + bytes }, props, fields };
    }

    if (mode === "json") {
      for (const { f } of layout) {
        const j = `$j[${JSON.stringify(f.name)}]`;
        const p = JSON.stringify(f.name);
        switch (f.type) {
          case "reserved":
          case "const":
            continue;
          case "bytes":
            out.line(`const f_${f.name} = jsonBytes(${j}, ${p}, ${f.bits / 8});`);
            break;
          case "bool":
            out.line(`const f_${f.name} = jsonBool(${j}, ${p});`);
            if (keys.has(f.name)) out.line(`const r_${f.name}: number = f_${f.name} ? 1 : 0;`);
            break;
          case "enum": {
            const en = enumNames(f.enum!);
            if (denseEnum(f.enum!))
              out.line(`const f_${f.name} = jsonEnum(${j}, ${p}, ${en.names});`);
            else {
              // Names by value are a record here (values up to 2^32): the same as jsonEnum, inline.
              out.line(`const j_${f.name} = ${j};`);
              out.line(
                `const f_${f.name} = typeof j_${f.name} === "number" ? ${en.names}[j_${f.name}] : ${en.value}(j_${f.name}) >= 0 ? (j_${f.name} as ${en.type}) : undefined;`,
              );
              out.line(
                `if (f_${f.name} === undefined) throw encodeFieldError(${p}, ${JSON.stringify(`one of ${f.enum!.values.map((v) => v.name).join(", ")}`)}, describeValue(j_${f.name}));`,
              );
            }
            if (keys.has(f.name)) out.line(`const r_${f.name} = ${en.value}(f_${f.name});`);
            break;
          }
          default:
            if (f.bits > 32) out.line(`const f_${f.name} = jsonBigUint(${j}, ${p}, ${f.bits});`);
            else if (keys.has(f.name)) {
              out.line(`const r_${f.name} = jsonUint(${j}, ${p}, ${f.bits});`);
              out.line(`const f_${f.name} = r_${f.name};`);
            } else out.line(`const f_${f.name} = jsonUint(${j}, ${p}, ${f.bits});`);
        }
        props.push([f.name, `f_${f.name}`]);
      }
      return { ...ctx, pos: { dyn: ctx.pos.dyn, k: ctx.pos.k + bytes }, props, fields };
    }

    // Encoders and checkers: check every field, keep raw values, defer the writes.
    for (const { f } of layout) {
      const v = `$v[${JSON.stringify(f.name)}]`;
      switch (f.type) {
        case "reserved":
        case "const":
          break;
        case "bytes":
          out.line(`const f_${f.name} = ${v};`);
          out.line(
            `if (!(f_${f.name} instanceof Uint8Array) || f_${f.name}.length !== ${f.bits / 8}) ${this.fail(mode, f.name, JSON.stringify(`${f.bits / 8} bytes (Uint8Array)`), `describeValue(f_${f.name})`)}`,
          );
          break;
        case "bool":
          out.line(`const f_${f.name} = ${v};`);
          out.line(
            `if (typeof f_${f.name} !== "boolean") ${this.fail(mode, f.name, '"true or false"', `describeValue(f_${f.name})`)}`,
          );
          if (mode === "into" || mode === "new" || keys.has(f.name))
            out.line(`const r_${f.name}: number = f_${f.name} ? 1 : 0;`);
          break;
        case "enum": {
          const en = enumNames(f.enum!);
          out.line(`const r_${f.name} = ${en.value}(${v});`);
          out.line(
            `if (r_${f.name} < 0) ${this.fail(mode, f.name, JSON.stringify(`one of ${f.enum!.values.map((x) => x.name).join(", ")}`), `describeValue(${v})`)}`,
          );
          break;
        }
        default:
          if (f.bits > 32) {
            const max = (1n << BigInt(f.bits)) - 1n;
            out.line(`const f_${f.name} = ${v};`);
            out.line(
              `if (typeof f_${f.name} !== "bigint" || f_${f.name} < 0n || f_${f.name} > 0x${max.toString(16)}n) ${this.fail(mode, f.name, JSON.stringify(`a bigint 0..0x${max.toString(16)}`), `describeValue(f_${f.name})`)}`,
            );
          } else {
            out.line(`const r_${f.name} = ${v};`);
            const range = f.bits === 32 ? "" : ` || r_${f.name} > ${2 ** f.bits - 1}`;
            out.line(
              `if (typeof r_${f.name} !== "number" || r_${f.name} >>> 0 !== r_${f.name}${range}) ${this.fail(mode, f.name, JSON.stringify(`an integer 0..${2 ** f.bits - 1}`), `describeValue(r_${f.name})`)}`,
            );
          }
      }
    }
    const writes = [...ctx.writes];
    if (mode === "into" || mode === "new") {
      const pos = ctx.pos;
      writes.push((o) => this.writeRun(o, layout, bits, pos));
    }
    return { ...ctx, pos: { dyn: ctx.pos.dyn, k: ctx.pos.k + bytes }, props, writes, fields };
  }

  private writeRun(
    out: Emitter,
    layout: readonly { f: FieldModel; bit: number }[],
    bits: number,
    pos: Pos,
  ): void {
    const nWords = Math.ceil(bits / 32);
    const wordWidth = (i: number): number => Math.min(32, bits - 32 * i);
    const terms: string[][] = Array.from({ length: nWords }, () => []);
    const bigParts: string[] = [];
    const byteWrites: string[] = [];
    const add = (part: Part, expr: string): void => {
      const i = Math.floor(part.bit / 32);
      const o = part.bit % 32;
      const ww = wordWidth(i);
      if (o + part.width <= ww) {
        const shift = ww - o - part.width;
        terms[i]!.push(shift > 0 ? `(${expr} << ${shift})` : expr);
        return;
      }
      const hiBits = ww - o;
      const loBits = part.width - hiBits;
      const ww2 = wordWidth(i + 1);
      terms[i]!.push(`(${expr} >>> ${loBits})`);
      const lo = `(${expr} & ${MASK(loBits)})`;
      terms[i + 1]!.push(ww2 - loBits > 0 ? `(${lo} << ${ww2 - loBits})` : lo);
    };
    for (const { f, bit } of layout) {
      const byteAt = posExpr(pos, Math.floor(bit / 8));
      if (f.type === "bytes") {
        byteWrites.push(`writeBytes($view, ${byteAt}, f_${f.name});`);
        continue;
      }
      if (f.type === "reserved" || f.type === "const") {
        const value = f.value ?? 0n;
        if (value === 0n) continue;
        const parts = partsOf(f, bit);
        if (parts.length === 1) add(parts[0]!, String(value));
        else {
          add(parts[0]!, String(value >> 32n));
          add(parts[1]!, String(value & 0xffffffffn));
        }
        continue;
      }
      if (f.bits > 32) {
        if (f.bits === 64 && bit % 8 === 0 && bit % 32 === 0) {
          bigParts.push(`$view.setBigUint64(${byteAt}, f_${f.name});`);
          continue;
        }
        const [hi, lo] = partsOf(f, bit);
        const h = this.fresh("$h");
        const l = this.fresh("$l");
        if (f.bits <= 53) {
          // Exact as a number: split without BigInt temporaries.
          const n = this.fresh("$n");
          out.line(`const ${n} = Number(f_${f.name});`);
          out.line(`const ${h} = Math.floor(${n} / 4294967296);`);
          out.line(`const ${l} = ${n} >>> 0;`);
        } else {
          // Wider: split as a number whenever this value is below 2^53.
          const n = this.fresh("$n");
          out.line(`const ${n} = f_${f.name} <= 9007199254740991n ? Number(f_${f.name}) : -1;`);
          out.line(
            `const ${h} = ${n} >= 0 ? Math.floor(${n} / 4294967296) : Number(f_${f.name} >> 32n);`,
          );
          out.line(`const ${l} = ${n} >= 0 ? ${n} >>> 0 : Number(f_${f.name} & 0xffffffffn);`);
        }
        add(hi!, h);
        add(lo!, l);
        continue;
      }
      add({ bit, width: f.bits }, `r_${f.name}`);
    }
    // Words fully covered by setBigUint64 must not be overwritten with zeros.
    const bigWords = new Set<number>();
    for (const { f, bit } of layout) {
      if (
        f.type !== "bytes" &&
        f.type !== "reserved" &&
        f.type !== "const" &&
        f.bits === 64 &&
        bit % 32 === 0
      ) {
        bigWords.add(bit / 32);
        bigWords.add(bit / 32 + 1);
      }
    }
    // Words made only of bytes fields are left to writeBytes; a word that also holds other
    // bits (a zero reserved field has no term) must still be written, or encodeInto would
    // leave the target's old bits there.
    const bytesBits = new Map<number, number>();
    for (const { f, bit } of layout) {
      if (f.type === "bytes")
        for (let b = bit; b < bit + f.bits; b += 8)
          bytesBits.set(Math.floor(b / 32), (bytesBits.get(Math.floor(b / 32)) ?? 0) + 8);
    }
    for (let i = 0; i < nWords; i++) {
      if (bigWords.has(i)) continue;
      const t = terms[i]!;
      if (t.length === 0 && bytesBits.get(i) === wordWidth(i)) continue;
      const p = posExpr(pos, 4 * i);
      const ww = wordWidth(i);
      const e =
        t.length === 0 ? "0" : t.length === 1 && ww < 32 ? t[0]! : `(${t.join(" | ")}) >>> 0`;
      if (ww === 32)
        out.line(
          `$view.setUint32(${p}, ${t.length === 1 && !t[0]!.includes("<<") && !t[0]!.includes(">>>") ? t[0] : e});`,
        );
      else if (ww === 16)
        out.line(`$view.setUint16(${p}, ${t.length <= 1 ? (t[0] ?? "0") : t.join(" | ")});`);
      else if (ww === 8)
        out.line(`$view.setUint8(${p}, ${t.length <= 1 ? (t[0] ?? "0") : t.join(" | ")});`);
      else {
        const w = this.fresh("$w");
        out.line(`const ${w} = ${t.length === 0 ? "0" : t.join(" | ")};`);
        out.line(`$view.setUint16(${p}, ${w} >>> 8);`);
        out.line(`$view.setUint8(${p} + 2, ${w} & 0xff);`);
      }
    }
    for (const w of bigParts) out.line(w);
    for (const w of byteWrites) out.line(w);
  }

  // ---- payloads ----------------------------------------------------------------------

  private payload(p: PayloadModel, rest: readonly ItemModel[], ctx: Ctx, mode: Mode): Ctx {
    const out = this.out;
    const len = this.fresh("$len");
    const at = posExpr(ctx.pos);
    const name = JSON.stringify(p.name);
    let lenExpr: string;
    let lenText: string;
    if (p.length.kind === "field") {
      const r = `r_${p.length.field}`;
      const count =
        p.length.zeroMeans !== undefined ? `(${r} === 0 ? ${p.length.zeroMeans} : ${r})` : r;
      lenExpr = p.length.unit === 1 ? count : `${count} * ${p.length.unit}`;
      lenText = `${p.length.field}${p.length.unit === 1 ? "" : ` × ${p.length.unit}`}`;
    } else {
      const trailer = rest.reduce((a, it) => a + (it.kind === "field" ? it.bits : 0), 0) / 8;
      lenExpr = mode === "decode" ? `$end - (${at}) - ${trailer}` : `f_${p.name}.length`;
      lenText = "remainder";
    }
    const props = [...ctx.props];
    const writes = [...ctx.writes];
    if (mode === "decode") {
      out.line(`const ${len} = ${lenExpr};`);
      out.line(
        `if (${len} < 0 || $end - (${at}) < ${len}) throw truncatedError(${JSON.stringify(`${this.format.name}.${p.name}`)}, ${len}, $end - (${at}), ${at});`,
      );
      out.line(
        `const f_${p.name} = new Uint8Array(bytes.buffer, bytes.byteOffset + ${at}, ${len});`,
      );
      props.push([p.name, `f_${p.name}`]);
    } else if (mode === "json") {
      if (p.length.kind === "field") {
        out.line(`const ${len} = ${lenExpr};`);
        out.line(`const f_${p.name} = jsonBytes($j[${name}], ${name}, ${len});`);
      } else {
        out.line(`const f_${p.name} = jsonBytes($j[${name}], ${name}, undefined);`);
      }
      props.push([p.name, `f_${p.name}`]);
    } else {
      out.line(`const f_${p.name} = $v[${name}];`);
      out.line(
        `if (!(f_${p.name} instanceof Uint8Array)) ${this.fail(mode, p.name, '"a Uint8Array"', `describeValue(f_${p.name})`)}`,
      );
      // Checkers need a remainder payload's length for nothing: only positions use it.
      if (p.length.kind === "field" || mode === "length" || mode === "into" || mode === "new")
        out.line(`const ${len} = ${lenExpr};`);
      if (p.length.kind === "field")
        out.line(
          `if (f_${p.name}.length !== ${len}) ${this.fail(mode, p.name, `\`\${${len}} bytes (${lenText})\``, `describeValue(f_${p.name})`)}`,
        );
      if (mode === "into" || mode === "new") {
        const pos = ctx.pos;
        writes.push((o) => o.line(`writeBytes($view, ${posExpr(pos)}, f_${p.name});`));
      }
    }
    return { ...ctx, pos: { dyn: [...ctx.pos.dyn, len], k: ctx.pos.k }, props, writes };
  }

  /**
   * Renders the deferred writes of a path into a writer function (once per variant) and
   * returns the call that passes it the checked values.
   */
  private writerCall(ctx: Ctx, index: number): string {
    const body = new Emitter();
    body.indent(() => {
      for (const w of ctx.writes) w(body);
    });
    const text = body.toString();
    const params: string[] = [];
    const args: string[] = [];
    for (const m of new Set(
      text.match(/(?<![\w$])(r_[A-Za-z0-9]+|f_[A-Za-z0-9]+|\$len\d+)(?![\w$])/g) ?? [],
    )) {
      let type = "number";
      if (m.startsWith("f_")) {
        const f = ctx.fields.get(m.slice(2));
        type =
          f === undefined || f.type === "bytes"
            ? "Uint8Array"
            : f.type === "bool"
              ? "boolean"
              : f.bits > 32
                ? "bigint"
                : "number";
      }
      params.push(`${m}: ${type}`);
      args.push(m);
    }
    const name = writerName(this.format, index);
    const fn = `function ${name}($view: DataView, $o: number${params.map((p) => `, ${p}`).join("")}): void {\n${text}}\n`;
    const previous = this.writers.get(index);
    if (previous !== undefined && previous !== fn)
      throw new Error(`writer ${name} differs between encoders`);
    this.writers.set(index, fn);
    return `${name}($view, $o${args.map((a) => `, ${a}`).join("")})`;
  }

  // ---- leaves ------------------------------------------------------------------------

  private leaf(ctx: Ctx, mode: Mode): void {
    const out = this.out;
    const index = this.pathIndex++;
    const object = `{ ${ctx.props.map(([k, e]) => (k === e ? k : `${k}: ${e}`)).join(", ")} }`;
    switch (mode) {
      case "decode":
      case "json":
        out.line(`return ${object};`);
        break;
      case "check":
        out.line("return true;");
        break;
      case "variant":
        out.line(`return ${index};`);
        break;
      case "length":
        out.line(`return ${relExpr(ctx.pos)};`);
        break;
      case "into":
        out.line(`const $size = ${relExpr(ctx.pos)};`);
        out.line(
          `if ($o < 0 || $o + $size > $view.byteLength) throw new EncodeError(\`${this.format.id} needs \${$size} bytes at offset \${$o}, the view has \${$view.byteLength}\`, { offset: $o });`,
        );
        out.line(`${this.writerCall(ctx, index)};`);
        out.line("return $size;");
        break;
      case "new":
        // Written into the shared scratch view, then copied into the result: a DataView over
        // each new array costs more than the encoding (bits `encodeScratch`).
        out.line(`const $size = ${relExpr(ctx.pos)};`);
        out.line("const $view = encodeScratch($size);");
        out.line(`${this.writerCall(ctx, index)};`);
        out.line("return takeScratch($size);");
        break;
    }
  }
}

/**
 * Name of the writer function of variant `index` of a format. A `$` separates the variant
 * number, so formats whose names end in digits cannot collide ("word" variant 10 and "word1"
 * variant 0 are `$writeWord$10` and `$writeWord1$0`).
 */
function writerName(format: FormatModel, index: number): string {
  return `$write${pascalCase(format.name)}$${index}`;
}

/** Every item of a layout, in every case (switches before their cases' items). */
function allItems(items: readonly ItemModel[]): ItemModel[] {
  return items.flatMap((it) =>
    it.kind === "switch" ? [it, ...it.cases.flatMap((c) => allItems(c.items))] : [it],
  );
}

/** Every field of a layout, in every case. */
function fieldsOf(items: readonly ItemModel[]): FieldModel[] {
  return allItems(items).filter((it): it is FieldModel => it.kind === "field");
}

/** Whether values of the layout have properties: value fields, payloads or tags. */
function hasProperties(items: readonly ItemModel[]): boolean {
  return allItems(items).some((it) =>
    it.kind === "field"
      ? it.type !== "reserved" && it.type !== "const"
      : it.kind === "payload" || it.tag !== undefined,
  );
}

/**
 * Names of the fields whose raw value the code of `mode` reads in `items`: discriminants that
 * a case compares, every discriminant of a switch without default where the mode reports
 * values that select no variant, and payload lengths.
 */
function keyFieldsOf(items: readonly ItemModel[], mode: Mode): Set<string> {
  const out = new Set<string>();
  const reportsNoVariant = mode !== "check" && mode !== "variant";
  for (const it of allItems(items)) {
    if (it.kind === "switch") {
      for (const c of it.cases) for (const k of Object.keys(c.when)) out.add(k);
      if (reportsNoVariant && !it.optional && it.cases.every((c) => Object.keys(c.when).length > 0))
        for (const k of it.on) out.add(k);
    } else if (it.kind === "payload" && it.length.kind === "field") out.add(it.length.field);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Module assembly

const RUNTIME_VALUES = [
  "DecodeError",
  "dataViewOf",
  "EncodeError",
  "decodeFieldError",
  "encodeFieldError",
  "describeValue",
  "hexNumber",
  "jsonBigUint",
  "jsonBool",
  "jsonBytes",
  "jsonEnum",
  "jsonObject",
  "jsonUint",
  "readBitsBig",
  "truncatedError",
  "writeBytes",
  "encodeScratch",
  "takeScratch",
];

function fieldTsType(f: FieldModel): string {
  switch (f.type) {
    case "bool":
      return "boolean";
    case "enum":
      return f.enum!.name;
    case "bytes":
      return "Uint8Array";
    default:
      return f.bits > 32 ? "bigint" : "number";
  }
}

/** Whether an enum's names by value are an array (else a record: values reach 2^32 - 1). */
function denseEnum(e: EnumModel): boolean {
  return Math.max(...e.values.map((v) => v.value)) < 4096;
}

/** Ids of the site pages showing an enum: the formats and register maps whose fields use it. */
function enumPageIds(spec: SpecModel, e: EnumModel): string[] {
  const ids = spec.formats
    .filter((f) =>
      layoutPaths(f).some((p) => p.elements.some((x) => x.kind === "field" && x.enum === e)),
    )
    .map((f) => f.id);
  const usesEnum = (nodes: readonly RegNodeModel[]): boolean =>
    nodes.some((n) =>
      n.kind === "register"
        ? n.fields.some((f) => f.enum === e)
        : n.kind === "regfile"
          ? usesEnum(n.registers)
          : false,
    );
  for (const m of spec.registerMaps)
    if (m.blocks.some((b) => usesEnum(b.nodes))) ids.push(`${spec.idPrefix}.${m.name}`);
  return ids;
}

function emitEnum(out: Emitter, spec: SpecModel, e: EnumModel): void {
  const n = enumNames(e);
  // The enum links to every site page that shows it (its table sits on each of them).
  const seePages = enumPageIds(spec, e)
    .map((id) => `\n\n@see [\`${id}\` reference page](./${sitePagePath(id)})`)
    .join("");
  out.raw(
    docComment(
      `${e.doc}\n\n${e.bits}-bit enum; values: ${e.values.map((v) => `\`${v.name}\` = ${v.value}`).join(", ")}.${seePages}`,
    ),
  );
  out.line(`export type ${n.type} = ${e.values.map((v) => JSON.stringify(v.name)).join(" | ")};`);
  out.line();
  const max = Math.max(...e.values.map((v) => v.value));
  out.raw(
    docComment(
      `Names of {@link ${n.type}} indexed by value (\`undefined\` for unused values).${seePages}`,
    ),
  );
  if (denseEnum(e)) {
    const arr: string[] = Array.from({ length: max + 1 }, () => "undefined");
    for (const v of e.values) arr[v.value] = JSON.stringify(v.name);
    out.line(`export const ${n.names}: readonly (${n.type} | undefined)[] = [${arr.join(", ")}];`);
  } else {
    out.line(
      `export const ${n.names}: { readonly [value: number]: ${n.type} | undefined } = { ${e.values.map((v) => `${v.value}: ${JSON.stringify(v.name)}`).join(", ")} };`,
    );
  }
  out.line();
  out.raw(
    docComment(
      `Value of a {@link ${n.type}} member, or -1 when \`name\` is not one.\n@param name - a member name${seePages}`,
    ),
  );
  out.block(`export function ${n.value}(name: unknown): number {`, () => {
    out.block("switch (name) {", () => {
      for (const v of e.values) out.line(`case ${JSON.stringify(v.name)}: return ${v.value};`);
      out.line("default: return -1;");
    });
  });
  out.line();
}

function emitFormat(out: Emitter, spec: SpecModel, format: FormatModel): void {
  const n = formatNames(format);
  const paths = layoutPaths(format);
  const fixed = formatByteSize(format);
  const gen = new FormatCodegen(format, out);
  const source = format.source ? `\n\nSource: ${format.source}.` : "";
  const lawsDoc =
    "Laws (checked for every format by `@rashpa/laws`): `decode(encode(v))` equals `v` for every valid `v`; " +
    "`encode(decode(b))` equals `b` for every canonical `b`; on any bytes the decoder returns or throws `DecodeError`; " +
    "encoders reject out-of-range values with an `EncodeError` naming the field.";

  // Every exported symbol of the format links to its page of the reference site.
  const seePage = `\n\n@see [\`${format.id}\` reference page](./${sitePagePath(format.id)})`;
  out.line(`// ${"-".repeat(86)}`);
  out.line(`// ${format.id}: ${format.title}`);
  out.line();
  // Variant types.
  const unionMembers: string[] = [];
  for (const p of paths) {
    const tn = variantTypeName(format, p.name);
    unionMembers.push(tn);
    const tags = p.choices.filter((c) => c.caseIndex >= 0 && c.switch.tag !== undefined);
    const doc =
      paths.length === 1
        ? `${format.title}. ${format.doc}${source}\n\nSpec: \`${spec.file}\`, format \`${format.id}\`.${seePage}`
        : `${format.title}, variant \`${p.name}\`. ${p.choices
            .map((c) => (c.caseIndex < 0 ? "" : c.switch.cases[c.caseIndex]!.doc))
            .filter((d) => d !== "")
            .join(" ")}${seePage}`;
    out.raw(docComment(doc));
    out.block(`export interface ${tn} {`, () => {
      const tagAt = new Map(tags.map((c) => [c.switch, c]));
      const emitted = new Set<SwitchModel>();
      for (const el of p.elements) {
        // A tag goes right before the first element of the case that it names.
        const tagHere = [...tagAt.entries()].find(
          ([sw, c]) =>
            !emitted.has(sw) &&
            c.switch.cases[c.caseIndex]!.items.some(
              (it) => it === el || (it.kind !== "switch" && it.name === el.name),
            ),
        );
        if (tagHere) {
          const [sw, c] = tagHere;
          emitted.add(sw);
          out.raw(
            docComment(`Variant tag (${sw.doc || `selected by ${sw.on.join(", ")}`}).`, "  "),
          );
          out.line(`${sw.tag}: ${JSON.stringify(c.switch.cases[c.caseIndex]!.name)};`);
        }
        if (el.kind === "field" && (el.type === "reserved" || el.type === "const")) continue;
        if (el.kind === "payload") {
          const lt =
            el.length.kind === "field"
              ? `length given by \`${el.length.field}\`${el.length.unit === 1 ? "" : ` × ${el.length.unit} bytes`}`
              : "the rest of the input";
          out.raw(docComment(`${el.doc}${el.doc ? " " : ""}(Payload: ${lt}.)`, "  "));
          out.line(`${el.name}: Uint8Array;`);
        } else {
          out.raw(
            docComment(
              `${el.doc}${el.doc ? " " : ""}(${el.bits} bit${el.bits === 1 ? "" : "s"}${el.type === "enum" ? `, enum ${el.enum!.name}` : ""}.)`,
              "  ",
            ),
          );
          out.line(`${el.name}: ${fieldTsType(el)};`);
        }
      }
      for (const [sw, c] of tagAt) {
        if (!emitted.has(sw)) {
          out.raw(docComment(`Variant tag (selected by ${sw.on.join(", ")}).`, "  "));
          out.line(`${sw.tag}: ${JSON.stringify(c.switch.cases[c.caseIndex]!.name)};`);
        }
      }
    });
    out.line();
  }
  // One variant named after its case (a switch of one case) still needs the format's type.
  if (unionMembers.length > 1 || unionMembers[0] !== n.type) {
    out.raw(
      docComment(
        `${format.title}. ${format.doc}${source}\n\nSpec: \`${spec.file}\`, format \`${format.id}\`.${seePage}`,
      ),
    );
    out.line(`export type ${n.type} = ${unionMembers.join(" | ")};`);
    out.line();
  }
  if (fixed !== undefined) {
    out.raw(docComment(`Size in bytes of every {@link ${n.type}}.${seePage}`));
    out.line(`export const ${n.bytesConst} = ${fixed};`);
    out.line();
  }

  out.raw(
    docComment(
      `Decodes a {@link ${n.type}} (${format.id}) starting at \`offset\`; bytes after it are ignored${paths.some((p) => p.elements.some((e) => e.kind === "payload" && e.length.kind === "remainder")) ? " (except by a remainder payload, which takes the rest)" : ""}.\n\n` +
        `Byte arrays in the result are copies.\n\n${lawsDoc}\n\n` +
        `@param bytes - input\n@param offset - byte offset of the value in \`bytes\`\n@returns the decoded value; its byte fields and payloads are views of \`bytes\` (no copy, as in protobuf-es): copy them (\`.slice()\`) to keep them while \`bytes\` is reused\n` +
        `@throws DecodeError naming the field, its byte offset, what was expected and what was found\n` +
        `@example\n\`\`\`ts\nconst value = ${n.decode}(bytes);\n\`\`\`${seePage}`,
    ),
  );
  out.block(`export function ${n.decode}(bytes: Uint8Array, offset = 0): ${n.type} {`, () => {
    out.line("const $o = offset;");
    out.line("const $end = bytes.length;");
    out.line(
      `if (!Number.isInteger($o) || $o < 0 || $o > $end) throw new DecodeError(\`offset \${$o} is outside the input (\${$end} bytes)\`, { offset: $o });`,
    );
    // Only bytes fields and ignored reserved fields: nothing is read through the view.
    if (fieldsOf(format.items).some((f) => f.type !== "bytes" && !f.ignore))
      out.line("const $view = dataViewOf(bytes);");
    gen.body("decode");
  });
  out.line();

  const enc = (fn: string, sig: string, mode: Mode, doc: string): void => {
    out.raw(docComment(doc));
    out.block(`export function ${fn}(${sig} {`, () => {
      if (mode === "check" || mode === "variant") {
        if (mode === "check")
          out.line('if (typeof value !== "object" || value === null) return false;');
        if (hasProperties(format.items))
          out.line("const $v = value as unknown as { readonly [key: string]: unknown };");
        else if (mode === "variant")
          out.line("void value; // only reserved and constant fields: one variant");
      } else {
        out.line("const $v = value as unknown as { readonly [key: string]: unknown };");
        out.line(
          `if (typeof $v !== "object" || $v === null) throw encodeFieldError(${JSON.stringify(format.name)}, "an object", describeValue($v));`,
        );
      }
      if (mode === "into") {
        out.line("const $o = offset;");
        out.line("const $view = view;");
      }
      if (mode === "new") out.line("const $o = 0;");
      gen.body(mode);
    });
    out.line();
  };
  enc(
    n.encodeInto,
    `view: DataView, offset: number, value: ${n.type}): number`,
    "into",
    `Encodes a {@link ${n.type}} (${format.id}) into \`view\` at \`offset\`. Every field is checked before anything is written.\n\n` +
      `@param view - target\n@param offset - byte offset in \`view\`\n@param value - value to encode\n@returns the number of bytes written\n` +
      `@throws EncodeError naming the first invalid field, or when \`view\` is too small${seePage}`,
  );
  const encodeDoc =
    `Encodes a {@link ${n.type}} (${format.id}) into a new byte array.\n\n${lawsDoc}\n\n` +
    `@param value - value to encode\n@returns the encoded bytes\n@throws EncodeError naming the first invalid field\n` +
    `@example\n\`\`\`ts\nconst bytes = ${n.encode}(value);\n\`\`\`${seePage}`;
  if (fixed !== undefined) {
    // Fixed size: allocate, then the same checked path as encodeInto.
    out.raw(docComment(encodeDoc));
    out.block(`export function ${n.encode}(value: ${n.type}): Uint8Array {`, () => {
      out.line(`${n.encodeInto}(encodeScratch(${fixed}), 0, value);`);
      out.line(`return takeScratch(${fixed});`);
    });
    out.line();
  } else
    enc(
      n.encode,
      `value: ${n.type}): Uint8Array`,
      "new",
      `Encodes a {@link ${n.type}} (${format.id}) into a new byte array.\n\n${lawsDoc}\n\n` +
        `@param value - value to encode\n@returns the encoded bytes\n@throws EncodeError naming the first invalid field\n` +
        `@example\n\`\`\`ts\nconst bytes = ${n.encode}(value);\n\`\`\`${seePage}`,
    );
  enc(
    n.byteLength,
    `value: ${n.type}): number`,
    "length",
    `Number of bytes {@link ${n.encode}} produces for \`value\`.\n\n@throws EncodeError naming the first invalid field${seePage}`,
  );
  enc(
    n.is,
    `value: unknown): value is ${n.type}`,
    "check",
    `Whether \`value\` is a valid {@link ${n.type}}: every field present, of the right type and in range, and tags and lengths consistent.${seePage}`,
  );
  enc(
    n.variantOf,
    `value: ${n.type}): number`,
    "variant",
    `Index in \`${n.info}.variants\` of the variant \`value\` takes, or -1 when it is not valid.${seePage}`,
  );
  out.raw(
    docComment(
      `Converts the JSON shape of a {@link ${n.type}} (see \`@rashpa/bits\` \`valueToJson\`) into a value. Variant tags may be omitted: the discriminants select the variant.\n\n` +
        `@param json - parsed JSON\n@throws EncodeError naming the offending field${seePage}`,
    ),
  );
  out.block(`export function ${n.fromJson}(json: unknown): ${n.type} {`, () => {
    if (hasProperties(format.items))
      out.line(`const $j = jsonObject(json, ${JSON.stringify(format.name)});`);
    else out.line(`jsonObject(json, ${JSON.stringify(format.name)});`);
    gen.body("json");
  });
  out.line();

  for (const [index, fn] of [...gen.writers].sort((a, b) => a[0] - b[0])) {
    out.line(`/** Writes variant ${index} of ${format.id} once every field has been checked. */`);
    out.raw(fn);
    out.line();
  }

  out.raw(
    docComment(
      `Everything about format \`${format.id}\` (${format.title}) in one record.${seePage}`,
    ),
  );
  out.block(
    `export const ${n.info}: FormatInfo<${n.type}> = {`,
    () => {
      out.line(`id: ${JSON.stringify(format.id)},`);
      out.line(`title: ${JSON.stringify(format.title)},`);
      out.line(`doc: ${JSON.stringify(format.doc.trim())},`);
      out.line(`spec: ${JSON.stringify(spec.file)},`);
      out.line(`fixedBytes: ${fixed === undefined ? "undefined" : fixed},`);
      out.block(
        "variants: [",
        () => {
          for (const p of paths) {
            const tags = p.choices
              .filter((c) => c.caseIndex >= 0 && c.switch.tag !== undefined)
              .map((c) => `${c.switch.tag}: ${JSON.stringify(c.switch.cases[c.caseIndex]!.name)}`);
            const values = new Set<FieldModel | PayloadModel>([
              ...valueFields(p),
              ...p.elements.filter((e) => e.kind === "payload"),
            ]);
            out.block(
              `{ name: ${JSON.stringify(p.name)}, tags: { ${tags.join(", ")} }, fields: [`,
              () => {
                for (const f of p.elements) {
                  if (!values.has(f)) continue;
                  if (f.kind === "payload")
                    out.line(
                      `{ name: ${JSON.stringify(f.name)}, kind: "payload", bits: 0, doc: ${JSON.stringify(f.doc)} },`,
                    );
                  else
                    out.line(
                      `{ name: ${JSON.stringify(f.name)}, kind: ${JSON.stringify(f.type)}, bits: ${f.bits}${f.enum ? `, enum: { ${f.enum.values.map((v) => `${JSON.stringify(v.name)}: ${v.value}`).join(", ")} }` : ""}, doc: ${JSON.stringify(f.doc)} },`,
                    );
                }
              },
              "] },",
            );
          }
        },
        "],",
      );
      out.line(`decode: ${n.decode},`);
      out.line(`encode: ${n.encode},`);
      out.line(`encodeInto: ${n.encodeInto},`);
      out.line(`byteLength: ${n.byteLength},`);
      out.line(`is: ${n.is},`);
      out.line(`fromJson: ${n.fromJson},`);
      out.line(`variantOf: ${n.variantOf},`);
    },
    "};",
  );
  out.line();
}

/** Header line of every generated file. */
export function generatedHeader(spec: SpecModel, comment = "//"): string {
  return `${comment} @generated by @rashpa/codegen from ${spec.file} — do not edit; run \`npm run generate\`.`;
}

/**
 * Generates the TypeScript codec module of a spec.
 *
 * @param spec - a loaded spec
 * @returns the module text
 */
export function generateTsCodecs(spec: SpecModel): string {
  const out = new Emitter();
  out.line(generatedHeader(spec));
  out.line("/**");
  out.line(` * ${spec.title}: codecs generated from \`${spec.file}\` (spec \`${spec.id}\`).`);
  if (spec.doc.trim() !== "")
    for (const l of spec.doc.trim().split("\n")) out.line(` *${l === "" ? "" : ` ${l}`}`);
  if (spec.source !== "") out.line(` *\n * Source: ${spec.source}.`);
  out.line(" *");
  out.line(" * @module");
  out.line(" */");
  out.line("/* eslint-disable */");
  const body = new Emitter();
  for (const e of spec.enums) emitEnum(body, spec, e);
  for (const f of spec.formats) emitFormat(body, spec, f);
  emitRegisterMaps(body, spec);
  body.raw(
    docComment(
      `Every format of \`${spec.file}\`.${spec.formats.map((f) => `\n\n@see [\`${f.id}\` reference page](./${sitePagePath(f.id)})`).join("")}`,
    ),
  );
  body.line(
    `export const ${camelCase(specBase(spec))}Formats: readonly AnyFormatInfo[] = [${spec.formats.map((f) => formatNames(f).info).join(", ")}];`,
  );
  const text = body.toString();
  const used = RUNTIME_VALUES.filter((name) => new RegExp(`\\b${name}\\b`).test(text));
  if (used.length > 0) out.line(`import { ${used.join(", ")} } from "@rashpa/bits";`);
  // A spec without formats (enums and registers only) uses no FormatInfo.
  const types = /\bFormatInfo\b/.test(text) ? "AnyFormatInfo, FormatInfo" : "AnyFormatInfo";
  out.line(`import type { ${types} } from "@rashpa/bits";`);
  for (const l of registerImports(text, spec.package)) out.line(l);
  out.line();
  return out.toString() + text;
}

function specBase(spec: SpecModel): string {
  return (spec.file.split("/").pop() ?? spec.file).replace(/\.ya?ml$/, "");
}
