/**
 * Random valid spec files for the generator-level property test (`random-specs.test.ts`).
 *
 * `randomSpecArbitrary()` builds spec texts procedurally from a fast-check `gen()` value, so
 * that a seed replays them. Every text is valid by construction:
 * - fixed runs of fields of any width (1..64) at any bit offset, padded with reserved (or
 *   const, or uint) fields so that every variable part and every case starts and ends on a
 *   byte boundary;
 * - switch cases and optional parts are only emitted when the values that take them exist
 *   given every condition met on the way (enclosing cases, earlier cases not taken, switches
 *   before them without a default, nested ones included), and a switch without default on a
 *   field that an earlier condition names accepts every value that reaches it, so no case is
 *   ruled out by what comes after it either;
 * - names are unique per format, except for names reused in sibling cases of one switch, and
 *   the generated type names (enums, formats, layout variants) never clash.
 *
 * @module
 */
import fc from "fast-check";

/** One generated spec file. */
export interface RandomSpec {
  /** Base name of the file (`<base>.yaml`). */
  readonly base: string;
  readonly text: string;
  /** Layout features it uses (for the coverage summary). */
  readonly features: readonly string[];
}

// ---------------------------------------------------------------------------------------
// Random source

const integerArb = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max });
const uniformArb = (min: number, max: number): fc.Arbitrary<number> =>
  fc.noBias(fc.integer({ min, max }));
const bigArb = (max: bigint): fc.Arbitrary<bigint> => fc.bigInt({ min: 0n, max });

class Rand {
  constructor(private readonly g: fc.GeneratorValue) {}

  /** An integer in `[min, max]`, biased towards small and edge values. */
  int(min: number, max: number): number {
    return this.g(integerArb, min, max);
  }

  /** An integer in `[min, max]`, uniform. */
  uniform(min: number, max: number): number {
    return this.g(uniformArb, min, max);
  }

  chance(p: number): boolean {
    return this.uniform(0, 999) < p * 1000;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.uniform(0, xs.length - 1)]!;
  }

  /** A value of `bits` bits (biased: 0, the maximum and small values are frequent). */
  bits(bits: number): bigint {
    return this.g(bigArb, (1n << BigInt(bits)) - 1n);
  }

  /** A field width: uniform, biased to small, or one of the widths where code paths change. */
  width(max = 64): number {
    const r = this.uniform(0, 9);
    if (r < 4) return this.uniform(1, max);
    if (r < 7) return this.int(1, max);
    const w = this.pick([1, 7, 8, 9, 15, 16, 17, 24, 25, 31, 32, 33, 40, 48, 52, 53, 54, 63, 64]);
    return Math.min(w, max);
  }
}

// ---------------------------------------------------------------------------------------
// Spec shape

interface EnumDef {
  readonly name: string;
  readonly bits: number;
  readonly values: readonly { readonly name: string; readonly value: number }[];
}

type FieldType = "uint" | "bool" | "enum" | "reserved" | "const" | "bytes";

interface FieldItem {
  readonly kind: "field";
  readonly name: string;
  readonly bits: number;
  readonly type: FieldType;
  readonly enum?: EnumDef;
  readonly value?: bigint;
  readonly ignore?: boolean;
  readonly at?: number;
}

/** Raw accepted values per discriminant (enum members and booleans as numbers). */
type When = ReadonlyMap<string, readonly number[]>;

interface CaseItem {
  readonly name: string;
  /** `undefined`: the default case. */
  readonly when: When | undefined;
  readonly items: readonly Item[];
}

interface SwitchItem {
  readonly kind: "switch";
  readonly on: readonly string[];
  readonly tag: string | undefined;
  readonly cases: readonly CaseItem[];
}

interface OptionalItem {
  readonly kind: "optional";
  readonly name: string;
  readonly when: When;
  readonly items: readonly Item[];
}

interface PayloadItem {
  readonly kind: "payload";
  readonly name: string;
  readonly length:
    | "remainder"
    | { readonly field: string; readonly unit: number; readonly zeroMeans: number | undefined };
  readonly maxBytes: number | undefined;
}

type Item = FieldItem | SwitchItem | OptionalItem | PayloadItem;

/** A field usable as a discriminant (uint of at most 32 bits, bool, enum). */
interface Disc {
  readonly name: string;
  readonly type: "uint" | "bool" | "enum";
  readonly bits: number;
  readonly enum: EnumDef | undefined;
}

// ---------------------------------------------------------------------------------------
// Path conditions: which discriminant values reach a point of the layout

/** Marker of "any value not named by a condition". */
const OTHER = -1;

