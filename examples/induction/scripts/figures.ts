// The analysis figures as SVG (attention-pattern heatmaps, per-head score bars), rendered to PNG by Debian's
// Chromium through playwright-core (the same browser the e2e suite and the README screenshots use).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium } from 'playwright-core';
import { HEADS, LAYERS } from './network';
import { CONTEXT } from './task';

const CELL = 5;
const GAP = 14;
const LABEL = 16;

/** One heatmap per head (rows: layers), each [query, key] of one row's pattern, white (0) to dark blue (1). */
export function patternGridSvg(patterns: readonly Float32Array[], row: number, title: string, mark: (layer: number, head: number) => string | undefined): string {
  const tile = CONTEXT * CELL;
  const width = HEADS * (tile + GAP) + GAP;
  const height = LAYERS * (tile + GAP + LABEL) + GAP + 24;
  const parts: string[] = [`<text x="${GAP}" y="16" font-size="13" font-weight="bold">${escape(title)}</text>`];
  for (let l = 0; l < LAYERS; l++) {
    for (let h = 0; h < HEADS; h++) {
      const x0 = GAP + h * (tile + GAP);
      const y0 = 24 + l * (tile + GAP + LABEL) + LABEL;
      const note = mark(l, h);
      parts.push(`<text x="${x0}" y="${y0 - 4}" font-size="11"${note ? ' font-weight="bold"' : ''}>L${l}H${h}${note ? ` · ${escape(note)}` : ''}</text>`);
      parts.push(`<rect x="${x0 - 0.5}" y="${y0 - 0.5}" width="${tile + 1}" height="${tile + 1}" fill="none" stroke="${note ? '#c0392b' : '#999'}" stroke-width="${note ? 2 : 0.5}"/>`);
      const p = patterns[l]!;
      for (let q = 0; q < CONTEXT; q++) {
        for (let k = 0; k <= q; k++) {
          const v = p[((row * HEADS + h) * CONTEXT + q) * CONTEXT + k]!;
          if (v < 0.02) continue;
          parts.push(`<rect x="${x0 + k * CELL}" y="${y0 + q * CELL}" width="${CELL}" height="${CELL}" fill="${blue(v)}"/>`);
        }
      }
    }
  }
  return svg(width, height, parts);
}

/** Grouped bars: for each head of each layer, its previous-token score and its induction score (0 … 1). */
export function scoreBarsSvg(previous: readonly number[][], induction: readonly number[][]): string {
  const barW = 9;
  const groupW = 2 * barW + 8;
  const plotH = 120;
  const layerW = HEADS * groupW + 30;
  const width = 60 + LAYERS * layerW;
  const height = plotH + 70;
  const parts: string[] = [];
  const y = (v: number) => 20 + plotH * (1 - v);
  for (const v of [0, 0.5, 1]) {
    parts.push(`<line x1="50" x2="${width - 10}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`, `<text x="44" y="${y(v) + 4}" font-size="10" text-anchor="end">${v}</text>`);
  }
  for (let l = 0; l < LAYERS; l++) {
    const x0 = 60 + l * layerW;
    parts.push(`<text x="${x0 + (HEADS * groupW) / 2}" y="${height - 8}" font-size="12" text-anchor="middle">layer ${l}</text>`);
    for (let h = 0; h < HEADS; h++) {
      const x = x0 + h * groupW;
      const bar = (dx: number, v: number, color: string) => `<rect x="${x + dx}" y="${y(v)}" width="${barW}" height="${plotH * v}" fill="${color}"/>`;
      parts.push(bar(0, previous[l]![h]!, '#e67e22'), bar(barW, induction[l]![h]!, '#2e86c1'));
      parts.push(`<text x="${x + barW}" y="${20 + plotH + 14}" font-size="10" text-anchor="middle">H${h}</text>`);
    }
  }
  parts.push(`<rect x="60" y="4" width="10" height="10" fill="#e67e22"/><text x="74" y="13" font-size="11">previous-token score</text>`);
  parts.push(`<rect x="210" y="4" width="10" height="10" fill="#2e86c1"/><text x="224" y="13" font-size="11">induction score</text>`);
  return svg(width, height, parts);
}

const CHROMIUM = process.env.CT_E2E_CHROMIUM ?? '/usr/bin/chromium';

/** Runs `use` with a headless Chromium page (its profile in a temporary folder, removed afterwards). */
async function withPage<T>(options: { deviceScaleFactor: number; viewport?: { width: number; height: number } }, use: (page: import('playwright-core').Page) => Promise<T>): Promise<T> {
  const xdg = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-figures-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    env: { ...process.env, XDG_CONFIG_HOME: path.join(xdg, 'config'), XDG_CACHE_HOME: path.join(xdg, 'cache') },
  });
  try {
    return await use(await browser.newPage(options));
  } finally {
    await browser.close();
    fs.rmSync(xdg, { recursive: true, force: true });
  }
}

/** Writes each SVG as a PNG (device scale 2) with headless Chromium. */
export async function writePngs(figures: { file: string; svg: string }[]): Promise<void> {
  await withPage({ deviceScaleFactor: 2 }, async (page) => {
    for (const { file, svg: text } of figures) {
      await page.setContent(`<!doctype html><body style="margin:0;background:#fff;font-family:sans-serif">${text}</body>`);
      fs.writeFileSync(file, await page.locator('svg').screenshot());
    }
  });
}

/** A PNG of a saved chart page (`sweep --html`), once Plotly has drawn it. */
export async function chartPagePng(htmlFile: string, pngFile: string, viewport = { width: 1352, height: 808 }): Promise<void> {
  await withPage({ deviceScaleFactor: 1, viewport }, async (page) => {
    await page.goto(`file://${path.resolve(htmlFile)}`);
    await page.waitForSelector('.main-svg', { timeout: 30_000 });
    await page.waitForTimeout(500);
    fs.writeFileSync(pngFile, await page.screenshot());
  });
}

function svg(width: number, height: number, parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif"><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>`;
}

function blue(v: number): string {
  const t = Math.max(0, Math.min(1, v));
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${mix(255, 8)},${mix(255, 48)},${mix(255, 107)})`;
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}
