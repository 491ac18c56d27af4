/**
 * Fitting the RASHPA PCIe data-path model ({@link rashpaPcieModel}) to measured points: bounded,
 * deterministic least squares by Nelder–Mead (J. A. Nelder, R. Mead, "A simplex method for
 * function minimization", Comput. J. 7 (1965) 308–313; coefficients 1, 2, ½, ½) with restarts,
 * written here without dependencies.
 *
 * Bounds are kept by the change of variable x = lo + (hi − lo) · (1 + sin u) / 2, so the simplex
 * moves freely in u while every evaluated parameter stays in [lo, hi].
 *
 * @example
 * ```ts
 * import { ESRF_2013_GEN2X4, fitRashpaPcie } from "@rashpa/emulator";
 * const fit = fitRashpaPcie(
 *   [{ link: "gen2x4", fpgaFraction: 0.68, applicationFraction: 0.5115 }],
 *   {
 *     base: ESRF_2013_GEN2X4.parameters,
 *     free: [
 *       { name: "cyclesPerRegisterAccess", min: 1, max: 64 },
 *       { name: "hostReadGBps", min: 0.5, max: 50 },
 *     ],
 *   },
 * );
 * fit.rms; // ≈ 0
 * ```
 *
 * @module
 */
import {
  FITTABLE_PARAMETERS,
  RashpaModelError,
  pcieLinkName,
  rashpaPcieModel,
} from "./pcie-path.js";
import type {
  PcieLinkConfig,
  RashpaPcieNumericParameter,
  RashpaPcieParameters,
} from "./pcie-path.js";

/** One measured point: a link (with optional parameter overrides) and its measured fractions. */
export interface RashpaFitPoint {
  /** The link, or its name `gen<G>x<W>`. */
  readonly link: PcieLinkConfig | string;
  /** Measured FPGA-level throughput as a fraction of the link maximum. */
  readonly fpgaFraction?: number;
  /** Measured application-level throughput as a fraction of the link maximum. */
  readonly applicationFraction?: number;
  /** Parameters that differ at this point (e.g. `frameBytes`, `maxPayloadSize`). */
  readonly parameters?: Partial<RashpaPcieParameters>;
}

/** A parameter the fit may vary, with its bounds. */
export interface RashpaFreeParameter {
  /** One of {@link FITTABLE_PARAMETERS}. */
  readonly name: RashpaPcieNumericParameter;
  /** Lower bound (inclusive). */
  readonly min: number;
  /** Upper bound (inclusive), > min. */
  readonly max: number;
}

/** Options of {@link fitRashpaPcie}. */
export interface RashpaFitOptions {
  /** The parameters the fit starts from; the non-free ones stay as they are. */
  readonly base: RashpaPcieParameters;
  /** The free parameters with their bounds (at least one, no repeats). */
  readonly free: readonly RashpaFreeParameter[];
  /**
   * Objective evaluations allowed, across restarts.
   * @defaultValue 4000
   */
  readonly maxEvaluations?: number;
  /**
   * Stop when the simplex's objective values differ by less than this (sum of squared fractions).
   * @defaultValue 1e-18
   */
  readonly tolerance?: number;
}

/** One residual of a fit. */
export interface RashpaFitResidual {
  /** Index of the point in the input. */
  readonly point: number;
  /** Link name. */
  readonly link: string;
  /** Measurement point. */
  readonly quantity: "fpga" | "application";
  /** Measured fraction. */
  readonly measured: number;
  /** Fitted model fraction. */
  readonly model: number;
  /** model − measured (fraction; × 100 for percentage points). */
  readonly residual: number;
}

/** Result of {@link fitRashpaPcie}. */
export interface RashpaFitResult {
  /** The base parameters with the free ones replaced by their fitted values. */
  readonly parameters: RashpaPcieParameters;
  /** The fitted values of the free parameters, by name. */
  readonly fitted: Readonly<Partial<Record<RashpaPcieNumericParameter, number>>>;
  /** One residual per measured value. */
  readonly residuals: readonly RashpaFitResidual[];
  /** Root mean square of the residuals (fraction). */
  readonly rms: number;
  /** Objective evaluations used. */
  readonly evaluations: number;
  /** Whether the simplex met the tolerance before the evaluation budget ran out. */
  readonly converged: boolean;
}

function check(points: readonly RashpaFitPoint[], o: RashpaFitOptions): void {
  if (points.length === 0) throw new RashpaModelError("points", "at least one point", "none");
  let values = 0;
  points.forEach((p, i) => {
    for (const q of ["fpgaFraction", "applicationFraction"] as const) {
      const v = p[q];
      if (v === undefined) continue;
      if (typeof v !== "number" || !Number.isFinite(v) || v <= 0 || v > 1)
        throw new RashpaModelError(`points[${i}].${q}`, "a number in (0, 1]", String(v));
      values++;
    }
  });
  if (values === 0) throw new RashpaModelError("points", "at least one measured fraction", "none");
  if (o.free.length === 0) throw new RashpaModelError("free", "at least one parameter", "none");
  const seen = new Set<string>();
  o.free.forEach((f, i) => {
    if (!FITTABLE_PARAMETERS.includes(f.name))
      throw new RashpaModelError(
        `free[${i}].name`,
        `one of ${FITTABLE_PARAMETERS.join(", ")}`,
        String(f.name),
      );
    if (seen.has(f.name)) throw new RashpaModelError(`free[${i}].name`, "no repeat", f.name);
    seen.add(f.name);
    if (!Number.isFinite(f.min) || !Number.isFinite(f.max) || !(f.max > f.min))
      throw new RashpaModelError(
        `free[${i}]`,
        "finite bounds with max > min",
        `[${f.min}, ${f.max}]`,
      );
  });
}

