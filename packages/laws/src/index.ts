/**
 * `@rashpa/laws`: the codec laws as reusable property tests — run them on every generated
 * format here, and on your own implementation in your CI. Also the driver of the generated C
 * self-check programs.
 *
 * @packageDocumentation
 */
export { codecLaws, checkCodecLaws, CODEC_LAWS, lawSeed } from "./codec-laws.js";
export type { CodecLawOptions, CodecLaw, LawParams } from "./codec-laws.js";
export {
  STRICT_C_FLAGS,
  hasTool,
  hasGcc,
  compileSelfCheck,
  vectorLine,
  selfCheckVectors,
  runSelfCheck,
} from "./c-selfcheck.js";
