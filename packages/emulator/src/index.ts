/**
 * `@rashpa/emulator`: the reference FPGA emulator of the RASHPA controller and the PCIe–SRIO
 * bridge, driven only through the generated register maps (`@rashpa/registers` register-file
 * model), with a discrete-event timing model in simulated time.
 *
 * @packageDocumentation
 */

export * from "./host-memory.js";
export * from "./sim/index.js";
export * from "./pcap.js";
export * from "./pcap-file.js";
export * from "./field-error.js";
export * from "./diu.js";
export * from "./blocks.js";
export * from "./ddr.js";
export * from "./model/pcie-path.js";
export * from "./model/calibrations.js";
export * from "./model/fit.js";
export * from "./controller/index.js";
export * from "./bridge/parameters.js";
export * from "./bridge/network.js";
export * from "./bridge/bridge.js";
export * from "./bridge/curve.js";
export * from "./bridge/link-layer.js";
export * from "./bridge/pcie-endpoint.js";
