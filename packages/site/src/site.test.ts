/**
 * The reference site, built and checked: TypeDoc (with the repository's `typedoc.json`, warnings
 * as errors) into `.site-check/site`, served on localhost by {@link serveStatic}; every internal
 * link of every page (and of the navigation tree) must resolve; then headless Chromium
 * (`playwright-core` with the Debian `chromium` package, or `CHROMIUM_PATH`) renders the home
 * page, a package API page, a packet-format page, a register-map page and a guide, checks their
 * SVG diagrams and TypeDoc's search, and writes screenshots to `.site-check/screenshots/`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { inflateSync } from "node:zlib";
import { loadSpecDir } from "@rashpa/spec";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSite } from "./build.js";
import { serveStatic } from "./server.js";
import type { StaticServer } from "./server.js";

const root = resolve(import.meta.dirname, "../../..");
const work = resolve(import.meta.dirname, "../.site-check");
const out = join(work, "site");
const shots = join(work, "screenshots");
const chromiumPath = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const hasChromium = existsSync(chromiumPath);
/** The guides: the project documents typedoc.json lists one by one (the spec pages come by glob). */
const guides = (
  JSON.parse(readFileSync(join(root, "typedoc.json"), "utf8")) as { projectDocuments: string[] }
).projectDocuments.filter((p) => !p.includes("*"));

const specs = loadSpecDir(join(root, "specs"), root);
const formatIds = specs.flatMap((s) => s.formats.map((f) => f.id));
const mapIds = specs.flatMap((s) => s.registerMaps.map((m) => `${s.idPrefix}.${m.name}`));

let server: StaticServer;

beforeAll(async () => {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  buildSite({ root, out, output: "pipe" });
  server = await serveStatic(out);
}, 600_000);

afterAll(async () => {
  await server?.close();
});

/** Internal URLs referenced by `href` and `src` attributes of an HTML page. */
function links(html: string, base: string): string[] {
  const found: string[] = [];
  for (const m of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
    const raw = m[1]!.replace(/&amp;/g, "&");
    if (raw === "" || raw.startsWith("#") || /^(mailto|javascript|data):/.test(raw)) continue;
    const u = new URL(raw, base);
    if (u.origin !== new URL(server.url).origin) continue;
    u.hash = "";
    found.push(u.href);
  }
  return found;
}

/** The navigation tree TypeDoc ships as `assets/navigation.js` (base64 of deflated JSON). */
function navigationPaths(): string[] {
  const js = readFileSync(join(out, "assets/navigation.js"), "utf8");
  const data = /"([A-Za-z0-9+/=]+)"/.exec(js)?.[1];
  if (data === undefined) throw new Error("assets/navigation.js holds no navigation data");
  type Node = { text: string; path?: string; children?: Node[] };
  const tree = JSON.parse(inflateSync(Buffer.from(data, "base64")).toString("utf8")) as Node[];
  const paths: string[] = [];
  const walk = (nodes: readonly Node[]): void => {
    for (const n of nodes) {
      if (n.path !== undefined) paths.push(n.path);
      if (n.children) walk(n.children);
    }
  };
  walk(tree);
  return paths;
}