/** A condition met on the way to a point of the layout. */
type Clause =
  | { readonly kind: "all"; readonly when: When } // this `when` holds
  | { readonly kind: "none"; readonly whens: readonly When[] } // none of them holds
  // One of the alternatives holds, each a list of clauses: after a switch, the condition of
  // one case and the conditions met inside it (a nested switch without default); after an
  // optional part, its absence, or its presence and the conditions inside.
  | { readonly kind: "or"; readonly alts: readonly (readonly Clause[])[] };

function whensOf(c: Clause): When[] {
  switch (c.kind) {
    case "all":
      return [c.when];
    case "none":
      return [...c.whens];
    case "or":
      return c.alts.flatMap((alt) => alt.flatMap(whensOf));
  }
}

function holds(when: When, a: ReadonlyMap<string, number>): boolean {
  for (const [k, vals] of when) {
    const v = a.get(k)!;
    if (v === OTHER || !vals.includes(v)) return false;
  }
  return true;
}

function clauseHolds(c: Clause, a: ReadonlyMap<string, number>): boolean {
  switch (c.kind) {
    case "all":
      return holds(c.when, a);
    case "none":
      return c.whens.every((w) => !holds(w, a));
    case "or":
      return c.alts.some((alt) => alt.every((x) => clauseHolds(x, a)));
  }
}

function domainSize(d: Disc): number {
  if (d.type === "bool") return 2;
  if (d.type === "enum") return d.enum!.values.length;
  return 2 ** d.bits;
}

/**
 * Whether some values of the discriminants meet every clause. Values are grouped into
 * classes (each value named by a clause, plus "any other"), so the search is exact.
 */
function satisfiable(clauses: readonly Clause[], domain: (field: string) => number): boolean {
  const named = new Map<string, Set<number>>();
  const note = (w: When): void => {
    for (const [k, vals] of w) {
      const s = named.get(k) ?? new Set<number>();
      for (const v of vals) s.add(v);
      named.set(k, s);
    }
  };
  for (const c of clauses) whensOf(c).forEach(note);
  const keys = [...named.keys()];
  const classes = keys.map((k) => {
    const list = [...named.get(k)!];
    if (list.length < domain(k)) list.push(OTHER);
    return list;
  });
  const a = new Map<string, number>();
  const visit = (i: number): boolean => {
    if (i === keys.length) return clauses.every((c) => clauseHolds(c, a));
    for (const v of classes[i]!) {
      a.set(keys[i]!, v);
      if (visit(i + 1)) return true;
    }
    return false;
  };
  return visit(0);
}

// ---------------------------------------------------------------------------------------
// Names

const FIELD_WORDS = [
  "addr",
  "len",
  "count",
  "kind",
  "mode",
  "flags",
  "seq",
  "id",
  "size",
  "crc",
  "ver",
  "hi",
  "lo",
  "status",
  "lineBytes",
  "streamId",
  "isLast",
  "hasExt",
  "wordCount",
  // C keywords: valid spec names that the C generator must not use as they are.
  "long",
  "short",
  "default",
  "signed",
  "char",
  "register",
];
const PAYLOAD_WORDS = ["data", "body", "payload", "tail", "blob", "chunk"];
const TAG_WORDS = ["variant", "layout", "form", "shape"];
const OPTIONAL_WORDS = ["ext", "extension", "digestPart", "opt", "extra"];
const CASE_WORDS = ["read", "write", "short", "long", "other", "dma", "inline", "small", "big"];
const CASE_WORDS2 = ["alpha", "beta", "gamma", "delta", "zeta", "eta", "theta", "iota", "kappa"];
// The two lists overlap: generated type names must not clash (enum Kind, format kind).
const FORMAT_WORDS = [
  "packet",
  "header",
  "frame",
  "record",
  "msg",
  "entry",
  "word",
  "kind",
  "mode",
];
const ENUM_WORDS = ["Kind", "Op", "Mode", "Status", "Level", "Frame", "Record", "Entry"];
const MEMBER_WORDS = ["idle", "busy", "image", "roi", "meta", "ack", "nak", "err", "done", "v1"];

/** `rx-frame` → `RxFrame`, as generated code names types. */
function pascalCase(kebab: string): string {
  return kebab
    .split("-")
    .map((p) => (p === "" ? "" : p[0]!.toUpperCase() + p.slice(1)))
    .join("");
}

/** Names of the layout variants of an item list, as `layoutPaths` names them ("" without). */
function variantNames(items: readonly Item[]): string[] {
  const i = items.findIndex((it) => it.kind === "switch" || it.kind === "optional");
  if (i < 0) return [""];
  const it = items[i] as SwitchItem | OptionalItem;
  const rest = items.slice(i + 1);
  const join = (a: string, b: string): string => (b === "" ? a : `${a}-${b}`);
  if (it.kind === "switch")
    return it.cases.flatMap((c) => variantNames([...c.items, ...rest]).map((v) => join(c.name, v)));
  const k = it.name.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);
  return [
    ...variantNames([...it.items, ...rest]).map((v) => join(k, v)),
    ...variantNames(rest).map((v) => join(`no-${k}`, v)),
  ];
}

