/**
 * Generator of fast-check arbitraries: for every format `X`, `arbX` produces valid values of
 * every variant (one arbitrary per variant that some values select, combined with
 * `fc.oneof`). Discriminants take the values their case names; a `filter` on the generated
 * `xVariantOf` removes the few combinations an earlier case would take first. Lengths and
 * payloads agree.
 *
 * Arbitraries live in their own module (`<base>.arb.ts`) so that fast-check stays an optional
 * peer dependency of the codec packages.
 *
 * @module
 */
import type { FieldModel, FormatModel, ItemModel, PayloadModel, SpecModel } from "@rashpa/spec";
import { layoutPaths, pathSelectable, valueFields } from "@rashpa/spec";
import type { LayoutPath } from "@rashpa/spec";
import { Emitter } from "./_internals/emitter.js";
import { camelCase, docComment, specBaseName } from "./names.js";
import { formatNames, generatedHeader, variantTypeName } from "./ts-codec.js";

/** Raw values a path's choices allow for a discriminant (`undefined`: unconstrained). */
function allowedValues(path: LayoutPath, field: string): number[] | undefined {
  let allowed: number[] | undefined;
  for (const c of path.choices) {
    if (c.caseIndex < 0) continue;
    const vals = c.switch.cases[c.caseIndex]!.when[field];
    if (vals === undefined) continue;
    allowed = allowed === undefined ? [...vals] : allowed.filter((v) => vals.includes(v));
  }
  return allowed;
}

/** Raw values that some `when` of the layout names, per discriminant. */
function namedValues(
  items: readonly ItemModel[],
  into = new Map<string, Set<number>>(),
): Map<string, Set<number>> {
  for (const it of items) {
    if (it.kind !== "switch") continue;
    for (const c of it.cases) {
      for (const [k, vals] of Object.entries(c.when)) {
        const set = into.get(k) ?? new Set<number>();
        for (const v of vals) set.add(v);
        into.set(k, set);
      }
      namedValues(c.items, into);
    }
  }
  return into;
}

function fieldArb(
  f: FieldModel,
  path: LayoutPath,
  lengthFields: Map<string, PayloadModel>,
  named: ReadonlyMap<string, ReadonlySet<number>>,
): string {
  const allowed = allowedValues(path, f.name);
  const payload = lengthFields.get(f.name);
  if (payload && payload.length.kind === "field") {
    // A length field that is also a discriminant: the variant's cases fix the count.
    if (allowed) return `fc.constantFrom(${allowed.join(", ")})`;
    const { unit, zeroMeans } = payload.length;
    const fieldMax = 2 ** f.bits - 1;
    const maxCount = Math.min(fieldMax, Math.floor(payload.maxBytes / unit));
    const min = zeroMeans !== undefined && zeroMeans * unit > payload.maxBytes ? 1 : 0;
    const counts = `fc.integer({ min: ${min}, max: ${Math.max(min, maxCount)} })`;
    // A variant that no named count selects (a default case, an absent optional part) takes
    // any count that no case names: offer the one of the shortest payload, which may lie
    // above maxBytes (0 when it means zeroMeans: only if every other count is named).
    const names = named.get(f.name);
    if (names === undefined) return counts;
    let other: number | undefined;
    for (let c = zeroMeans === undefined ? 0 : 1; c <= fieldMax && other === undefined; c++)
      if (!names.has(c)) other = c;
    if (other === undefined && !names.has(0)) other = 0;
    return other === undefined ? counts : `fc.oneof(${counts}, fc.constant(${other}))`;
  }
  switch (f.type) {
    case "bool":
      return allowed
        ? `fc.constantFrom(${allowed.map((v) => String(v === 1)).join(", ")})`
        : "fc.boolean()";
    case "enum": {
      const names = f
        .enum!.values.filter((v) => !allowed || allowed.includes(v.value))
        .map((v) => JSON.stringify(v.name));
      return `fc.constantFrom(${names.join(", ")})`;
    }
    case "bytes":
      return `fc.uint8Array({ minLength: ${f.bits / 8}, maxLength: ${f.bits / 8} })`;
    default:
      if (allowed) return `fc.constantFrom(${allowed.join(", ")})`;
      if (f.bits > 32)
        return `fc.bigInt({ min: 0n, max: 0x${((1n << BigInt(f.bits)) - 1n).toString(16)}n })`;
      return `fc.integer({ min: 0, max: ${2 ** f.bits - 1} })`;
  }
}

