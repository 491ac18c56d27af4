/**
 * Placement facts of the RASHPA controller map (`specs/rashpa/controller.yaml`) that the map
 * itself cannot state: the host BTD push window is another map, `rashpa.btd-fifo` of
 * `specs/rashpa/descriptors.yaml` (generated into `@rashpa/descriptors` as
 * `btdFifoRegisters`), placed in the controller's register space rather than repeated in it.
 *
 * @module
 */

/**
 * Byte offset of the host BTD push window (map `rashpa.btd-fifo`) from the controller's base:
 * its own 4 KiB page, as the 2013 RTL makes the BTD FIFO a separate e-bone slave
 * (rashpa-anchors.md §1.4, `rashpa_top.vhd`). The controller map leaves
 * `CONTROLLER_BTD_FIFO_OFFSET` … `+ CONTROLLER_BTD_FIFO_BYTES − 1` free for it.
 *
 * @example
 * ```ts
 * import { btdFifoRegisters } from "@rashpa/descriptors";
 * const fifo = btdFifoRegisters(bus, base + CONTROLLER_BTD_FIFO_OFFSET);
 * ```
 */
export const CONTROLLER_BTD_FIFO_OFFSET = 0x3000;

/** Bytes of controller register space given to the BTD push window (one 4 KiB page). */
export const CONTROLLER_BTD_FIFO_BYTES = 0x1000;