/** Nelder–Mead minimisation of `f` from `x0` with initial steps `step`; deterministic. */
function nelderMead(
  f: (x: number[]) => number,
  x0: readonly number[],
  step: number,
  budget: number,
  tolerance: number,
): { x: number[]; fx: number; evaluations: number; converged: boolean } {
  const n = x0.length;
  let evaluations = 0;
  const ev = (x: number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  const simplex: { x: number[]; fx: number }[] = [{ x: [...x0], fx: ev([...x0]) }];
  for (let i = 0; i < n; i++) {
    const x = [...x0];
    x[i] = x[i]! + step;
    simplex.push({ x, fx: ev(x) });
  }
  let converged = false;
  while (evaluations < budget) {
    simplex.sort((a, b) => a.fx - b.fx);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    if (worst.fx - best.fx <= tolerance) {
      converged = true;
      break;
    }
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j]! += simplex[i]!.x[j]! / n;
    const along = (t: number): number[] => centroid.map((c, j) => c + t * (worst.x[j]! - c));
    const xr = along(-1);
    const fr = ev(xr);
    if (fr < best.fx) {
      const xe = along(-2);
      const fe = ev(xe);
      simplex[n] = fe < fr ? { x: xe, fx: fe } : { x: xr, fx: fr };
    } else if (fr < simplex[n - 1]!.fx) {
      simplex[n] = { x: xr, fx: fr };
    } else {
      const xc = fr < worst.fx ? along(-0.5) : along(0.5);
      const fc = ev(xc);
      if (fc < Math.min(fr, worst.fx)) simplex[n] = { x: xc, fx: fc };
      else
        for (let i = 1; i <= n; i++) {
          const x = simplex[i]!.x.map((v, j) => best.x[j]! + 0.5 * (v - best.x[j]!));
          simplex[i] = { x, fx: ev(x) };
        }
    }
  }
  simplex.sort((a, b) => a.fx - b.fx);
  return { x: simplex[0]!.x, fx: simplex[0]!.fx, evaluations, converged };
}

/**
 * Fits the free parameters of the model to measured points by least squares on the fractions of
 * the link maximum (Nelder–Mead in bounded coordinates, restarted from the best point until a
 * restart no longer improves it).
 *
 * @param points - measured points
 * @param options - base parameters, free parameters with bounds, budget
 * @returns the fitted parameters, the residual of every measured value and their RMS
 * @throws {@link RashpaModelError} when a point, a bound or a parameter is invalid
 */
export function fitRashpaPcie(
  points: readonly RashpaFitPoint[],
  options: RashpaFitOptions,
): RashpaFitResult {
  check(points, options);
  const free = options.free;
  const budget = options.maxEvaluations ?? 4000;
  const tolerance = options.tolerance ?? 1e-18;
  const toX = (u: readonly number[]): number[] =>
    free.map((f, i) => f.min + ((f.max - f.min) * (1 + Math.sin(u[i]!))) / 2);
  const paramsOf = (x: readonly number[], overrides?: Partial<RashpaPcieParameters>) => {
    const p: Record<string, unknown> = { ...options.base, ...overrides };
    free.forEach((f, i) => (p[f.name] = x[i]));
    return p as unknown as RashpaPcieParameters;
  };
  const evaluate = (x: readonly number[]): RashpaFitResidual[] => {
    const out: RashpaFitResidual[] = [];
    points.forEach((pt, i) => {
      const r = rashpaPcieModel(pt.link, paramsOf(x, pt.parameters));
      const link = typeof pt.link === "string" ? pt.link : pcieLinkName(pt.link);
      if (pt.fpgaFraction !== undefined)
        out.push({
          point: i,
          link,
          quantity: "fpga",
          measured: pt.fpgaFraction,
          model: r.fpgaFraction,
          residual: r.fpgaFraction - pt.fpgaFraction,
        });
      if (pt.applicationFraction !== undefined)
        out.push({
          point: i,
          link,
          quantity: "application",
          measured: pt.applicationFraction,
          model: r.applicationFraction,
          residual: r.applicationFraction - pt.applicationFraction,
        });
    });
    return out;
  };
  // Validate the base and the points once (throws on a bad link or parameter), at the start point.
  const x0 = free.map((f) => Math.min(f.max, Math.max(f.min, options.base[f.name])));
  evaluate(x0);
  const objective = (u: number[]): number => {
    let s = 0;
    for (const r of evaluate(toX(u))) s += r.residual * r.residual;
    return s;
  };
  // u0 = asin(2 (x0 − lo) / (hi − lo) − 1), nudged off ±π/2 where sin has a flat top.
  let u = x0.map((x, i) => {
    const f = free[i]!;
    const s = Math.min(0.999, Math.max(-0.999, (2 * (x - f.min)) / (f.max - f.min) - 1));
    return Math.asin(s);
  });
  let fu = Infinity;
  let evaluations = 0;
  let converged = false;
  for (let restart = 0; restart < 8 && evaluations < budget; restart++) {
    const r = nelderMead(objective, u, restart === 0 ? 0.5 : 0.1, budget - evaluations, tolerance);
    evaluations += r.evaluations;
    const improved = r.fx < fu - tolerance;
    if (r.fx <= fu) {
      u = r.x;
      fu = r.fx;
    }
    converged = r.converged;
    if (!improved && restart > 0) break;
  }
  const x = toX(u);
  const residuals = evaluate(x);
  const rms = Math.sqrt(
    residuals.reduce((s, r) => s + r.residual * r.residual, 0) / residuals.length,
  );
  const fitted: Partial<Record<RashpaPcieNumericParameter, number>> = {};
  free.forEach((f, i) => (fitted[f.name] = x[i]!));
  return { parameters: paramsOf(x), fitted, residuals, rms, evaluations, converged };
}
