/**
 * The typed errors of librashpa: configuration problems (every one with its path, what was
 * expected, what was found and, for text, where it was written) and memory-management faults
 * (out of memory, double free, use after free, a handle of another allocator). Each class has a
 * stable `name` and extends `CodecError` of `@rashpa/bits`, so `path`, `expected` and `found`
 * are there to test against.
 *
 * @module
 */
import { CodecError, fieldMessage } from "@rashpa/bits";

/** One problem of an acquisition configuration. */
export interface ConfigIssue {
  /** Path of the offending value, e.g. `channels[1].roi.width` (empty for the whole document). */
  readonly path: string;
  /** What was expected there, e.g. `an integer in 1..65535`. */
  readonly expected: string;
  /** What was found instead, e.g. `0` or `no "width" key`. */
  readonly found: string;
  /** Name of the text the configuration was read from (`source` option), if any. */
  readonly source?: string;
  /** 1-based line of the offending node, for a configuration read from text. */
  readonly line?: number;
  /** 1-based column of the offending node, for a configuration read from text. */
  readonly col?: number;
}

/** The one-line message of an issue: `file:line:col: "path" expected X, got Y`. */
export function configIssueMessage(issue: ConfigIssue): string {
  const where =
    issue.line === undefined
      ? issue.source === undefined
        ? ""
        : `${issue.source}: `
      : `${issue.source ?? "<text>"}:${issue.line}:${issue.col ?? 1}: `;
  return (
    where + fieldMessage(issue.path === "" ? "config" : issue.path, issue.expected, issue.found)
  );
}

/**
 * An acquisition configuration is invalid (docs/system.md "RASHPA": librashpa's configuration
 * layer builds the hardware description). Holds every problem found, in document order;
 * `path`/`expected`/`found` are those of the first.
 *
 * @example
 * ```ts
 * try { parseAcquisitionConfig(text, { source: "acq.yaml" }); }
 * catch (e) { if (e instanceof ConfigError) for (const i of e.issues) console.error(configIssueMessage(i)); }
 * ```
 */
export class ConfigError extends CodecError {
  /** Always `"ConfigError"`. */
  override readonly name = "ConfigError";
  /** Every problem, at least one. */
  readonly issues: readonly ConfigIssue[];

  /** @param issues - the problems (at least one) */
  constructor(issues: readonly ConfigIssue[]) {
    const first = issues[0] ?? { path: "", expected: "a problem", found: "none" };
    const lines = issues.map(configIssueMessage);
    super(
      issues.length === 1
        ? lines[0]!
        : `${issues.length} problems in the acquisition configuration:\n${lines.join("\n")}`,
      { path: first.path, expected: first.expected, found: first.found },
    );
    this.issues = issues;
  }
}

/** Base of the allocators' errors: `path` names the allocator resource at fault. */
export abstract class AllocatorError extends CodecError {
  /**
   * @param path - the resource at fault, e.g. `detector-pc.allocate.size`
   * @param expected - what was expected
   * @param found - what was found
   */
  constructor(path: string, expected: string, found: string) {
    super(fieldMessage(path, expected, found), { path, expected, found });
  }
}

/** An allocation cannot be satisfied; names the request and the largest free block. */
export class OutOfMemoryError extends AllocatorError {
  /** Always `"OutOfMemoryError"`. */
  override readonly name = "OutOfMemoryError";
  /** Bytes requested (after rounding to the allocator's granule). */
  readonly requested: number;
  /** Bytes of the largest free block, before alignment. */
  readonly largestFree: number;
  /** Free bytes in all. */
  readonly totalFree: number;

  /**
   * @param arena - name of the arena
   * @param requested - bytes requested
   * @param align - alignment requested
   * @param largestFree - largest free block
   * @param totalFree - free bytes in all
   */
  constructor(
    arena: string,
    requested: number,
    align: number,
    largestFree: number,
    totalFree: number,
  ) {
    super(
      `${arena}.allocate`,
      `a free block of ${requested} bytes aligned to ${align}`,
      `largest free block ${largestFree} bytes (${totalFree} bytes free in all)`,
    );
    this.requested = requested;
    this.largestFree = largestFree;
    this.totalFree = totalFree;
  }
}

/** A handle was freed twice. */
export class DoubleFreeError extends AllocatorError {
  /** Always `"DoubleFreeError"`. */
  override readonly name = "DoubleFreeError";
}

/** A freed handle was used (translated, resolved), its generation being past. */
export class UseAfterFreeError extends AllocatorError {
  /** Always `"UseAfterFreeError"`. */
  override readonly name = "UseAfterFreeError";
}

/** A handle that this allocator never gave out (another allocator's, or forged). */
export class ForeignHandleError extends AllocatorError {
  /** Always `"ForeignHandleError"`. */
  override readonly name = "ForeignHandleError";
}

/** An allocator parameter or request is impossible (size 0, alignment not a power of two, …). */
export class AllocatorArgumentError extends AllocatorError {
  /** Always `"AllocatorArgumentError"`. */
  override readonly name = "AllocatorArgumentError";
}
