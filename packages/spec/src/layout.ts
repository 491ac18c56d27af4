/**
 * Layout queries over the model shared by every generator: fixed byte sizes, the flattened
 * variants ("paths") of a format, and which discriminant values select which case.
 *
 * Selection rule (the spec language's semantics): the cases of a switch are tried in order
 * and the first whose `when` holds is taken; a case with an empty `when` is the default; an
 * optional part is present exactly when its `when` holds.
 *
 * @module
 */
import type {
  CaseModel,
  FieldModel,
  FormatModel,
  ItemModel,
  PayloadModel,
  SwitchModel,
} from "./model.js";

/** Byte size of a format whose layout does not vary, else `undefined`. */
export function formatByteSize(format: FormatModel): number | undefined {
  const bits = itemsFixedBits(format.items);
  return bits === undefined ? undefined : bits / 8;
}

/** Bits of a run of items if it has one fixed size whatever the variant, else `undefined`. */
export function itemsFixedBits(items: readonly ItemModel[]): number | undefined {
  let total = 0;
  for (const it of items) {
    if (it.kind === "field") total += it.bits;
    else if (it.kind === "payload") return undefined;
    else {
      if (it.optional) return undefined;
      const sizes = it.cases.map((c) => itemsFixedBits(c.items));
      const first = sizes[0];
      if (first === undefined || sizes.some((s) => s !== first)) return undefined;
      total += first;
    }
  }
  return total;
}

/** One choice made along a path: a case of a switch, or an optional part present/absent. */
export interface PathChoice {
  /** The switch or optional part where the choice is made. */
  readonly switch: SwitchModel;
  /** Index of the case, or -1 for an absent optional part. */
  readonly caseIndex: number;
}

/** One fully resolved variant of a format: the items met along it, in wire order. */
export interface LayoutPath {
  /** Case names joined with `-` (empty for a format without variants). */
  readonly name: string;
  /** The choice made at each switch and optional part met, in wire order. */
  readonly choices: readonly PathChoice[];
  /** Fields and payloads in wire order. */
  readonly elements: readonly (FieldModel | PayloadModel)[];
}

/** Every variant of a format, in case order (depth first). */
export function layoutPaths(format: FormatModel): LayoutPath[] {
  const out: LayoutPath[] = [];
  const walk = (
    items: readonly ItemModel[],
    choices: PathChoice[],
    elements: (FieldModel | PayloadModel)[],
  ): void => {
    const i = items.findIndex((it) => it.kind === "switch");
    if (i < 0) {
      out.push({
        name: pathName(choices),
        choices,
        elements: [...elements, ...(items as (FieldModel | PayloadModel)[])],
      });
      return;
    }
    const head = items.slice(0, i) as (FieldModel | PayloadModel)[];
    const sw = items[i] as SwitchModel;
    const rest = items.slice(i + 1);
    sw.cases.forEach((c, ci) => {
      walk(
        [...c.items, ...rest],
        [...choices, { switch: sw, caseIndex: ci }],
        [...elements, ...head],
      );
    });
    if (sw.optional)
      walk(rest, [...choices, { switch: sw, caseIndex: -1 }], [...elements, ...head]);
  };
  walk(format.items, [], []);
  return out;
}

function pathName(choices: readonly PathChoice[]): string {
  return choices
    .map((c) =>
      c.caseIndex < 0 ? `no-${c.switch.cases[0]!.name}` : c.switch.cases[c.caseIndex]!.name,
    )
    .join("-");
}

/**
 * Whether some discriminant values select a path: each case it takes accepts them and no
 * earlier case of the same switch does, and each optional part it leaves out does not accept
 * them. A path that combines exclusive choices (two switches on one field, an optional part
 * whose condition its enclosing case rules out) selects nothing: no valid value has that
 * layout. Values are grouped into classes (each value named by a condition, plus one class
 * for any other value), so the answer is exact.
 */
