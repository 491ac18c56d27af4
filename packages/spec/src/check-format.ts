/**
 * Semantic checks of formats and their conversion to the model: layout (widths, byte
 * alignment of variable parts, declared offsets), references (enums, discriminants, length
 * fields), values that must fit their fields, and unreachable variants.
 *
 * @module
 */
import type { SpecSource, YamlPath } from "./_internals/source.js";
import { layoutPaths, pathSelectable } from "./layout.js";
import type {
  CaseModel,
  EnumModel,
  FieldModel,
  FormatModel,
  ItemModel,
  PayloadModel,
  SwitchModel,
} from "./model.js";
import type {
  CaseRaw,
  FieldRaw,
  FormatRaw,
  ItemRaw,
  OptionalRaw,
  PayloadRaw,
  SwitchRaw,
} from "./schema.js";

/** Layout position while walking a path: bits since the last variable-length part. */
interface Cursor {
  /** Bits since the start of the format, when no variable-length part came before. */
  readonly staticBits: number | undefined;
  /**
   * Bits since the last variable point (the format start, a payload end or the end of a
   * switch whose cases differ in size); `bits % 8` is always the position within the byte.
   */
  readonly bits: number;
  /** A `remainder` payload came before: only fixed fields may follow. */
  readonly afterRemainder: boolean;
}

/** Where a case is written, and whether its condition could be resolved. */
interface CaseSite {
  readonly path: YamlPath;
  /** Name of the optional part, for the case of an optional part. */
  readonly optional: string | undefined;
  /** A condition of its switch has a problem (already reported, maybe in an enum). */
  unresolved: boolean;
}

/** Names and fields visible at a point of a path. */
interface Scope {
  /** Fields declared earlier on this path (usable as discriminants and length fields). */
  readonly fields: Map<string, FieldModel>;
  /** Every property name already used on some path reaching this point. */
  readonly names: Map<string, YamlPath>;
  /** Every case of the format so far (shared by all scopes), with where it is written. */
  readonly cases: Map<CaseModel, CaseSite>;
}

const MAX_UINT_BITS = 64;
const MAX_DISCRIMINANT_BITS = 32;

/** Checks one format; reports problems to `src` and returns the model (even if flawed). */
export function checkFormat(
  src: SpecSource,
  name: string,
  raw: FormatRaw,
  idPrefix: string,
  enums: ReadonlyMap<string, EnumModel | undefined>,
): FormatModel {
  const path: YamlPath = ["formats", name];
  const scope: Scope = { fields: new Map(), names: new Map(), cases: new Map() };
  const problems = src.diagnostics.length;
  const { items, cursor } = checkItems(src, [...path, "fields"], raw.fields, scope, start(), enums);
  if (cursor.bits % 8 !== 0) {
    src.reportText(
      [...path, "fields"],
      "a layout of whole bytes",
      `${bitCount(cursor.bits % 8)} past the last byte (${bitCount(cursor.bits)})`,
      true,
    );
  }
  const format: FormatModel = {
    name,
    id: `${idPrefix}.${name}`,
    title: raw.title,
    doc: raw.doc ?? "",
    source: raw.source ?? "",
    items,
    loc: src.loc(path, true),
  };
  // Layout variants are only meaningful once everything else holds.
  if (src.diagnostics.length === problems) checkSelectable(src, format, scope.cases);
  return format;
}

/**
 * Every case must be taken by some valid value. Besides a case fully covered by earlier cases
 * of its switch (reported by {@link checkReachability}), a case can be ruled out by the other
 * conditions of the format: those of the case around it (`kind: 1` there, `kind: 2` here), or
 * of a switch without default on the same field before or after it. An optional part must be
 * present for some valid value.
 */
function checkSelectable(
  src: SpecSource,
  format: FormatModel,
  cases: ReadonlyMap<CaseModel, CaseSite>,
): void {
  if ([...cases.values()].some((c) => c.unresolved)) return;
  const taken = new Set<CaseModel>();
  for (const p of layoutPaths(format)) {
    if (!pathSelectable(p)) continue;
    for (const c of p.choices) if (c.caseIndex >= 0) taken.add(c.switch.cases[c.caseIndex]!);
  }
  for (const [c, { path, optional }] of cases) {
    if (taken.has(c)) continue;
    if (optional !== undefined)
      src.reportText(
        [...path, "optional"],
        "an optional part present for some discriminant value",
        `"${optional}" ruled out by other conditions of the format`,
      );
    else
      src.reportText(
        [...path, "name"],
        "a case reachable by some discriminant value",
        `case "${c.name}" ruled out by other conditions of the format`,
      );
  }
}

