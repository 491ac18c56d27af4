/**
 * `rashpa model …`: the RASHPA PCIe data-path model of `@rashpa/emulator` (`rashpaPcieModel`,
 * its named calibrations and its fit tool) from the command line.
 *
 * - `rashpa model pcie --link gen2x4 [--calibration esrf-2013-gen2x4] [--set name=value …] [--json]`
 * - `rashpa model pcie --calibrations [--json]`
 * - `rashpa model fit [file | -] [--json]` — fit input as JSON (file, or standard input)
 *
 * Shapes are documented in this package's README.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import {
  FITTABLE_PARAMETERS,
  PREDICTION_LINKS,
  RASHPA_PCIE_CALIBRATIONS,
  RashpaModelError,
  calibrationResiduals,
  findRashpaPcieCalibration,
  fitRashpaPcie,
  rashpaPcieModel,
} from "@rashpa/emulator";
import type {
  RashpaFitPoint,
  RashpaFitResult,
  RashpaFreeParameter,
  RashpaPcieCalibration,
  RashpaPcieModelResult,
  RashpaPcieNumericParameter,
  RashpaPcieParameters,
} from "@rashpa/emulator";
import { CliError } from "./cli.js";
import type { CliIo } from "./cli.js";

/** The calibration used when `--calibration` is omitted. */
const DEFAULT_CALIBRATION = "esrf-2013-gen2x4";

function calibration(name: string): RashpaPcieCalibration {
  const c = findRashpaPcieCalibration(name);
  if (!c)
    throw new CliError(
      `unknown calibration "${name}" (known: ${Object.keys(RASHPA_PCIE_CALIBRATIONS).join(", ")})`,
    );
  return c;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
const pp = (x: number): string => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(3)} pp`;

/** Applies `name=value` overrides to a parameter set (numbers or booleans, by the base's type). */
function applyOverrides(
  base: RashpaPcieParameters,
  overrides: Readonly<Record<string, unknown>>,
  where: string,
): RashpaPcieParameters {
  const p: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(overrides)) {
    if (!Object.hasOwn(base, k))
      throw new CliError(
        `${where}: unknown parameter "${k}" (known: ${Object.keys(base).join(", ")})`,
      );
    const want = typeof base[k as keyof RashpaPcieParameters];
    if (typeof v !== want)
      throw new CliError(`${where}: "${k}" expects a ${want}, got ${JSON.stringify(v)}`);
    p[k] = v;
  }
  return p as unknown as RashpaPcieParameters;
}

function parseSet(text: string, base: RashpaPcieParameters): [string, unknown] {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new CliError(`--set expects name=value, got "${text}"`);
  const name = text.slice(0, eq);
  const raw = text.slice(eq + 1);
  if (!Object.hasOwn(base, name))
    throw new CliError(
      `--set: unknown parameter "${name}" (known: ${Object.keys(base).join(", ")})`,
    );
  if (typeof base[name as keyof RashpaPcieParameters] === "boolean") {
    if (raw !== "true" && raw !== "false")
      throw new CliError(`--set ${name} expects true or false, got "${raw}"`);
    return [name, raw === "true"];
  }
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n))
    throw new CliError(`--set ${name} expects a number, got "${raw}"`);
  return [name, n];
}

function modelError(e: unknown): never {
  if (e instanceof RashpaModelError) throw new CliError(e.message);
  throw e;
}

function modelTable(name: string, r: RashpaPcieModelResult, p: RashpaPcieParameters): string {
  const f = (x: number, d: number): string => x.toFixed(d);
  const rows: [string, string][] = [
    ["link", `Gen${r.link.generation} x${r.link.width} (${r.link.name})`],
    ["calibration", name],
    ["link maximum", `${f(r.linkMaxGbps, 3)} Gb/s (after line encoding)`],
    [
      "link payload",
      `${f(r.linkPayloadGbps, 3)} Gb/s (MPS ${p.maxPayloadSize}, ${p.address64 ? "4" : "3"}-DW headers${p.ecrc ? ", ECRC" : ""})`,
    ],
    ["datapath", `${f(r.datapathGbps, 3)} Gb/s (${p.datapathBits} bit × ${p.fabricClockMHz} MHz)`],
    [
      "per frame",
      `${p.frameBytes} B: ${r.blocksPerFrame} block${r.blocksPerFrame === 1 ? "" : "s"}, ${r.transfersPerFrame} transfers of ≤ ${r.transferBytes} B, ${r.tlpsPerFrame} TLPs`,
    ],
    ["setup per transfer", `${f(r.setupNsPerTransfer, 1)} ns`],
    ["data paced by", r.dataLimit],
    ["FPGA level", `${f(r.fpgaGbps, 3)} Gb/s = ${pct(r.fpgaFraction)} of the link maximum`],
    [
      "application level",
      `${f(r.applicationGbps, 3)} Gb/s = ${pct(r.applicationFraction)} of the link maximum`,
    ],
    ["FPGA latency", `${f(r.fpgaFrameNs / 1000, 3)} µs per frame`],
    ["application latency", `${f(r.applicationLatencyNs / 1000, 3)} µs per frame`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}\n`).join("");
}

