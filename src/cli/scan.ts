// `circuit-thermometer scan HYPOTHESIS [--out FILE] [--top N] [--json] [--html FILE] [--progress]`: the entanglement
// map (docs/method.md, "The entanglement map"). Checks the file, runs every scanned unit as its own one-unit circuit
// (one paired graph per draw), writes <name>.scan.json beside it and prints the top units.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rankScanUnits } from '../chart/scanFigure';
import { scanPageHtml } from '../chart/scanPage';
import { formatLevel, formatNumber } from '../chart/format';
import { readPlotlySource } from '../chart/plotlySource';
import { runScan } from '../engine/sweep/scan';
import { checkScanWritable, defaultScanPath, writeScan } from '../engine/sweep/scanFile';
import { writeFileAtomic } from '../engine/util/atomic';
import { checkHypothesisText, formatDiagnostic, readHypothesisFile } from '../hypothesis';
import { type ScanDocument, scanUnitName } from '../protocol/scan';
import { WorkerCheckCache } from '../worker/probeCache';
import { wholeNumberFlag } from './args';
import { type Command, EXIT } from './command';
import { displayPath, table } from './format';

export const scanCommand: Command = {
  name: 'scan',
  summary: 'Map every unit (or head) of some tensors: each swept as its own one-unit circuit.',
  description:
    'The hypothesis names the units to scan under `scan:` (tensor, axis, groupSize for heads) instead of a circuit. Every unit\n'
    + 'is intervened on in one paired graph per draw, judged with the verdict\'s tests against the other units of its\n'
    + 'tensor (an exact null), and the top units are printed: E_T and E_C at the trained network, the rank test\'s p, t_surv,\n'
    + 't_ent and the clean window. The map is written to <name>.scan.json beside the hypothesis (--out to change); --html\n'
    + 'also writes its heatmaps as a page. See docs/method.md, "The entanglement map".',
  args: [{ name: 'HYPOTHESIS', description: 'a *.circuit.yaml or *.circuit.json file with a `scan:` block', required: true }],
  flags: [
    { name: 'out', type: 'string', valueName: 'FILE', description: 'the scan\'s JSON (default: <name>.scan.json beside the hypothesis)' },
    { name: 'top', type: 'number', valueName: 'N', description: 'units in the table (default 10; 0 = all)' },
    { name: 'json', type: 'boolean', description: 'print the scan document on stdout instead of the table' },
    { name: 'html', type: 'string', valueName: 'FILE', description: 'also write the map as a self-contained page' },
    { name: 'progress', type: 'boolean', description: 'one line per finished level on stderr' },
  ],
  async run(args, io) {
    const file = path.resolve(io.cwd, args.positionals[0]);
    const top = wholeNumberFlag(args, 'top', 0) ?? 10;
    const out = path.resolve(io.cwd, typeof args.flags.out === 'string' ? args.flags.out : defaultScanPath(file));
    const html = typeof args.flags.html === 'string' ? path.resolve(io.cwd, args.flags.html) : undefined;
    const text = readHypothesisFile(file);
    const cache = new WorkerCheckCache();
    let checked: Awaited<ReturnType<typeof checkHypothesisText>>;
    try {
      checked = await checkHypothesisText(text, file, { cache });
    } finally {
      await cache.dispose();
    }
    for (const d of checked.diagnostics) if (d.severity === 'error') io.err(formatDiagnostic(d, displayPath(d.file, io.cwd)));
    const h = checked.hypothesis;
    if (!h) return EXIT.problems;
    if (!h.scan) {
      io.err(`circuit-thermometer: ${displayPath(file, io.cwd)} names a circuit, not units to scan`);
      io.err('hint: write `scan: { components: [{ tensor: NAME, axis: -1 }] }` in place of `circuit:` (groupSize: d_head for heads); `sweep` runs a circuit');
      return EXIT.problems;
    }
    checkScanWritable(out);
    if (html) checkScanWritable(html);
    const doc = await runScan(h, {
      onProgress: (p) => {
        if (args.flags.progress === true && p.drawsDone % Math.max(1, p.draws / p.levels) === 0) io.err(`level ${p.levelIndex + 1}/${p.levels} done (${p.drawsDone} of ${p.draws} draws)`);
      },
    });
    const written = writeScan(out, doc);
    if (html) writeFileAtomic(html, scanPageHtml(doc, { plotlySource: readPlotlySource() }));
    if (args.flags.json === true) {
      io.out(JSON.stringify(written, null, 2));
      return EXIT.ok;
    }
    io.out(formatScanTable(doc, top));
    io.out(`scan:    ${displayPath(out, io.cwd)}`);
    if (html) io.out(`map:     ${displayPath(html, io.cwd)}`);
    if (!fs.existsSync(out)) return EXIT.internal;
    return EXIT.ok;
  },
};

/** The top units (all with top = 0), then one line on the map as a whole. */
export function formatScanTable(doc: ScanDocument, top: number): string {
  const ranked = rankScanUnits(doc);
  const shown = top > 0 ? ranked.slice(0, top) : ranked;
  const header = ['#', 'unit', 'E_T(w*)', 'E_C(w*)', 'p', 'specific', 't_surv', 't_ent', 'clean window'];
  const rows = shown.map((u, i) => [
    String(i + 1), scanUnitName(doc, u), formatNumber(u.baseline.targetEffect), formatNumber(u.baseline.collateralEffect),
    formatNumber(u.specificity.p), u.specificity.specific ? 'yes' : 'no',
    u.tSurv === null ? '—' : formatLevel(u.tSurv), u.tEnt === null ? '—' : formatLevel(u.tEnt),
    u.cleanWindow ? `${formatLevel(u.cleanWindow[0])} … ${formatLevel(u.cleanWindow[1])}` : '—',
  ]);
  const specific = doc.units.filter((u) => u.specificity.specific).length;
  const clean = doc.units.filter((u) => u.tEnt !== null).length;
  const minP = Math.min(...doc.components.map((c) => 1 / c.units.length));
  return [
    ...table([header, ...rows]),
    '',
    `${doc.units.length} units in ${doc.components.length} tensor${doc.components.length === 1 ? '' : 's'}, ${doc.levels.length} levels: ${specific} specific at α = ${doc.method.alpha}`
      + ` (each against the other units of its tensor; the smallest p is 1/${Math.round(1 / minP)}), ${clean} with a clean window;`
      + ` ${doc.timings.draws} draws, ${formatNumber(doc.timings.secondsPerDraw)} s per draw for all units`,
    ...(top > 0 && ranked.length > top ? [`(top ${top} of ${ranked.length}; --top 0 lists all)`] : []),
  ].join('\n');
}
