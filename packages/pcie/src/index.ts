/**
 * `@rashpa/pcie`: PCI Express Transaction Layer Packets (every non-flit TLP type, with payload
 * and optional ECRC digest), TLP prefixes and Data Link Layer Packets — codecs generated from
 * `specs/pcie/tlp.yaml` and `specs/pcie/dllp.yaml` (layouts from the shared PCIe reference,
 * `docs/reference/pcie.md` §1, §2, §3 and §5). Arbitraries for property tests are in
 * `@rashpa/pcie/arbitraries`.
 *
 * The codecs are bit-exact: they do not compute or check the ECRC or DLLP CRC values, nor the
 * rules that tie fields together (byte enables, reserved Length, Byte Count 0 = 4096); those
 * belong to the hand-written semantics.
 *
 * @example
 * ```ts
 * import { decodeTlp } from "@rashpa/pcie";
 * const tlp = decodeTlp(Uint8Array.from([0x00, 0, 0, 1, 0x01, 0x00, 0x05, 0x0f, 0x12, 0x34, 0x56, 0x78]));
 * tlp.tlpType; // "mrd-32"
 * ```
 *
 * @packageDocumentation
 */
import type { AnyFormatInfo } from "@rashpa/bits";
import { dllpFormats } from "./gen/dllp.js";
import { tlpFormats } from "./gen/tlp.js";

export * from "./gen/tlp.js";
export * from "./gen/dllp.js";
export * from "./gen/config-space.js";

/** Every PCIe format (`pcie.tlp`, `pcie.tlp-prefix`, `pcie.dllp`), in spec order. */
export const pcieFormats: readonly AnyFormatInfo[] = [...dllpFormats, ...tlpFormats];
export * from "./ecrc.js";
export * from "./data-link.js";
export * from "./request.js";
export * from "./split.js";
export * from "./completion.js";
export * from "./rules.js";
export * from "./throughput.js";
