/**
 * The common shape of the emulator's configuration and access errors: a register field or
 * object path, what was expected and what was found, in the project's message form
 * `"<field>" expected X, got Y` (`fieldMessage` of `@rashpa/bits`).
 *
 * @module
 */
import { CodecError, fieldMessage } from "@rashpa/bits";

/**
 * Base of the emulator's typed errors (`DiuConfigError`, `BlockPlanError`, `DdrOverrunError`,
 * `DdrAccessError`); each subclass has a stable `name`. `path` names the register field (e.g.
 * `diu.geometry.width`) or emulated resource (e.g. `ddr.slot[3]`) at fault.
 */
export abstract class EmulatorFieldError extends CodecError {
  /**
   * @param path - the register field or resource at fault
   * @param expected - what was expected
   * @param found - what was given
   */
  constructor(path: string, expected: string, found: string) {
    super(fieldMessage(path, expected, found), { path, expected, found });
  }
}