function start(): Cursor {
  return { staticBits: 0, bits: 0, afterRemainder: false };
}

function advance(c: Cursor, bits: number): Cursor {
  return {
    staticBits: c.staticBits === undefined ? undefined : c.staticBits + bits,
    bits: c.bits + bits,
    afterRemainder: c.afterRemainder,
  };
}

function checkItems(
  src: SpecSource,
  path: YamlPath,
  raws: readonly ItemRaw[],
  scopeIn: Scope,
  cursorIn: Cursor,
  enums: ReadonlyMap<string, EnumModel | undefined>,
): { items: ItemModel[]; cursor: Cursor } {
  const scope: Scope = {
    fields: new Map(scopeIn.fields),
    names: new Map(scopeIn.names),
    cases: scopeIn.cases,
  };
  let cursor = cursorIn;
  const items: ItemModel[] = [];
  raws.forEach((raw, i) => {
    const p = [...path, i];
    if ("switch" in raw) {
      const r = checkSwitch(src, p, raw, scope, cursor, enums);
      items.push(r.item);
      cursor = r.cursor;
    } else if ("optional" in raw) {
      const r = checkSwitch(src, p, raw, scope, cursor, enums);
      items.push(r.item);
      cursor = r.cursor;
    } else if ("payload" in raw) {
      items.push(checkPayload(src, p, raw, scope, cursor));
      cursor = {
        staticBits: undefined,
        bits: cursor.bits % 8,
        afterRemainder: cursor.afterRemainder || raw.length === "remainder",
      };
    } else {
      const f = checkField(src, p, raw, scope, cursor, enums);
      items.push(f);
      cursor = advance(cursor, f.bits);
    }
  });
  return { items, cursor };
}

function checkField(
  src: SpecSource,
  p: YamlPath,
  raw: FieldRaw,
  scope: Scope,
  cursor: Cursor,
  enums: ReadonlyMap<string, EnumModel | undefined>,
): FieldModel {
  const type = raw.type ?? (raw.enum !== undefined ? "enum" : "uint");
  const bits = raw.bits;
  claimNamed(src, scope, raw.name, p);
  switch (type) {
    case "bool":
      if (bits !== 1) src.report([...p, "bits"], "1 for a bool field", bits);
      break;
    case "bytes":
      if (bits % 8 !== 0) src.report([...p, "bits"], "a multiple of 8 for a bytes field", bits);
      else if (cursor.bits % 8 !== 0)
        src.reportText(
          [...p, "type"],
          "a bytes field starting on a byte boundary",
          `bit offset ${cursor.bits}`,
        );
      break;
    default:
      if (bits > MAX_UINT_BITS)
        src.report([...p, "bits"], `at most ${MAX_UINT_BITS} bits for ${a(type)} field`, bits);
  }
  let enumModel: EnumModel | undefined;
  if (type === "enum") {
    if (raw.enum === undefined)
      src.reportText([...p, "enum"], "the name of the enum of an enum field", 'no "enum" key');
    else {
      enumModel = enums.get(raw.enum);
      if (!enums.has(raw.enum))
        src.reportText(
          [...p, "enum"],
          `one of the enums declared in this spec (${[...enums.keys()].join(", ") || "none"})`,
          `"${raw.enum}"`,
        );
      else if (enumModel && enumModel.bits !== bits)
        src.reportText(
          [...p, "bits"],
          `${enumModel.bits} bits, the width of enum ${enumModel.name}`,
          String(bits),
        );
    }
  } else if (raw.enum !== undefined) {
    src.reportText(
      [...p, "enum"],
      'no "enum" key on a field that is not of type enum',
      `enum on ${a(type)} field`,
      true,
    );
  }
  if (type === "reserved" || type === "const") {
    if (raw.value === undefined)
      src.reportText([...p, "value"], `the value of ${a(type)} field`, 'no "value" key');
    else if (bits <= MAX_UINT_BITS && raw.value >= 1n << BigInt(bits))
      src.reportText(
        [...p, "value"],
        `a value that fits in ${bitCount(bits)} (at most ${(1n << BigInt(bits)) - 1n})`,
        raw.value.toString(),
      );
  } else if (raw.value !== undefined) {
    src.reportText(
      [...p, "value"],
      'no "value" key on a field that is not reserved or const',
      `value on ${a(type)} field`,
      true,
    );
  }
  if (raw.ignore !== undefined && type !== "reserved")
    src.reportText(
      [...p, "ignore"],
      'no "ignore" key on a field that is not reserved',
      `ignore on ${a(type)} field`,
      true,
    );
  if (raw.at !== undefined) {
    if (cursor.staticBits === undefined)
      src.reportText(
        [...p, "at"],
        "no fixed bit offset after a variable-length part",
        `at: ${raw.at}`,
      );
    else if (cursor.staticBits !== raw.at)
      src.reportText(
        [...p, "at"],
        `bit offset ${cursor.staticBits} (where the layout puts "${raw.name}")`,
        `${raw.at}`,
      );
  }
  const field: FieldModel = {
    kind: "field",
    name: raw.name,
    bits,
    type,
    enum: enumModel,
    value: raw.value,
    ignore: raw.ignore ?? false,
    doc: raw.doc ?? "",
    source: raw.source ?? "",
    loc: src.loc(p),
  };
  scope.fields.set(raw.name, field);
  return field;
}

