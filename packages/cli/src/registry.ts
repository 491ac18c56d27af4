/**
 * Every format the specs define, by id: the registry behind `rashpa formats`, `decode` and
 * `encode`. A package that adds formats exports its `…Formats` array; list it here.
 *
 * @module
 */
import type { AnyFormatInfo } from "@rashpa/bits";
import { BTD_FIFO_MAP, descriptorsFormats, instructionsFormats } from "@rashpa/descriptors";
import { CONFIG_SPACE_MAP, pcieFormats } from "@rashpa/pcie";
import { CONTROLLER_MAP, PCIE_SRIO_BRIDGE_MAP } from "@rashpa/registers";
import type { RegisterMapInfo } from "@rashpa/registers";
import { CAR_CSR_MAP, srioFormats } from "@rashpa/srio";

/** All formats, in spec order. */
export const ALL_FORMATS: readonly AnyFormatInfo[] = [
  ...descriptorsFormats,
  ...instructionsFormats,
  ...pcieFormats,
  ...srioFormats,
];

const byId = new Map(ALL_FORMATS.map((f) => [f.id, f]));

/** The format with this id, or `undefined`. */
export function findFormat(id: string): AnyFormatInfo | undefined {
  return byId.get(id);
}

/** Every register map the specs define, for `rashpa regs`. A package that adds maps exports its `<MAP>_MAP` constants; list them here. */
export const ALL_REGISTER_MAPS: readonly RegisterMapInfo[] = [
  CONTROLLER_MAP,
  BTD_FIFO_MAP,
  PCIE_SRIO_BRIDGE_MAP,
  CONFIG_SPACE_MAP,
  CAR_CSR_MAP,
];
