/**
 * `@rashpa/codegen`: generators from RASHPA spec files — TypeScript codecs with fast-check
 * arbitraries, C headers with a self-check program, Markdown reference pages, the pages of the
 * reference site with SVG bit-field diagrams and Wireshark Lua dissectors of the emulator's
 * captures — plus the drift check CI runs on the committed output.
 *
 * @packageDocumentation
 */
export {
  generateTsCodecs,
  formatNames,
  enumNames,
  variantTypeName,
  generatedHeader,
} from "./ts-codec.js";
export type { FormatNames } from "./ts-codec.js";
export { generateTsArbitraries } from "./ts-arbitraries.js";
export { generateCHeader, generateCSelfCheck } from "./c-header.js";
export { generateMarkdown, bitDiagram, registerDiagram } from "./markdown.js";
export { generateWiresharkLua, wiresharkFieldPrefix, WIRESHARK_LUA_PATH } from "./wireshark-lua.js";
export {
  generateFormatPage,
  generateRegisterMapPage,
  accessMnemonic,
  registerMapId,
  FORMAT_PAGE_GROUP,
  REGISTER_PAGE_GROUP,
} from "./site-pages.js";
export { formatSvg, registerSvg, escapeXml } from "./svg.js";
export type { SvgFormatCell, SvgRegisterField } from "./svg.js";
export {
  generateSpec,
  generateCombined,
  generateAll,
  writeGenerated,
  driftedFiles,
  genDir,
} from "./generate.js";
export type { GeneratedFile } from "./generate.js";
export {
  pascalCase,
  camelCase,
  snakeCase,
  screamingCase,
  sitePagePath,
  PAGES_DIR,
} from "./names.js";
export {
  generateIpxact,
  importIpxact,
  IpxactError,
  IPXACT_2014_NS,
  RASHPA_IPXACT_NS,
} from "./ipxact.js";
export { registerMapInfo, registerMapNames } from "./ts-registers.js";