describe("reference site (built by TypeDoc from typedoc.json)", () => {
  it("has the API pages, one page per packet format and register map, and the guides", () => {
    const documents = readdirSync(join(out, "documents")).sort();
    for (const id of [...formatIds, ...mapIds]) expect(documents).toContain(`${id}.html`);
    expect(guides.length).toBeGreaterThanOrEqual(7);
    expect(documents).toHaveLength(formatIds.length + mapIds.length + guides.length);
    // Every format and register map page carries its SVG diagrams inline.
    const withoutDiagram = [...formatIds, ...mapIds].filter(
      (id) =>
        !readFileSync(join(out, "documents", `${id}.html`), "utf8").includes(
          '<svg xmlns="http://www.w3.org/2000/svg" class="rashpa-bitfield"',
        ),
    );
    expect(withoutDiagram).toEqual([]);
    expect(readdirSync(join(out, "modules"))).toContain("_rashpa_pcie.html");
    expect(existsSync(join(out, "functions/_rashpa_pcie.decodeTlp.html"))).toBe(true);
  });

  it("puts guides, packet formats and register maps in the navigation, every entry a page", () => {
    const js = readFileSync(join(out, "assets/navigation.js"), "utf8");
    const data = /"([A-Za-z0-9+/=]+)"/.exec(js)![1]!;
    const top = (
      JSON.parse(inflateSync(Buffer.from(data, "base64")).toString("utf8")) as {
        text: string;
      }[]
    ).map((n) => n.text);
    expect(top.slice(0, 3)).toEqual(["Guides", "Packet formats", "Register maps"]);
    const missing = navigationPaths().filter((p) => !existsSync(join(out, p)));
    expect(missing).toEqual([]);
  });

  it("links every generated API symbol of a format to the format's page", () => {
    for (const page of [
      "functions/_rashpa_pcie.decodeTlp.html",
      "functions/_rashpa_pcie.encodeTlp.html",
      "types/_rashpa_pcie.Tlp.html",
      "variables/_rashpa_registers.CONTROLLER_MAP.html",
    ]) {
      const html = readFileSync(join(out, page), "utf8");
      expect(html, page).toMatch(/href="\.\.\/documents\/(pcie\.tlp|rashpa\.controller)\.html"/);
    }
  });

  it("resolves every internal link of every page (crawled from the home page)", async () => {
    const seen = new Set<string>([server.url]);
    const queue = [server.url];
    const broken: string[] = [];
    while (queue.length > 0) {
      const url = queue.shift()!;
      const res = await fetch(url);
      if (res.status !== 200) {
        broken.push(`${url} → ${res.status}`);
        continue;
      }
      if (!(res.headers.get("content-type") ?? "").startsWith("text/html")) {
        await res.arrayBuffer();
        continue;
      }
      const html = await res.text();
      for (const l of links(html, url)) {
        if (seen.has(l)) continue;
        seen.add(l);
        queue.push(l);
      }
    }
    expect(broken).toEqual([]);
    // The crawl reached the whole site: every HTML file written is linked from somewhere.
    const html = (dir: string): string[] =>
      readdirSync(join(out, dir))
        .filter((f) => f.endsWith(".html"))
        .map((f) => `${server.url}${dir}/${f}`);
    const pages = ["documents", "modules", "functions", "classes", "interfaces"].flatMap(html);
    expect(pages.filter((p) => !seen.has(p))).toEqual([]);
  }, 300_000);
});