export function pathSelectable(path: LayoutPath): boolean {
  const fields = new Map<string, FieldModel>();
  for (const e of path.elements) if (e.kind === "field") fields.set(e.name, e);
  // Every condition met along the path: a `when` that holds, or one that does not.
  const conds: { when: CaseModel["when"]; holds: boolean }[] = [];
  for (const c of path.choices) {
    const cases = c.switch.cases;
    const taken = c.caseIndex < 0 ? 0 : c.caseIndex;
    for (let j = 0; j < taken; j++) conds.push({ when: cases[j]!.when, holds: false });
    conds.push({ when: cases[taken]!.when, holds: c.caseIndex >= 0 });
  }
  const named = new Map<string, Set<number>>();
  for (const c of conds)
    for (const [k, vals] of Object.entries(c.when)) {
      const set = named.get(k) ?? new Set<number>();
      for (const v of vals) set.add(v);
      named.set(k, set);
    }
  const keys = [...named.keys()];
  const classes = keys.map((k) => {
    const list = [...named.get(k)!];
    const f = fields.get(k);
    if (!f || list.length < fieldDomainSize(f)) list.push(OTHER_VALUE);
    return list;
  });
  // Each condition is checked as soon as its last discriminant has a value.
  const readyAt: (typeof conds)[] = keys.map(() => []);
  readyAt.push([]);
  for (const c of conds)
    readyAt[Math.max(0, ...Object.keys(c.when).map((k) => keys.indexOf(k) + 1))]!.push(c);
  const value = new Map<string, number>();
  const accepts = (when: CaseModel["when"]): boolean =>
    Object.entries(when).every(([k, vals]) => {
      const v = value.get(k)!;
      return v !== OTHER_VALUE && vals.includes(v);
    });
  const visit = (i: number): boolean => {
    if (readyAt[i]!.some((c) => accepts(c.when) !== c.holds)) return false;
    if (i === keys.length) return true;
    for (const v of classes[i]!) {
      value.set(keys[i]!, v);
      if (visit(i + 1)) return true;
    }
    return false;
  };
  return visit(0);
}

/** The value fields of a path (everything but reserved and const fields). */
export function valueFields(path: LayoutPath): FieldModel[] {
  return path.elements.filter(
    (e): e is FieldModel => e.kind === "field" && e.type !== "reserved" && e.type !== "const",
  );
}

/** Marker for "any value of the field not named by a case". */
export const OTHER_VALUE = -1;

/**
 * The discriminant value combinations that select each case, grouped into classes: each
 * value named by some case, plus {@link OTHER_VALUE} for the rest of the field's domain.
 * Index `cases.length` holds the combinations no case accepts (for optional parts: "absent").
 *
 * @param discriminants - the switch's discriminant fields, in `switch.on` order
 */
export function selectionTable(
  sw: SwitchModel,
  discriminants: readonly FieldModel[],
): number[][][] {
  const classes = sw.on.map((k, i) => {
    const named = new Set<number>();
    for (const c of sw.cases) for (const v of c.when[k] ?? []) named.add(v);
    const list = [...named].sort((a, b) => a - b);
    if (list.length < fieldDomainSize(discriminants[i]!)) list.push(OTHER_VALUE);
    return list;
  });
  const table: number[][][] = sw.cases.map(() => []);
  table.push([]);
  const visit = (i: number, acc: number[]): void => {
    if (i === classes.length) {
      const ci = sw.cases.findIndex((c) => caseAccepts(sw, c, acc));
      table[ci < 0 ? sw.cases.length : ci]!.push(acc);
      return;
    }
    for (const v of classes[i]!) visit(i + 1, [...acc, v]);
  };
  visit(0, []);
  return table;
}

function caseAccepts(sw: SwitchModel, c: CaseModel, combo: readonly number[]): boolean {
  return sw.on.every((k, i) => {
    const vals = c.when[k];
    return vals === undefined || (combo[i] !== OTHER_VALUE && vals.includes(combo[i]!));
  });
}

/** Number of distinct raw values a field can hold (enum fields: their members). */
export function fieldDomainSize(f: FieldModel): number {
  if (f.type === "bool") return 2;
  if (f.type === "enum" && f.enum) return f.enum.values.length;
  return 2 ** f.bits;
}