/** Quotes a YAML scalar that would otherwise not read back as this string. */
function yamlString(s: string): string {
  return /^(true|false|null|yes|no|on|off|y|n|~)$/i.test(s) || /^[0-9.+-]/.test(s)
    ? JSON.stringify(s)
    : s;
}

// ---------------------------------------------------------------------------------------
// Builder

interface Scope {
  /** Names taken on this path. */
  readonly names: Set<string>;
  /** Discriminant-capable fields declared earlier on this path. */
  readonly discs: Map<string, Disc>;
  /** Conditions that hold on this path (items after a switch without default add one). */
  readonly cond: Clause[];
  /** Names declared in earlier sibling cases: this case may reuse them. */
  readonly reusable: readonly string[];
}

/** An item list under construction (lists start on a byte boundary). */
class ListState {
  readonly items: Item[] = [];
  /** Fixed bits since the start of the list (meaningful while `fixed`). */
  bits = 0;
  /** Bit position modulo 8. */
  align = 0;
  fixed = true;
  afterRemainder = false;
  /** Names declared in this list, nested ones included. */
  readonly declared = new Set<string>();

  constructor(
    readonly scope: Scope,
    /** Bit offset from the format start, while known. */
    public staticBits: number | undefined,
    afterRemainder: boolean,
  ) {
    this.afterRemainder = afterRemainder;
  }

  addFixed(bits: number): void {
    this.bits += bits;
    this.align = (this.align + bits) % 8;
    if (this.staticBits !== undefined) this.staticBits += bits;
  }

  variable(): void {
    this.fixed = false;
    this.staticBits = undefined;
  }
}

interface BuildOptions {
  /** Maximum nesting of switches and optional parts. */
  readonly maxDepth: number;
}

class SpecBuilder {
  private readonly enums: EnumDef[] = [];
  private readonly features = new Set<string>();
  private used = new Set<string>();
  /** Fields that size a payload (by name, per format): their `when` values stay small. */
  private lengthFields = new Set<string>();
  /**
   * Discriminant-capable fields of the format by name, those inside cases included (the
   * conditions met inside a case outlive it). A name reused with another width keeps the
   * larger domain.
   */
  private allDiscs = new Map<string, Disc>();
  /** Values named by `when`s (by field name, per format). */
  private named = new Map<string, Set<number>>();
  private counter = 0;

  constructor(
    private readonly r: Rand,
    private readonly options: BuildOptions,
  ) {}

  build(): RandomSpec {
    const r = this.r;
    const base =
      r.pick(["rnd", "rnd-spec", "wire", "link"]) + (r.chance(0.5) ? `-${r.uniform(0, 99)}` : "");
    const nFormats = r.int(1, 4);
    const formatNames = new Set<string>();
    const formats: [string, string, Item[]][] = [];
    for (let i = 0; i < nFormats; i++) {
      let name = r.pick(FORMAT_WORDS);
      if (r.chance(0.3)) name = `${r.pick(["tx", "rx", "ctl"])}-${name}`;
      while (formatNames.has(name)) name = `${name}${r.uniform(0, 9)}`;
      formatNames.add(name);
      this.used = new Set();
      this.lengthFields = new Set();
      this.allDiscs = new Map();
      this.named = new Map();
      const scope: Scope = { names: new Set(), discs: new Map(), cond: [], reusable: [] };
      const list = this.list(scope, 0, 0, false, true);
      if (list.items.length === 0) this.fixedRun(list, 1);
      this.padToByte(list);
      formats.push([name, `Random format ${i}`, list.items]);
    }
    // Generated code declares a type per enum, format and layout variant: rename formats
    // until no two share one (`kind` beside enum Kind becomes `kind3`).
    const types = new Set(this.enums.map((e) => e.name));
    for (const f of formats) {
      const variants = variantNames(f[2]);
      const typesOf = (n: string): string[] => [
        pascalCase(n),
        ...variants.filter((v) => v !== "").map((v) => pascalCase(n) + pascalCase(v)),
      ];
      while (typesOf(f[0]).some((t) => types.has(t))) f[0] = `${f[0]}${r.uniform(0, 9)}`;
      for (const t of typesOf(f[0])) types.add(t);
    }
    const idPrefix = r.chance(0.3) ? r.pick(["rx", "gen.t", "my-pfx"]) : undefined;
    const lines = [
      `# Random spec (random-specs.test.ts)`,
      `spec: rnd.${base}`,
      `title: Random spec ${base}`,
      `package: codegen`,
      ...(idPrefix ? [`idPrefix: ${idPrefix}`] : []),
      `byteOrder: big-endian`,
      `bitOrder: msb0`,
    ];
    if (this.enums.length > 0) {
      lines.push("enums:");
      for (const e of this.enums) {
        lines.push(`  ${e.name}:`, `    bits: ${e.bits}`, `    values:`);
        for (const v of e.values)
          lines.push(
            `      - { name: ${yamlString(v.name)}, value: ${this.num(BigInt(v.value))} }`,
          );
      }
    }
    lines.push("formats:");
    for (const [name, title, items] of formats) {
      lines.push(`  ${name}:`, `    title: ${title}`, `    fields:`);
      this.emitItems(items, "      ", lines);
    }
    return { base, text: `${lines.join("\n")}\n`, features: [...this.features].sort() };
  }

