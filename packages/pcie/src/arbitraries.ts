/**
 * fast-check arbitraries of every PCIe format (needs the optional peer dependency
 * `fast-check`).
 *
 * @packageDocumentation
 */
import type fc from "fast-check";
import { dllpArbitraries } from "./gen/dllp.arb.js";
import { tlpArbitraries } from "./gen/tlp.arb.js";

export * from "./gen/tlp.arb.js";
export * from "./gen/dllp.arb.js";

/** Arbitraries of every PCIe format, by format id. */
export const pcieArbitraries: { readonly [id: string]: fc.Arbitrary<unknown> } = {
  ...tlpArbitraries,
  ...dllpArbitraries,
};
