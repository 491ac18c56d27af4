/**
 * The BTD FIFO push window: how a host pushes a Block Transfer Descriptor into the BGU FIFO
 * through 32-bit registers (the `btd-fifo` register map of `specs/rashpa/descriptors.yaml`).
 *
 * Source: the 2013 RASHPA RTL skeleton (`ebs_btd_fifo.vhd`, as summarised in
 * docs/reference/rashpa-anchors.md §1.4): register 0 = control (bit 0 pushes, self-clearing),
 * registers 1..8 = the 256-bit BTD with register k holding bits [32k − 1 : 32(k − 1)],
 * register 9 = status (bit 0 = FIFO full); FIFO depth 16. This project numbers the 256-bit
 * word so that bit 255 is the most significant bit of byte 0 of the BTD image: register 8
 * holds bytes 0..3 (the `size` slot) and register 1 holds bytes 28..31.
 *
 * @module
 */
import { DecodeError, EncodeError } from "@rashpa/bits";
import { BTD_BYTES, decodeBtd, encodeBtdInto } from "./gen/descriptors.js";
import type { Btd } from "./gen/descriptors.js";

/** Number of BTDs the BGU FIFO holds (rashpa_pkg.vhd `BTD_FIFO_DEPTH`). */
export const BTD_FIFO_DEPTH = 16;
/** Number of 32-bit data registers of the push window. */
export const BTD_WINDOW_DATA_REGISTERS = 8;
/** Byte offset of the control register in the window. */
export const BTD_WINDOW_CONTROL_OFFSET = 0x00;
/** Byte offset of data register 1 (data register k is at 4k). */
export const BTD_WINDOW_DATA_OFFSET = 0x04;
/** Byte offset of the status register. */
export const BTD_WINDOW_STATUS_OFFSET = 0x24;

/**
 * The eight data-register words of a BTD image: element k − 1 is the value of data register
 * k, i.e. BTD bits [32k − 1 : 32(k − 1)].
 *
 * @param image - the 32-byte BTD image (as produced by `encodeBtd`)
 * @returns the words to write to data registers 1..8, in that order
 * @throws EncodeError when `image` is not 32 bytes
 * @example
 * ```ts
 * const words = btdImageToWindowWords(encodeBtd(btd)); // words[7] === btd.size
 * ```
 */
export function btdImageToWindowWords(image: Uint8Array): Uint32Array {
  if (image.length !== BTD_BYTES)
    throw new EncodeError(`"btd" expected ${BTD_BYTES} bytes, got ${image.length}`, {
      path: "btd",
    });
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const words = new Uint32Array(BTD_WINDOW_DATA_REGISTERS);
  for (let k = 1; k <= BTD_WINDOW_DATA_REGISTERS; k++) {
    // Register k holds bits 32k-1..32(k-1): bytes 32-4k .. 35-4k of the image, big-endian.
    words[k - 1] = view.getUint32(BTD_BYTES - 4 * k);
  }
  return words;
}

/**
 * The BTD image held by the eight data registers (inverse of {@link btdImageToWindowWords}).
 *
 * @param words - values of data registers 1..8
 * @throws DecodeError when `words` does not hold 8 unsigned 32-bit integers
 */
export function windowWordsToBtdImage(words: ArrayLike<number>): Uint8Array {
  if (words.length !== BTD_WINDOW_DATA_REGISTERS)
    throw new DecodeError(
      `"data" expected ${BTD_WINDOW_DATA_REGISTERS} words, got ${words.length}`,
      { path: "data" },
    );
  const image = new Uint8Array(BTD_BYTES);
  const view = new DataView(image.buffer);
  for (let k = 1; k <= BTD_WINDOW_DATA_REGISTERS; k++) {
    const w = words[k - 1]!;
    if (!Number.isInteger(w) || w < 0 || w > 0xffffffff)
      throw new DecodeError(`"data[${k - 1}]" expected an integer 0..0xffffffff, got ${w}`, {
        path: `data[${k - 1}]`,
      });
    view.setUint32(BTD_BYTES - 4 * k, w);
  }
  return image;
}

/**
 * Encodes a BTD straight into the eight data-register words.
 *
 * @throws EncodeError naming the first invalid field
 */
export function btdToWindowWords(btd: Btd): Uint32Array {
  const image = new Uint8Array(BTD_BYTES);
  encodeBtdInto(new DataView(image.buffer), 0, btd);
  return btdImageToWindowWords(image);
}

/**
 * Decodes the BTD held by the eight data-register words.
 *
 * @throws DecodeError naming the field
 */
export function btdFromWindowWords(words: ArrayLike<number>): Btd {
  return decodeBtd(windowWordsToBtdImage(words));
}