  // ---- names -------------------------------------------------------------------------

  private fresh(words: readonly string[]): string {
    const w = this.r.pick(words);
    if (!this.used.has(w) && this.r.chance(0.6)) {
      this.used.add(w);
      return w;
    }
    let n: string;
    do n = `${w}${this.counter++}`;
    while (this.used.has(n));
    this.used.add(n);
    return n;
  }

  /** A name for a new field or payload: fresh, or reused from an earlier sibling case. */
  private nameFor(st: ListState, words: readonly string[]): string {
    const reusable = st.scope.reusable.filter((n) => !st.scope.names.has(n));
    let name: string;
    if (reusable.length > 0 && this.r.chance(0.35)) {
      name = this.r.pick(reusable);
      this.features.add("name-reused-in-sibling-case");
    } else name = this.fresh(words);
    st.scope.names.add(name);
    st.declared.add(name);
    return name;
  }

  // ---- enums -------------------------------------------------------------------------

  private enumDef(): EnumDef {
    const r = this.r;
    if (this.enums.length > 0 && r.chance(0.4)) return r.pick(this.enums);
    const bits = r.chance(0.7) ? r.int(1, 6) : r.width(32);
    const domain = 2 ** bits;
    const count = r.uniform(1, Math.min(6, domain));
    const values = new Set<number>();
    if (r.chance(0.3)) values.add(0);
    if (r.chance(0.3)) values.add(domain - 1);
    if (bits >= 13 && r.chance(0.5)) values.add(r.uniform(4096, domain - 1));
    while (values.size < count)
      values.add(r.chance(0.5) ? r.uniform(0, domain - 1) : r.int(0, domain - 1));
    const memberNames = new Set<string>();
    const members = [...values].map((value) => {
      let name = r.pick(MEMBER_WORDS);
      while (memberNames.has(name)) name = `${name}-${r.uniform(0, 9)}`;
      memberNames.add(name);
      return { name, value };
    });
    let name = r.pick(ENUM_WORDS);
    while (this.enums.some((e) => e.name === name)) name = `${name}${r.uniform(0, 9)}`;
    const e: EnumDef = { name, bits, values: members };
    this.enums.push(e);
    if ([...values].some((v) => v >= 4096)) this.features.add("enum-value-4096-plus");
    if (values.size < domain) this.features.add("enum-sparse");
    return e;
  }

  // ---- fields ------------------------------------------------------------------------

  private addField(
    st: ListState,
    f: Omit<FieldItem, "kind" | "at" | "name">,
    words = FIELD_WORDS,
  ): FieldItem {
    const name =
      f.type === "reserved" || f.type === "const"
        ? this.fresh(["rsvd", "pad", "magic"])
        : this.nameFor(st, words);
    if (f.type === "reserved" || f.type === "const") {
      st.scope.names.add(name);
      st.declared.add(name);
    }
    let at: number | undefined;
    if (st.staticBits !== undefined && this.r.chance(0.2)) {
      at = st.staticBits;
      this.features.add("at");
    }
    const item: FieldItem = { kind: "field", name, ...f, ...(at !== undefined ? { at } : {}) };
    st.items.push(item);
    st.addFixed(f.bits);
    if ((f.type === "uint" && f.bits <= 32) || f.type === "bool" || f.type === "enum") {
      const d: Disc = { name, type: f.type, bits: f.bits, enum: f.enum };
      st.scope.discs.set(name, d);
      const prev = this.allDiscs.get(name);
      if (!prev || domainSize(prev) < domainSize(d)) this.allDiscs.set(name, d);
    } else st.scope.discs.delete(name);
    if (f.type === "uint" && f.bits > 32 && (st.align + 64 - f.bits) % 8 !== 0)
      this.features.add("wide-uint-unaligned");
    if (f.type === "uint" && f.bits === 64) this.features.add("uint-64");
    return item;
  }