function calibrationsCommand(json: boolean, io: CliIo): void {
  const list = Object.values(RASHPA_PCIE_CALIBRATIONS).map((c) => ({
    name: c.name,
    description: c.description,
    source: c.source,
    parameters: c.parameters,
    residuals: calibrationResiduals(c),
    predictions: PREDICTION_LINKS.map((l) => {
      const r = rashpaPcieModel(l, c.parameters);
      return {
        link: l,
        fpgaGbps: r.fpgaGbps,
        fpgaFraction: r.fpgaFraction,
        applicationGbps: r.applicationGbps,
        applicationFraction: r.applicationFraction,
      };
    }),
  }));
  if (json) {
    io.stdout(`${JSON.stringify(list, null, 2)}\n`);
    return;
  }
  for (const c of list) {
    io.stdout(`${c.name}  ${c.description}\n`);
    for (const r of c.residuals)
      io.stdout(
        `  ${r.link} ${r.quantity.padEnd(11)}  measured ${pct(r.measured)}, model ${pct(r.model)} (${pp(r.residual)})\n`,
      );
    for (const r of c.predictions)
      io.stdout(
        `  ${r.link.padEnd(7)} predicted    FPGA ${pct(r.fpgaFraction)}, application ${pct(r.applicationFraction)}\n`,
      );
  }
}

/** `rashpa model pcie …` (argv after `pcie`). */
function pcieCommand(argv: readonly string[], io: CliIo): void {
  let link: string | undefined;
  let name: string | undefined;
  let json = false;
  let list = false;
  const sets: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new CliError(`option ${a} needs a value`);
      return v;
    };
    if (a === "--link") {
      if (link !== undefined) throw new CliError("option --link given twice");
      link = value();
    } else if (a === "--calibration") {
      if (name !== undefined) throw new CliError("option --calibration given twice");
      name = value();
    } else if (a === "--set") sets.push(value());
    else if (a === "--json") json = true;
    else if (a === "--calibrations") list = true;
    else if (a.startsWith("--")) throw new CliError(`unknown option ${a}`);
    else throw new CliError(`unexpected argument "${a}"`);
  }
  if (list) {
    if (link !== undefined || name !== undefined || sets.length > 0)
      throw new CliError("--calibrations takes only --json");
    calibrationsCommand(json, io);
    return;
  }
  if (link === undefined) throw new CliError("missing --link <gen<G>x<W>> (e.g. --link gen2x4)");
  const c = calibration(name ?? DEFAULT_CALIBRATION);
  const overrides: Record<string, unknown> = {};
  for (const s of sets) {
    const [k, v] = parseSet(s, c.parameters);
    overrides[k] = v;
  }
  const p = applyOverrides(c.parameters, overrides, "--set");
  let r: RashpaPcieModelResult;
  try {
    r = rashpaPcieModel(link, p);
  } catch (e) {
    modelError(e);
  }
  if (json) io.stdout(`${JSON.stringify({ calibration: c.name, parameters: p, ...r }, null, 2)}\n`);
  else io.stdout(modelTable(c.name, r, p));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads the fit input (README "rashpa model fit"): checks its shape, returns the fit arguments. */
