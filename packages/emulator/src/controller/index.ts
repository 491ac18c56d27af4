/**
 * The RASHPA controller emulator and its receiver side (docs/SYSTEM.md §1).
 *
 * @module
 */
export * from "./controller.js";
export * from "./acquisition.js";