  /** A filler of `bits` bits: reserved (sometimes ignored, often non-zero), const or uint. */
  private filler(st: ListState, bits: number): void {
    const r = this.r;
    const k = r.uniform(0, 9);
    if (k < 6) {
      const ignore = r.chance(0.3);
      this.addField(st, {
        type: "reserved",
        bits,
        value: r.bits(bits),
        ...(ignore ? { ignore } : {}),
      });
      this.features.add(ignore ? "reserved-ignore" : "reserved");
    } else if (k < 8) {
      this.addField(st, { type: "const", bits, value: r.bits(bits) });
      this.features.add("const");
    } else this.addField(st, { type: "uint", bits });
  }

  private padToByte(st: ListState): void {
    if (st.align !== 0) this.filler(st, 8 - st.align);
  }

  /** Pads a list by whole bytes. */
  private padBytes(st: ListState, bytes: number): void {
    let bits = bytes * 8;
    while (bits > 0) {
      const w = Math.min(bits, 64);
      this.filler(st, w);
      bits -= w;
    }
  }

  private randomField(st: ListState): void {
    const r = this.r;
    const k = r.uniform(0, 99);
    if (k < 38) this.addField(st, { type: "uint", bits: r.width() });
    else if (k < 48)
      this.addField(st, { type: "bool", bits: 1 }, [
        "isLast",
        "hasExt",
        "valid",
        "flag",
        "en",
        "bool",
        "true",
      ]);
    else if (k < 60) {
      const e = this.enumDef();
      this.addField(st, { type: "enum", bits: e.bits, enum: e }, [
        "kind",
        "op",
        "mode",
        "type",
        "status",
      ]);
    } else if (k < 75) {
      const bits = r.width();
      const ignore = r.chance(0.3);
      const value = r.chance(0.2) ? 0n : r.bits(bits);
      this.addField(st, { type: "reserved", bits, value, ...(ignore ? { ignore } : {}) });
      this.features.add(
        ignore ? "reserved-ignore" : value === 0n ? "reserved" : "reserved-nonzero",
      );
    } else if (k < 85) {
      const bits = r.width();
      this.addField(st, { type: "const", bits, value: r.bits(bits) });
      this.features.add("const");
    } else {
      this.padToByte(st);
      this.addField(st, { type: "bytes", bits: 8 * r.int(1, 12) }, [
        "key",
        "mac",
        "uuid",
        "digest",
      ]);
      this.features.add("bytes");
    }
  }

  private fixedRun(st: ListState, n: number): void {
    for (let i = 0; i < n; i++) this.randomField(st);
  }

  /** A new discriminant field (then the caller pads to a byte boundary). */
  private newDisc(st: ListState): Disc {
    const r = this.r;
    const k = r.uniform(0, 9);
    let f: FieldItem;
    if (k < 5)
      f = this.addField(st, { type: "uint", bits: r.chance(0.8) ? r.int(1, 8) : r.width(32) }, [
        "kind",
        "fmt",
        "mode",
        "sel",
        "type",
      ]);
    else if (k < 8) {
      const e = this.enumDef();
      f = this.addField(st, { type: "enum", bits: e.bits, enum: e }, ["kind", "op", "type"]);
    } else f = this.addField(st, { type: "bool", bits: 1 }, ["hasExt", "isWide", "long"]);
    return st.scope.discs.get(f.name)!;
  }

  // ---- conditions ----------------------------------------------------------------------

  /** Whether some discriminant values meet every clause at this point of the layout. */
  private sat(st: ListState, clauses: readonly Clause[]): boolean {
    return satisfiable(clauses, (k) => domainSize(st.scope.discs.get(k) ?? this.allDiscs.get(k)!));
  }

  /** Random accepted values of one discriminant, often reusing values named before. */
  private values(d: Disc, seen: readonly number[]): number[] {
    const r = this.r;
    const domain = d.type === "enum" ? d.enum!.values.map((v) => v.value) : undefined;
    const n = d.type === "bool" ? r.int(1, 2) : r.int(1, 3);
    const out = new Set<number>();
    // A payload length named by a case is the payload size of test values: keep it small.
    const isLength = this.lengthFields.has(d.name);
    const [min, max] = isLength ? [1, Math.min(2 ** d.bits - 1, 16)] : [0, 2 ** d.bits - 1];
    for (let i = 0; i < n; i++) {
      if (seen.length > 0 && r.chance(0.35)) out.add(r.pick(seen));
      else if (d.type === "bool") out.add(r.uniform(0, 1));
      else if (domain) out.add(r.pick(domain));
      else out.add(r.chance(0.5) ? r.int(min, max) : r.uniform(min, max));
    }
    const named = this.named.get(d.name) ?? new Set<number>();
    for (const v of out) named.add(v);
    this.named.set(d.name, named);
    return [...out];
  }

