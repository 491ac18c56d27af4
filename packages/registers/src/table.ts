/**
 * The register table of a map in the line shape the generated C self-check prints with
 * `--registers` (see `@rashpa/codegen`'s `c-registers.ts`), so a test can compare the C macros
 * with the TypeScript description line by line.
 *
 * @module
 */
import { fieldMask, resetValue } from "./fields.js";
import type { RegisterMapInfo } from "./info.js";
import { registerInstances } from "./locate.js";

/**
 * `reg <map> <path> 0x<offset> 0x<reset>` per register instance and
 * `field <map> <path>.<field> <shift> <width> 0x<mask>` per field (array indices of field
 * paths written `[]`), sorted.
 *
 * @param map - the map's description (`<MAP>_MAP` of the generated code)
 */
export function registerTableLines(map: RegisterMapInfo): string[] {
  const lines = new Set<string>();
  for (const inst of registerInstances(map)) {
    lines.add(
      `reg ${map.id} ${inst.path} 0x${inst.address.toString(16)} 0x${resetValue(inst.register).toString(16)}`,
    );
    const path = inst.path.replace(/\[\d+\]/g, "[]");
    for (const f of inst.register.fields)
      lines.add(
        `field ${map.id} ${path}.${f.name} ${f.lsb} ${f.msb - f.lsb + 1} 0x${fieldMask(f).toString(16)}`,
      );
  }
  return [...lines].sort();
}