describe.skipIf(!hasChromium)(
  `reference site in headless Chromium (${hasChromium ? chromiumPath : `skipped: no Chromium at ${chromiumPath}; install the Debian package "chromium" or set CHROMIUM_PATH`})`,
  () => {
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: chromiumPath });
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
    });

    const open = async (path: string, shot: string): Promise<void> => {
      const errors: string[] = [];
      const onError = (e: Error): void => {
        errors.push(e.message);
      };
      page.on("pageerror", onError);
      const res = await page.goto(`${server.url}${path}`, { waitUntil: "load" });
      expect(res?.status(), path).toBe(200);
      // The navigation tree is filled in by script: wait for it.
      await page.waitForSelector(".site-menu nav a, #tsd-nav-container a", { timeout: 30_000 });
      await page.screenshot({ path: join(shots, `${shot}.png`), fullPage: false });
      page.off("pageerror", onError);
      expect(errors, path).toEqual([]);
    };

    /** Inline SVG diagrams of the page with a drawn size and their box count. */
    const diagrams = (selector: string): Promise<{ w: number; h: number; rects: number }[]> =>
      page.$$eval(selector, (els) =>
        els.map((e) => {
          const r = e.getBoundingClientRect();
          return { w: r.width, h: r.height, rects: e.querySelectorAll("rect").length };
        }),
      );

    it("renders the home page with the guides, spec pages and packages in its navigation", async () => {
      await open("index.html", "home");
      expect(await page.title()).toContain("rashpa");
      const nav = await page.$$eval(".site-menu nav a, #tsd-nav-container a", (as) =>
        as.map((a) => a.textContent?.trim() ?? ""),
      );
      expect(nav).toEqual(expect.arrayContaining(["The system", "Quick start", "pcie.tlp"]));
      expect(nav).toEqual(expect.arrayContaining(["rashpa.controller", "@rashpa/pcie"]));
    });

    it("renders a package API page", async () => {
      await open("modules/_rashpa_pcie.html", "api-pcie");
      expect(await page.locator("h1").first().textContent()).toContain("@rashpa/pcie");
      expect(await page.locator('a[href$="_rashpa_pcie.decodeTlp.html"]').count()).toBeGreaterThan(
        0,
      );
    });

    it("renders a packet-format page with its bit-field diagrams and field table", async () => {
      await open("documents/pcie.tlp.html", "packet-pcie-tlp");
      const svgs = await diagrams(".rashpa-diagram svg.rashpa-bitfield");
      expect(svgs.length).toBeGreaterThan(10); // one or more per TLP variant
      for (const s of svgs) {
        expect(s.w).toBeGreaterThan(100);
        expect(s.h).toBeGreaterThan(30);
        expect(s.rects).toBeGreaterThan(0);
      }
      await page
        .locator(".rashpa-diagram")
        .first()
        .screenshot({ path: join(shots, "packet-pcie-tlp-diagram.png") });
      expect(await page.locator("table th", { hasText: "field" }).count()).toBeGreaterThan(0);
      expect(await page.locator('a[href$="_rashpa_pcie.decodeTlp.html"]').count()).toBeGreaterThan(
        0,
      );
    });

    it("renders a register-map page with a diagram and the access of every field", async () => {
      await open("documents/rashpa.controller.html", "registers-rashpa-controller");
      const svgs = await diagrams(".rashpa-diagram svg.rashpa-bitfield");
      expect(svgs.length).toBeGreaterThan(20);
      for (const s of svgs) expect(s.rects).toBeGreaterThan(0);
      const access = await page.$$eval(".rashpa-diagram svg text", (ts) =>
        ts.map((t) => t.textContent ?? ""),
      );
      await page
        .locator(".rashpa-diagram")
        .nth(2)
        .screenshot({ path: join(shots, "registers-rashpa-controller-diagram.png") });
      expect(access).toEqual(expect.arrayContaining(["RW", "RO"]));
      expect(access.some((a) => a.includes("W1C"))).toBe(true);
    });

    it("renders the throughput guide with its plots from the model code", async () => {
      await open("documents/The_throughput_models.html", "guide-throughput");
      const imgs = await page.$$eval('img[src$=".svg"]', (is) =>
        is.map((i) => ({
          src: i.getAttribute("src"),
          w: (i as unknown as { naturalWidth: number }).naturalWidth,
        })),
      );
      expect(imgs.map((i) => i.src)).toEqual(
        expect.arrayContaining(["../media/pcie-efficiency.svg", "../media/bridge-curve.svg"]),
      );
      for (const i of imgs) expect(i.w, i.src ?? "").toBeGreaterThan(0);
    });

    it("finds decodeTlp with TypeDoc's search and opens its page", async () => {
      await open("index.html", "search-before");
      await page.click("#tsd-search-trigger");
      await page.fill("#tsd-search-input", "decodeTlp");
      const hit = page.locator("#tsd-search-results li a", { hasText: "decodeTlp" }).first();
      await hit.waitFor({ timeout: 30_000 });
      await page.screenshot({ path: join(shots, "search-decodeTlp.png") });
      await hit.click();
      await page.waitForURL(/_rashpa_pcie\.decodeTlp\.html/);
      expect(await page.locator('a[href$="documents/pcie.tlp.html"]').count()).toBeGreaterThan(0);
    });
  },
);

if (!hasChromium)
  console.warn(
    `[site] Chromium not found at ${chromiumPath}: the browser check of the site is skipped ` +
      `(apt-get install chromium, or set CHROMIUM_PATH); the build and link checks still run`,
  );