  private randomWhen(on: readonly Disc[], cond: readonly Clause[], earlier: readonly When[]): When {
    const r = this.r;
    const w = new Map<string, number[]>();
    const pickAt = on.length === 1 ? 0 : r.uniform(0, on.length);
    on.forEach((d, i) => {
      // With two discriminants: both, or only one of them.
      if (on.length > 1 && pickAt < on.length && i !== pickAt) return;
      const seen = [...cond.flatMap(whensOf), ...earlier].flatMap((x) => x.get(d.name) ?? []);
      w.set(d.name, this.values(d, seen));
    });
    return w;
  }

  // ---- variable parts ------------------------------------------------------------------

  private discriminants(st: ListState): Disc[] {
    const r = this.r;
    const n = r.chance(0.35) ? 2 : 1;
    const out: Disc[] = [];
    const visible = [...st.scope.discs.values()];
    for (let i = 0; i < n; i++) {
      const candidates = visible.filter((d) => !out.includes(d));
      if (candidates.length > 0 && r.chance(0.6)) out.push(r.pick(candidates));
      else out.push(this.newDisc(st));
    }
    return out;
  }

  private childScope(st: ListState, cond: readonly Clause[], reusable: readonly string[]): Scope {
    return {
      names: new Set(st.scope.names),
      discs: new Map(st.scope.discs),
      cond: [...cond],
      reusable,
    };
  }

  private switchItem(st: ListState, depth: number): void {
    const r = this.r;
    const on = this.discriminants(st);
    this.padToByte(st);
    const cond = [...st.scope.cond];
    // A switch without default rejects the values that no case names. On a field that an
    // earlier condition names, that could rule out an earlier case (`kind: 2` there, only
    // `kind: 1` accepted here): such a switch takes every value that reaches it.
    const total = on.some((d) => this.named.has(d.name));
    const whens: When[] = [];
    const nCases = r.int(1, 4);
    for (let i = 0; i < nCases; i++) {
      for (let attempt = 0; attempt < 8; attempt++) {
        const w = this.randomWhen(on, cond, whens);
        if (this.sat(st, [...cond, { kind: "none", whens }, { kind: "all", when: w }])) {
          whens.push(w);
          break;
        }
      }
    }
    const withDefault =
      (total || r.chance(0.5)) && this.sat(st, [...cond, { kind: "none", whens }]);
    if (whens.length === 0 && !withDefault) return;
    const tag = r.chance(0.5) ? this.fresh(TAG_WORDS) : undefined;
    if (tag !== undefined) {
      st.scope.names.add(tag);
      st.declared.add(tag);
      this.features.add("tag");
    }
    const caseWords = r.pick([CASE_WORDS, CASE_WORDS2]);
    const caseNames = new Set<string>();
    const caseName = (): string => {
      let n = r.pick(caseWords);
      while (caseNames.has(n)) n = `${n}${r.uniform(0, 9)}`;
      caseNames.add(n);
      return n;
    };
    const conds: { name: string; when: When | undefined; cond: Clause[] }[] = whens.map((w, i) => ({
      name: caseName(),
      when: w,
      cond: [...cond, { kind: "none", whens: whens.slice(0, i) }, { kind: "all", when: w }],
    }));
    if (withDefault) {
      conds.push({ name: caseName(), when: undefined, cond: [...cond, { kind: "none", whens }] });
      this.features.add("default-case");
    }
    const reusable: string[] = [];
    const lists = conds.map((c) => {
      const child = this.list(
        this.childScope(st, c.cond, reusable),
        depth + 1,
        st.staticBits,
        st.afterRemainder,
        false,
      );
      reusable.push(...[...child.declared].filter((n) => !reusable.includes(n)));
      return child;
    });
    // Sometimes pad fixed cases to one size: the switch then keeps the format's size fixed.
    if (lists.length > 1 && lists.every((l) => l.fixed) && r.chance(0.4)) {
      const max = Math.max(...lists.map((l) => l.bits));
      for (const l of lists) if (l.bits < max) this.padBytes(l, (max - l.bits) / 8);
      this.features.add("cases-of-one-size");
    }
    const sameSize = lists.every((l) => l.fixed && l.bits === lists[0]!.bits);
    st.items.push({
      kind: "switch",
      on: on.map((d) => d.name),
      tag,
      cases: conds.map((c, i) => ({ name: c.name, when: c.when, items: lists[i]!.items })),
    });
    this.features.add(on.length === 2 ? "switch-on-two" : "switch-on-one");
    if (depth > 0) this.features.add("nested-switch");
    for (const l of lists)
      for (const n of l.declared) {
        st.scope.names.add(n);
        st.declared.add(n);
      }
    if (sameSize) st.addFixed(lists[0]!.bits);
    else st.variable();
    st.afterRemainder ||= lists.some((l) => l.afterRemainder);
    // What follows is reached through one of the cases, and what was met inside it (a nested
    // switch without default accepts only some values).
    const inside = lists.map((l, i) => l.scope.cond.slice(conds[i]!.cond.length));
    if (!withDefault || inside.some((c) => c.length > 0))
      st.scope.cond.push({
        kind: "or",
        alts: conds.map((c, i) => [...c.cond.slice(cond.length), ...inside[i]!]),
      });
  }

