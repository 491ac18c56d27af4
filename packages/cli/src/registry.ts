/**
 * Every format the specs define, by id: the registry behind `rashpa formats`, `decode` and
 * `encode`. A package that adds formats exports its `…Formats` array; list it here.
 *
 * @module
 */
import type { AnyFormatInfo } from "@rashpa/bits";
import { descriptorsFormats } from "@rashpa/descriptors";
import { pcieFormats } from "@rashpa/pcie";
import { srioFormats } from "@rashpa/srio";

/** All formats, in spec order. */
export const ALL_FORMATS: readonly AnyFormatInfo[] = [
  ...descriptorsFormats,
  ...pcieFormats,
  ...srioFormats,
];

const byId = new Map(ALL_FORMATS.map((f) => [f.id, f]));

/** The format with this id, or `undefined`. */
export function findFormat(id: string): AnyFormatInfo | undefined {
  return byId.get(id);
}