/** "a uint", "an enum": a field type with its article. */
function a(type: string): string {
  return `${type === "enum" ? "an" : "a"} ${type}`;
}

/** "1 bit", "4 bits". */
export function bitCount(n: number): string {
  return `${n} bit${n === 1 ? "" : "s"}`;
}

function claimNamed(src: SpecSource, scope: Scope, name: string, p: YamlPath, key = "name"): void {
  const prev = scope.names.get(name);
  if (prev) {
    const at = src.loc(prev);
    src.reportText(
      [...p, key],
      "a name not used before in this format",
      `"${name}" (already used at line ${at.line})`,
    );
  } else {
    scope.names.set(name, p);
  }
}

function checkPayload(
  src: SpecSource,
  p: YamlPath,
  raw: PayloadRaw,
  scope: Scope,
  cursor: Cursor,
): PayloadModel {
  claimNamed(src, scope, raw.payload, p, "payload");
  if (cursor.bits % 8 !== 0)
    src.reportText(
      [...p, "payload"],
      "a payload starting on a byte boundary",
      `bit offset ${cursor.bits}`,
    );
  if (cursor.afterRemainder)
    src.reportText(
      [...p, "payload"],
      "no payload after a remainder payload",
      `payload "${raw.payload}"`,
    );
  let length: PayloadModel["length"];
  let maxBytes = raw.maxBytes;
  if (raw.length === "remainder") {
    length = { kind: "remainder" };
    maxBytes ??= 256;
  } else {
    const lf = raw.length;
    const f = scope.fields.get(lf.field);
    const unit = lf.unit ?? 1;
    if (!f) {
      src.reportText(
        [...p, "length", "field"],
        "a uint field declared earlier on this path",
        `"${lf.field}"`,
      );
    } else if (f.type !== "uint" || f.bits > 32) {
      src.reportText(
        [...p, "length", "field"],
        "a uint field of at most 32 bits",
        `${f.type} field "${f.name}" of ${bitCount(f.bits)}`,
      );
    } else if (lf.zeroMeans !== undefined && lf.zeroMeans <= 2 ** f.bits - 1) {
      src.reportText(
        [...p, "length", "zeroMeans"],
        `a count above the field's largest value ${2 ** f.bits - 1}`,
        String(lf.zeroMeans),
      );
    }
    const maxCount = f ? (lf.zeroMeans ?? 2 ** Math.min(f.bits, 32) - 1) : 0;
    maxBytes ??= Math.min(unit * maxCount, 65536);
    length = { kind: "field", field: lf.field, unit, zeroMeans: lf.zeroMeans };
  }
  return {
    kind: "payload",
    name: raw.payload,
    length,
    maxBytes,
    doc: raw.doc ?? "",
    source: raw.source ?? "",
    loc: src.loc(p),
  };
}