function emitFormatArb(out: Emitter, format: FormatModel): void {
  const n = formatNames(format);
  const paths = layoutPaths(format);
  const named = namedValues(format.items);
  const variantArbs: string[] = [];
  paths.forEach((p, i) => {
    // A variant that combines exclusive choices has no values (see pathSelectable).
    if (!pathSelectable(p)) return;
    const vt = variantTypeName(format, p.name);
    const tn = `types.${vt}`;
    const payloads = p.elements.filter((e): e is PayloadModel => e.kind === "payload");
    const lengthFields = new Map<string, PayloadModel>();
    for (const pl of payloads)
      if (pl.length.kind === "field") lengthFields.set(pl.length.field, pl);
    const tags = p.choices.filter((c) => c.caseIndex >= 0 && c.switch.tag !== undefined);
    const entries = [
      ...valueFields(p).map((f) => `${f.name}: ${fieldArb(f, p, lengthFields, named)}`),
      ...tags.map(
        (c) => `${c.switch.tag}: fc.constant(${JSON.stringify(c.switch.cases[c.caseIndex]!.name)})`,
      ),
    ];
    const name = paths.length === 1 ? n.arb : `${n.arb}${vt.slice(n.type.length)}`;
    const recordType =
      payloads.length === 0
        ? tn
        : `Omit<${tn}, ${payloads.map((pl) => JSON.stringify(pl.name)).join(" | ")}>`;
    let expr = `fc.record<${recordType}>({ ${entries.join(", ")} })`;
    if (payloads.length > 0) {
      const parts = payloads.map((pl) => {
        if (pl.length.kind === "remainder")
          return `${pl.name}: fc.uint8Array({ maxLength: ${pl.maxBytes} })`;
        const { field, unit, zeroMeans } = pl.length;
        const count =
          zeroMeans !== undefined ? `(v.${field} === 0 ? ${zeroMeans} : v.${field})` : `v.${field}`;
        const len = unit === 1 ? count : `${count} * ${unit}`;
        return `${pl.name}: fc.uint8Array({ minLength: ${len}, maxLength: ${len} })`;
      });
      expr += `\n    .chain((v): fc.Arbitrary<${tn}> => fc.record({ ${parts.join(", ")} }).map((pl) => ({ ...v, ...pl }) as ${tn}))`;
    }
    const constrained = p.choices.length > 0;
    if (constrained) expr += `\n    .filter((v) => ${n.variantOf}(v) === ${i})`;
    if (paths.length > 1) {
      out.raw(docComment(`Valid values of variant \`${p.name}\` of ${format.id}.`));
    } else {
      out.raw(
        docComment(
          `Valid values of ${format.id} (${format.title}), edge values included (fast-check bias).`,
        ),
      );
    }
    out.line(`export const ${name}: fc.Arbitrary<${tn}> = ${expr};`);
    out.line();
    variantArbs.push(name);
  });
  if (paths.length > 1) {
    out.raw(
      docComment(
        `Valid values of ${format.id} (${format.title}), every variant, edge values included (fast-check bias).`,
      ),
    );
    out.line(
      `export const ${n.arb}: fc.Arbitrary<types.${n.type}> = fc.oneof(${variantArbs.join(", ")});`,
    );
    out.line();
  }
}

/**
 * Generates the arbitraries module of a spec.
 *
 * @param spec - a loaded spec
 * @returns the module text
 */
export function generateTsArbitraries(spec: SpecModel): string {
  const out = new Emitter();
  const base = specBaseName(spec.file);
  out.line(generatedHeader(spec));
  out.line("/**");
  out.line(` * fast-check arbitraries for the formats of \`${spec.file}\` (spec \`${spec.id}\`).`);
  out.line(" *");
  out.line(" * @module");
  out.line(" */");
  out.line("/* eslint-disable */");
  out.line('import fc from "fast-check";');
  const variantFns = spec.formats
    .filter((f) => layoutPaths(f).some((p) => p.choices.length > 0 && pathSelectable(p)))
    .map((f) => formatNames(f).variantOf);
  if (variantFns.length > 0) out.line(`import { ${variantFns.join(", ")} } from "./${base}.js";`);
  // Types through a namespace: a format type named `Record` or `Omit` shadows nothing here.
  if (spec.formats.length > 0) out.line(`import type * as types from "./${base}.js";`);
  out.line();
  for (const f of spec.formats) emitFormatArb(out, f);
  out.raw(docComment(`Arbitraries of every format of \`${spec.file}\`, by format id.`));
  out.line(
    `export const ${camelCase(base)}Arbitraries: { readonly [id: string]: fc.Arbitrary<unknown> } = {`,
  );
  for (const f of spec.formats) out.line(`  ${JSON.stringify(f.id)}: ${formatNames(f).arb},`);
  out.line("};");
  return out.toString();
}