  private optionalItem(st: ListState, depth: number): void {
    const r = this.r;
    const on = this.discriminants(st).slice(0, r.int(1, 2));
    this.padToByte(st);
    const cond = [...st.scope.cond];
    for (let attempt = 0; attempt < 8; attempt++) {
      const w = this.randomWhen(on, cond, []);
      const present = this.sat(st, [...cond, { kind: "all", when: w }]);
      const absent = this.sat(st, [...cond, { kind: "none", whens: [w] }]);
      if (!present || !absent) continue;
      const name = this.fresh(OPTIONAL_WORDS);
      st.scope.names.add(name);
      st.declared.add(name);
      const child = this.list(
        this.childScope(st, [...cond, { kind: "all", when: w }], []),
        depth + 1,
        st.staticBits,
        st.afterRemainder,
        false,
      );
      st.items.push({ kind: "optional", name, when: w, items: child.items });
      const inside = child.scope.cond.slice(cond.length + 1);
      if (inside.length > 0)
        st.scope.cond.push({
          kind: "or",
          alts: [[{ kind: "none", whens: [w] }], [{ kind: "all", when: w }, ...inside]],
        });
      for (const n of child.declared) {
        st.scope.names.add(n);
        st.declared.add(n);
      }
      st.variable();
      st.afterRemainder ||= child.afterRemainder;
      this.features.add("optional");
      return;
    }
  }

  private fieldPayload(st: ListState): void {
    const r = this.r;
    const small = (d: Disc): boolean =>
      [...(this.named.get(d.name) ?? [])].every((v) => v > 0 && v <= 16);
    const candidates = [...st.scope.discs.values()].filter((d) => d.type === "uint" && small(d));
    let len: Disc;
    let name: string | undefined;
    let fresh = false;
    if (candidates.length > 0 && r.chance(0.3)) {
      len = r.pick(candidates);
      this.features.add("length-field-declared-before");
    } else {
      fresh = true;
      if (r.chance(0.3)) name = this.fresh(PAYLOAD_WORDS);
      const bits = r.chance(0.7) ? r.int(1, 12) : r.width(32);
      const f = this.addField(
        st,
        { type: "uint", bits },
        name ? [`${name}Len`] : ["len", "count", "dwords"],
      );
      len = st.scope.discs.get(f.name)!;
    }
    this.padToByte(st);
    const unit = r.chance(0.5) ? 1 : r.pick([1, 2, 3, 4, 8, 16]);
    const fieldMax = 2 ** len.bits - 1;
    const zeroMeans =
      fresh && len.bits <= 12 && r.chance(0.35) ? fieldMax + r.int(1, 1000) : undefined;
    this.lengthFields.add(len.name);
    const maxCount = zeroMeans ?? fieldMax;
    const defaultMax = Math.min(unit * maxCount, 65536);
    // (Payloads of 64 KiB and more cost too much here: features.test.ts covers them.)
    const maxBytes = defaultMax <= 300 && r.chance(0.3) ? undefined : r.int(0, 48);
    if (name === undefined) name = this.nameFor(st, PAYLOAD_WORDS);
    else {
      st.scope.names.add(name);
      st.declared.add(name);
    }
    st.items.push({
      kind: "payload",
      name,
      length: { field: len.name, unit, zeroMeans },
      maxBytes,
    });
    st.variable();
    this.features.add("payload-by-field");
    if (unit !== 1) this.features.add("payload-unit");
    if (zeroMeans !== undefined) this.features.add("payload-zero-means");
    if (st.scope.cond.some((c) => c.kind === "all" && c.when.has(len.name)))
      this.features.add("length-field-is-discriminant");
  }

  private remainderPayload(st: ListState): void {
    const r = this.r;
    this.padToByte(st);
    const name = this.nameFor(st, PAYLOAD_WORDS);
    st.items.push({
      kind: "payload",
      name,
      length: "remainder",
      maxBytes: r.chance(0.3) ? undefined : r.int(0, 40),
    });
    st.variable();
    st.afterRemainder = true;
    this.features.add("payload-remainder");
    if (r.chance(0.8)) {
      this.fixedRun(st, r.int(1, 3));
      this.padToByte(st);
      this.features.add("remainder-trailer");
    }
  }

  // ---- lists ---------------------------------------------------------------------------