function checkSwitch(
  src: SpecSource,
  p: YamlPath,
  raw: SwitchRaw | OptionalRaw,
  scope: Scope,
  cursor: Cursor,
  enums: ReadonlyMap<string, EnumModel | undefined>,
): { item: SwitchModel; cursor: Cursor } {
  const optional = "optional" in raw;
  const cases: CaseRaw[] = optional
    ? [
        {
          name: raw.optional.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`),
          when: raw.when,
          fields: raw.fields,
        },
      ]
    : raw.cases;
  const on = optional
    ? Object.keys(raw.when)
    : typeof raw.switch === "string"
      ? [raw.switch]
      : raw.switch;
  const onKey = optional ? "when" : "switch";
  const tag = optional ? undefined : raw.tag;
  if (cursor.bits % 8 !== 0)
    src.reportText(
      [...p, onKey],
      `a ${optional ? "optional part" : "switch"} starting on a byte boundary`,
      `bit offset ${cursor.bits}`,
      true,
    );
  if (cursor.afterRemainder)
    src.reportText(
      [...p, onKey],
      `no ${optional ? "optional part" : "switch"} after a remainder payload`,
      "a variable layout after the remainder",
      true,
    );
  if (optional) claimNamed(src, scope, raw.optional, p, "optional");
  if (tag !== undefined) {
    const prev = scope.names.get(tag);
    if (prev)
      src.reportText(
        [...p, "tag"],
        "a tag name not used by a field",
        `"${tag}" (already used at line ${src.loc(prev).line})`,
      );
    else scope.names.set(tag, [...p, "tag"]);
  }

  // Discriminants must be plain fields declared before.
  const discs = new Map<string, FieldModel>();
  on.forEach((name, i) => {
    const f = scope.fields.get(name);
    const at: YamlPath = optional
      ? [...p, "when", name]
      : typeof raw.switch === "string"
        ? [...p, "switch"]
        : [...p, "switch", i];
    if (!f) src.reportText(at, "a field declared earlier on this path", `"${name}"`, optional);
    else if (f.type !== "uint" && f.type !== "enum" && f.type !== "bool")
      src.reportText(
        at,
        "a uint, enum or bool field as discriminant",
        `${f.type} field "${name}"`,
        optional,
      );
    else if (f.bits > MAX_DISCRIMINANT_BITS)
      src.reportText(
        at,
        `a discriminant of at most ${MAX_DISCRIMINANT_BITS} bits`,
        `${f.bits} bits`,
        optional,
      );
    else discs.set(name, f);
  });

  const caseNames = new Set<string>();
  const models: CaseModel[] = [];
  const ends: Cursor[] = [];
  const afterNames = new Map(scope.names);
  // A condition with a problem (already reported) makes reachability meaningless.
  let unresolved = false;
  cases.forEach((c, ci) => {
    const cp: YamlPath = optional ? p : [...p, "cases", ci];
    if (!optional) {
      if (caseNames.has(c.name))
        src.reportText(
          [...cp, "name"],
          "a case name not used before in this switch",
          `"${c.name}"`,
        );
      caseNames.add(c.name);
    }
    const when: Record<string, number[]> = {};
    for (const [k, v] of Object.entries(c.when ?? {})) {
      const wp: YamlPath = [...cp, "when", k];
      if (!on.includes(k)) {
        src.reportText(wp, `a condition on a discriminant (${on.join(", ")})`, `"${k}"`, true);
        unresolved = true;
        continue;
      }
      const f = discs.get(k);
      if (!f) continue;
      const vals = Array.isArray(v) ? v : [v];
      when[k] = [];
      vals.forEach((val, vi) => {
        const vp = Array.isArray(v) ? [...wp, vi] : wp;
        const n = resolveWhenValue(src, vp, f, val);
        if (n !== undefined) when[k]!.push(n);
        else unresolved = true;
      });
    }
    const caseScope: Scope = { fields: scope.fields, names: scope.names, cases: scope.cases };
    const r = checkItems(src, [...cp, "fields"], c.fields, caseScope, cursor, enums);
    // A case must end at the byte alignment it started at (a misaligned start is reported
    // once, on the switch). After a payload inside the case only the tail can be measured.
    if (r.cursor.bits % 8 !== cursor.bits % 8)
      src.reportText(
        [...cp, "fields"],
        "a case of whole bytes",
        cursor.staticBits !== undefined && r.cursor.staticBits !== undefined
          ? bitCount(r.cursor.staticBits - cursor.staticBits)
          : `${bitCount(r.cursor.bits % 8)} past the last byte`,
        true,
      );
    // Names declared in any case are taken for the items after the switch.
    collectNames(r.items, [...cp, "fields"], afterNames);
    ends.push(r.cursor);
    const model: CaseModel = {
      name: c.name,
      when,
      items: r.items,
      doc: c.doc ?? "",
      loc: src.loc(cp),
    };
    scope.cases.set(model, {
      path: cp,
      optional: optional ? raw.optional : undefined,
      unresolved: false,
    });
    models.push(model);
  });

  if (!unresolved) checkReachability(src, p, optional, on, discs, models);
  else for (const m of models) scope.cases.get(m)!.unresolved = true;

  for (const [k, v] of afterNames) if (!scope.names.has(k)) scope.names.set(k, v);

  const sameEnd = ends.every(
    (e) => e.staticBits !== undefined && e.staticBits === ends[0]?.staticBits,
  );
  let out: Cursor;
  if (!optional && sameEnd && ends[0] !== undefined && cursor.staticBits !== undefined)
    out = ends[0];
  else
    out = {
      staticBits: undefined,
      bits: cursor.bits % 8,
      afterRemainder: cursor.afterRemainder || ends.some((e) => e.afterRemainder),
    };
  const name = optional ? raw.optional : (tag ?? on.join("-"));
  return {
    item: {
      kind: "switch",
      name,
      on,
      tag,
      optional,
      cases: models,
      doc: raw.doc ?? "",
      loc: src.loc(p),
    },
    cursor: out,
  };
}

function collectNames(
  items: readonly ItemModel[],
  path: YamlPath,
  into: Map<string, YamlPath>,
): void {
  for (const it of items) {
    if (it.kind === "field" && it.type !== "reserved") into.set(it.name, path);
    else if (it.kind === "payload") into.set(it.name, path);
    else if (it.kind === "switch") {
      if (it.tag) into.set(it.tag, path);
      for (const c of it.cases) collectNames(c.items, path, into);
    }
  }
}

function resolveWhenValue(
  src: SpecSource,
  vp: YamlPath,
  f: FieldModel,
  val: number | string | boolean,
): number | undefined {
  if (f.type === "bool") {
    if (typeof val === "boolean") return val ? 1 : 0;
    src.report(vp, `true or false for bool field "${f.name}"`, val);
    return undefined;
  }
  // An enum field whose enum is unknown or has problems: already reported.
  if (f.type === "enum" && !f.enum) return undefined;
  if (f.type === "enum" && f.enum) {
    if (typeof val === "string") {
      const m = f.enum.values.find((e) => e.name === val);
      if (m) return m.value;
      src.reportText(
        vp,
        `a member of enum ${f.enum.name} (${f.enum.values.map((e) => e.name).join(", ")})`,
        `"${val}"`,
      );
      return undefined;
    }
    if (typeof val === "number") {
      if (!f.enum.values.some((e) => e.value === val)) {
        src.reportText(vp, `a value of enum ${f.enum.name}`, String(val));
        return undefined;
      }
      return val;
    }
    src.report(vp, `a member of enum ${f.enum.name}`, val);
    return undefined;
  }
  if (typeof val !== "number") {
    src.report(vp, `an integer for uint field "${f.name}"`, val);
    return undefined;
  }
  if (val > 2 ** f.bits - 1) {
    src.reportText(
      vp,
      `a value that fits field "${f.name}" (${f.bits} bits, at most ${2 ** f.bits - 1})`,
      String(val),
    );
    return undefined;
  }
  return val;
}

/**
 * A case is unreachable when every combination of discriminant values it accepts is taken
 * by earlier cases. Values are grouped into classes: each value named by some case, plus one
 * class for "any other value", so the check is exact with few combinations.
 */
function checkReachability(
  src: SpecSource,
  p: YamlPath,
  optional: boolean,
  on: readonly string[],
  discs: ReadonlyMap<string, FieldModel>,
  cases: readonly CaseModel[],
): void {
  if (optional || on.some((k) => !discs.has(k))) return;
  const OTHER = -1;
  const classes = on.map((k) => {
    const named = new Set<number>();
    for (const c of cases) for (const v of c.when[k] ?? []) named.add(v);
    const f = discs.get(k)!;
    const domain = f.type === "enum" && f.enum ? f.enum.values.length : 2 ** f.bits;
    const list = [...named];
    if (list.length < domain) list.push(OTHER);
    return list;
  });
  const total = classes.reduce((a, c) => a * c.length, 1);
  if (total > 1 << 16) return;
  const covered = new Set<string>();
  const accepts = (c: CaseModel, combo: number[]): boolean =>
    on.every((k, i) => {
      const vals = c.when[k];
      return vals === undefined || (combo[i] !== OTHER && vals.includes(combo[i]!));
    });
  const combos: number[][] = [];
  const build = (i: number, acc: number[]): void => {
    if (i === on.length) combos.push(acc);
    else for (const v of classes[i]!) build(i + 1, [...acc, v]);
  };
  build(0, []);
  cases.forEach((c, ci) => {
    let fresh = false;
    for (const combo of combos) {
      if (!accepts(c, combo)) continue;
      const key = combo.join(",");
      if (!covered.has(key)) {
        fresh = true;
        covered.add(key);
      }
    }
    if (!fresh) {
      src.reportText(
        [...p, "cases", ci, "name"],
        "a case reachable by some discriminant value",
        `case "${c.name}" fully covered by earlier cases`,
      );
    }
  });
}
