/**
 * The discrete-event simulation core: simulated time, the event queue, and the resources the
 * timing model is built from (links, credit pools, FIFOs, delay lines, statistics).
 *
 * @module
 */
export * from "./time.js";
export * from "./simulator.js";
export * from "./link.js";
export * from "./credits.js";
export * from "./fifo.js";
export * from "./delay.js";
export * from "./stats.js";