  private list(
    scope: Scope,
    depth: number,
    staticBits: number | undefined,
    afterRemainder: boolean,
    top: boolean,
  ): ListState {
    const r = this.r;
    const st = new ListState(scope, staticBits, afterRemainder);
    const steps = top ? r.int(1, 6) : r.int(0, 3);
    for (let s = 0; s < steps; s++) {
      const k = r.uniform(0, 99);
      const nested = depth < this.options.maxDepth;
      if (st.afterRemainder || k < 45) this.fixedRun(st, r.int(1, 4));
      else if (k < 65 && nested) this.switchItem(st, depth);
      else if (k < 75 && nested) this.optionalItem(st, depth);
      else if (k < 90) this.fieldPayload(st);
      else this.remainderPayload(st);
    }
    this.padToByte(st);
    return st;
  }

  // ---- YAML ----------------------------------------------------------------------------

  private num(v: bigint): string {
    return this.r.chance(0.4) ? `0x${v.toString(16)}` : v.toString();
  }

  private whenText(when: When, discs: ReadonlyMap<string, FieldItem>): string {
    const parts = [...when].map(([k, vals]) => {
      const f = discs.get(k);
      const text = vals.map((v) => {
        if (f?.type === "bool") return v === 1 ? "true" : "false";
        if (f?.type === "enum" && this.r.chance(0.8))
          return yamlString(f.enum!.values.find((m) => m.value === v)!.name);
        return this.num(BigInt(v));
      });
      return `${yamlString(k)}: ${text.length === 1 && this.r.chance(0.5) ? text[0] : `[${text.join(", ")}]`}`;
    });
    return `{ ${parts.join(", ")} }`;
  }

  private emitItems(
    items: readonly Item[],
    indent: string,
    lines: string[],
    fields = new Map<string, FieldItem>(),
  ): void {
    if (items.length === 0) {
      lines[lines.length - 1] += " []";
      return;
    }
    const visible = new Map(fields);
    for (const it of items) {
      switch (it.kind) {
        case "field": {
          const parts = [`name: ${yamlString(it.name)}`, `bits: ${it.bits}`];
          if (it.type === "enum") {
            if (this.r.chance(0.5)) parts.push("type: enum");
            parts.push(`enum: ${it.enum!.name}`);
          } else if (it.type !== "uint" || this.r.chance(0.2)) parts.push(`type: ${it.type}`);
          if (it.value !== undefined) parts.push(`value: ${this.num(it.value)}`);
          if (it.ignore) parts.push("ignore: true");
          if (it.at !== undefined) parts.push(`at: ${it.at}`);
          lines.push(`${indent}- { ${parts.join(", ")} }`);
          visible.set(it.name, it);
          break;
        }
        case "payload": {
          const length =
            it.length === "remainder"
              ? "remainder"
              : `{ ${[`field: ${yamlString(it.length.field)}`, ...(it.length.unit !== 1 || this.r.chance(0.2) ? [`unit: ${it.length.unit}`] : []), ...(it.length.zeroMeans !== undefined ? [`zeroMeans: ${it.length.zeroMeans}`] : [])].join(", ")} }`;
          lines.push(
            `${indent}- { payload: ${yamlString(it.name)}, length: ${length}${it.maxBytes !== undefined ? `, maxBytes: ${it.maxBytes}` : ""} }`,
          );
          break;
        }
        case "switch": {
          const on =
            it.on.length === 1 && this.r.chance(0.7)
              ? yamlString(it.on[0]!)
              : `[${it.on.map(yamlString).join(", ")}]`;
          lines.push(`${indent}- switch: ${on}`);
          if (it.tag !== undefined) lines.push(`${indent}  tag: ${yamlString(it.tag)}`);
          lines.push(`${indent}  cases:`);
          for (const c of it.cases) {
            lines.push(`${indent}    - name: ${yamlString(c.name)}`);
            if (c.when) lines.push(`${indent}      when: ${this.whenText(c.when, visible)}`);
            lines.push(`${indent}      fields:`);
            this.emitItems(c.items, `${indent}        `, lines, visible);
          }
          break;
        }
        case "optional":
          lines.push(`${indent}- optional: ${yamlString(it.name)}`);
          lines.push(`${indent}  when: ${this.whenText(it.when, visible)}`);
          lines.push(`${indent}  fields:`);
          this.emitItems(it.items, `${indent}    `, lines, visible);
          break;
      }
    }
  }
}

/**
 * Random valid spec files.
 *
 * @param options - nesting depth of switches and optional parts (default 2)
 */
export function randomSpecArbitrary(options: Partial<BuildOptions> = {}): fc.Arbitrary<RandomSpec> {
  const opts: BuildOptions = { maxDepth: options.maxDepth ?? 2 };
  return fc.gen().map((g) => new SpecBuilder(new Rand(g), opts).build());
}