function fitInput(json: unknown): {
  points: RashpaFitPoint[];
  base: RashpaPcieParameters;
  free: RashpaFreeParameter[];
  maxEvaluations?: number;
} {
  if (!isObject(json)) throw new CliError("fit input: expected a JSON object");
  for (const k of Object.keys(json))
    if (!["calibration", "parameters", "free", "points", "maxEvaluations"].includes(k))
      throw new CliError(`fit input: unknown key "${k}"`);
  const calName = json["calibration"] ?? DEFAULT_CALIBRATION;
  if (typeof calName !== "string") throw new CliError(`fit input: "calibration" expects a name`);
  let base = calibration(calName).parameters;
  if (json["parameters"] !== undefined) {
    if (!isObject(json["parameters"]))
      throw new CliError(`fit input: "parameters" expects an object`);
    base = applyOverrides(base, json["parameters"], "fit input parameters");
  }
  const free = json["free"];
  if (!Array.isArray(free) || free.length === 0)
    throw new CliError(`fit input: "free" expects a non-empty array of {name, min, max}`);
  const freeOut = free.map((f: unknown, i): RashpaFreeParameter => {
    if (
      !isObject(f) ||
      typeof f["name"] !== "string" ||
      typeof f["min"] !== "number" ||
      typeof f["max"] !== "number"
    )
      throw new CliError(`fit input: free[${i}] expects {name: string, min: number, max: number}`);
    if (!FITTABLE_PARAMETERS.includes(f["name"] as RashpaPcieNumericParameter))
      throw new CliError(
        `fit input: free[${i}].name "${f["name"]}" is not fittable (fittable: ${FITTABLE_PARAMETERS.join(", ")})`,
      );
    return { name: f["name"] as RashpaPcieNumericParameter, min: f["min"], max: f["max"] };
  });
  const points = json["points"];
  if (!Array.isArray(points) || points.length === 0)
    throw new CliError(`fit input: "points" expects a non-empty array`);
  const pointsOut = points.map((pt: unknown, i): RashpaFitPoint => {
    if (!isObject(pt) || typeof pt["link"] !== "string")
      throw new CliError(`fit input: points[${i}] expects {link: "gen<G>x<W>", …}`);
    for (const k of Object.keys(pt))
      if (!["link", "fpgaFraction", "applicationFraction", "parameters"].includes(k))
        throw new CliError(`fit input: points[${i}] has an unknown key "${k}"`);
    const out: { -readonly [K in keyof RashpaFitPoint]: RashpaFitPoint[K] } = { link: pt["link"] };
    for (const q of ["fpgaFraction", "applicationFraction"] as const) {
      const v = pt[q];
      if (v === undefined) continue;
      if (typeof v !== "number")
        throw new CliError(`fit input: points[${i}].${q} expects a number`);
      out[q] = v;
    }
    if (pt["parameters"] !== undefined) {
      if (!isObject(pt["parameters"]))
        throw new CliError(`fit input: points[${i}].parameters expects an object`);
      applyOverrides(base, pt["parameters"], `fit input points[${i}].parameters`);
      out.parameters = pt["parameters"];
    }
    return out;
  });
  const maxEvaluations = json["maxEvaluations"];
  if (
    maxEvaluations !== undefined &&
    (typeof maxEvaluations !== "number" || !Number.isInteger(maxEvaluations) || maxEvaluations < 1)
  )
    throw new CliError(`fit input: "maxEvaluations" expects a positive integer`);
  return maxEvaluations === undefined
    ? { points: pointsOut, base, free: freeOut }
    : { points: pointsOut, base, free: freeOut, maxEvaluations };
}

function fitTable(r: RashpaFitResult): string {
  let s = "";
  for (const [k, v] of Object.entries(r.fitted)) s += `${k} = ${v.toPrecision(6)}\n`;
  for (const x of r.residuals)
    s += `${x.link} ${x.quantity.padEnd(11)}  measured ${pct(x.measured)}, model ${pct(x.model)} (${pp(x.residual)})\n`;
  s += `rms ${(r.rms * 100).toFixed(4)} pp, ${r.evaluations} evaluations, ${r.converged ? "converged" : "not converged"}\n`;
  return s;
}

/** `rashpa model fit …` (argv after `fit`). */
async function fitCommand(argv: readonly string[], io: CliIo): Promise<void> {
  let json = false;
  let file: string | undefined;
  for (const a of argv) {
    if (a === "--json") json = true;
    else if (a.startsWith("--")) throw new CliError(`unknown option ${a}`);
    else if (file !== undefined) throw new CliError("model fit takes one input file");
    else file = a;
  }
  let text: string;
  if (file === undefined || file === "-") {
    text = await io.stdin();
    if (text.trim() === "") throw new CliError("missing fit input (a JSON file or standard input)");
  } else {
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new CliError(
        `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (e) {
    throw new CliError(`the fit input is not JSON: ${(e as Error).message}`);
  }
  const { points, ...options } = fitInput(input);
  let r: RashpaFitResult;
  try {
    r = fitRashpaPcie(points, options);
  } catch (e) {
    modelError(e);
  }
  io.stdout(json ? `${JSON.stringify(r, null, 2)}\n` : fitTable(r));
}

/**
 * `rashpa model pcie|fit …` (argv after `model`).
 *
 * @throws {@link CliError} on a bad option, link, calibration or fit input
 */
export async function modelCommand(argv: readonly string[], io: CliIo): Promise<void> {
  const [target, ...rest] = argv;
  if (target === "pcie") pcieCommand(rest, io);
  else if (target === "fit") await fitCommand(rest, io);
  else if (target === undefined)
    throw new CliError("model: missing the model (rashpa model pcie|fit …)");
  else throw new CliError(`model: unknown model "${target}" (known: pcie, fit)`);
}
