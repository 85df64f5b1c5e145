// `circuit-thermometer sweep` end to end on the planted examples: the table, --json, --html (the chart's numbers
// against the results file), exit codes, Ctrl-C; in-process through `sweep()`, and as a real process from an
// esbuild bundle laid out like dist/ (cli.js with worker.js beside it).
import * as assert from 'assert';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { SHAPE, TRACE, type Figure } from '../../../src/chart/figure';
import { progressLine } from '../../../src/cli/progress';
import { formatDuration } from '../../../src/protocol/format';
import { sweep, SWEEP_EXIT } from '../../../src/cli/sweep';
import type { CliIO } from '../../../src/cli/command';
import type { ResultsDocument } from '../../../src/protocol/results';
import { loadArraySync, makeArray, saveNpy } from '../../../src/engine/data';
import { copyPlanted, grid, slow, type PlantedCopy } from '../../support/workerFixtures';

interface Captured {
  io: CliIO;
  out: () => string;
  err: () => string;
}

function capture(cwd: string, onErr?: (line: string) => void): Captured {
  let out = '';
  let err = '';
  return {
    io: {
      out: (t) => { out += `${t}\n`; },
      err: (t) => { err += `${t}\n`; onErr?.(t); },
      cwd,
    },
    out: () => out,
    err: () => err,
  };
}

/** The figures the page embeds (`var figures = {...};`). */
function pageFigures(html: string): Record<string, Figure> {
  const m = /var figures = (\{.*?\});\n/s.exec(html);
  assert.ok(m, 'the page embeds its figures');
  return JSON.parse(m[1]) as Record<string, Figure>;
}

const silentTerminal = { write: () => true, isTTY: false };

describe('cli: sweep', function () {
  this.timeout(60_000);
  let planted: PlantedCopy;

  before(() => {
    planted = copyPlanted();
  });
  after(() => planted.remove());

  it('prints the verdict table, writes the results beside the hypothesis and a chart page whose numbers are the file’s', async () => {
    const c = capture(planted.dir);
    const code = await sweep({ hypothesis: 'kappa-0.circuit.yaml', html: 'kappa-0.html' }, c.io, { terminal: silentTerminal });
    assert.strictEqual(code, SWEEP_EXIT.done, c.err());
    const doc = JSON.parse(fs.readFileSync(path.join(planted.dir, 'kappa-0.results.json'), 'utf8')) as ResultsDocument;

    const lines = c.out().split('\n');
    assert.match(lines[0], /^σ\s+ΔL\s+E_T±se\s+null m±sd\s+X_T±se\s+E_C±se\s+R̂\/ESS\s+failed$/);
    assert.strictEqual(lines.filter((l) => /^\d/.test(l)).length, doc.levels.length, 'one row per level');
    assert.ok(c.out().includes(`summary       ${doc.verdict.summary}`));
    assert.match(c.out(), /results: kappa-0\.results\.json\nchart:   kappa-0\.html/);

    const html = fs.readFileSync(path.join(planted.dir, 'kappa-0.html'), 'utf8');
    assert.ok(html.length > 1_000_000, 'Plotly is inlined');
    const fig = pageFigures(html)['light/temperature'];
    const byUid = (uid: string) => fig.data.find((d) => (d as { uid?: string }).uid === uid) as { x: number[]; y: number[] };
    const kept = doc.levels.filter((l) => !l.error);
    assert.deepStrictEqual(byUid(TRACE.target).x, kept.map((l) => l.level));
    assert.deepStrictEqual(byUid(TRACE.target).y, kept.map((l) => l.targetEffect.mean));
    assert.deepStrictEqual(byUid(TRACE.targetUpper).y, kept.map((l) => l.targetEffect.ci95![1]));
    assert.deepStrictEqual(byUid(TRACE.collateralLower).y, kept.map((l) => l.collateralEffect.ci95![0]));
    assert.deepStrictEqual(byUid(TRACE.lossGap).y, kept.map((l) => l.lossGap.mean));
    const shape = (name: string) => fig.layout.shapes!.find((s) => s.name === name)!;
    assert.ok(doc.verdict.cleanWindow, 'kappa-0 has a clean window');
    assert.deepStrictEqual([shape(SHAPE.cleanWindow).x0, shape(SHAPE.cleanWindow).x1], doc.verdict.cleanWindow);
    assert.strictEqual(shape(SHAPE.tEnt).x0, doc.verdict.tEnt);
    assert.strictEqual(shape(SHAPE.tSurv).x0, doc.verdict.tSurv);
    assert.ok((fig.layout.title as { text: string }).text.includes(doc.verdict.summary));
  });

  it('--json prints the results document itself', async () => {
    const c = capture(planted.dir);
    const out = path.join(planted.dir, 'k0.json');
    assert.strictEqual(await sweep({ hypothesis: 'kappa-0.circuit.yaml', out, json: true }, c.io, { terminal: silentTerminal }), SWEEP_EXIT.done);
    assert.deepStrictEqual(JSON.parse(c.out()), JSON.parse(fs.readFileSync(out, 'utf8')));
  });

  it('--progress prints a line per level; Ctrl-C (SIGINT) cancels: exit 130 and no results file', async () => {
    planted.variant('slow-cli', slow(400));
    const signals = new EventEmitter();
    const c = capture(planted.dir, (line) => {
      if (line.startsWith('level 1/')) signals.emit('SIGINT');
    });
    const code = await sweep({ hypothesis: 'slow-cli.circuit.yaml', progress: true }, c.io, { terminal: silentTerminal, signals: signals as unknown as NodeJS.Process });
    assert.strictEqual(code, SWEEP_EXIT.cancelled, c.err());
    assert.match(c.err(), /^level 1\/12 \(0\.001\) done in [\d.]+ s\ncancelling…/m);
    assert.match(c.err(), /sweep cancelled; no results written/);
    assert.ok(!fs.existsSync(path.join(planted.dir, 'slow-cli.results.json')));
    assert.strictEqual(signals.listenerCount('SIGINT'), 0, 'the handler is removed');
  });

  it('exit codes: 1 hypothesis errors (a NaN in the data too), 2 unreadable, 3 run failed', async () => {
    planted.variant('typo', (y) => y.replace('intervention:', 'interventoin:'));
    let c = capture(planted.dir);
    assert.strictEqual(await sweep({ hypothesis: 'typo.circuit.yaml' }, c.io, { terminal: silentTerminal }), SWEEP_EXIT.hypothesisErrors);
    assert.match(c.err(), /typo\.circuit\.yaml:\d+:\d+: error: .*interventoin/);

    c = capture(planted.dir);
    assert.strictEqual(await sweep({ hypothesis: 'absent.circuit.yaml' }, c.io, { terminal: silentTerminal }), SWEEP_EXIT.unreadable);
    assert.match(c.err(), /cannot read absent\.circuit\.yaml/);

    // A NaN in the data: the check inside the sweep finds it, so the sweep exits 1 as `check` does (it exited 3).
    const x = loadArraySync(path.join(planted.dir, 'data/x.npy'));
    const nan = Float32Array.from(x.data as Float32Array);
    nan[5] = NaN;
    saveNpy(path.join(planted.dir, 'data/x-nan.npy'), makeArray('float32', [...x.shape], nan));
    planted.variant('nan', (y) => y.replace('./data/x.npy', './data/x-nan.npy'));
    c = capture(planted.dir);
    assert.strictEqual(await sweep({ hypothesis: 'nan.circuit.yaml' }, c.io, { terminal: silentTerminal }), SWEEP_EXIT.hypothesisErrors);
    assert.match(c.err(), /nan\.circuit\.yaml:\d+:\d+: error: input 'x': NaN at \[\d+, \d+\] \(row \d+\)/);

    planted.variant('overflow', grid([1e25, 1e30]));
    c = capture(planted.dir);
    assert.strictEqual(await sweep({ hypothesis: 'overflow.circuit.yaml' }, c.io, { terminal: silentTerminal }), SWEEP_EXIT.runFailed);
    assert.match(c.err(), /every level diverged/);
    assert.ok(!fs.existsSync(path.join(planted.dir, 'overflow.results.json')));
  });
});

describe('cli: sweep from the bundle, as a real process', function () {
  this.timeout(90_000);
  let planted: PlantedCopy;
  let bundle: string;

  before(async () => {
    planted = copyPlanted();
    // Laid out like dist/: cli.js with worker.js beside it; inside the repo so node_modules (plotly.js-dist,
    // onnxruntime-node) resolve as they do for dist/.
    fs.mkdirSync(path.resolve(__dirname, '../../out'), { recursive: true });
    bundle = fs.mkdtempSync(path.resolve(__dirname, '../../out/test-bundle-'));
    const common: esbuild.BuildOptions = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['vscode', 'onnxruntime-node'], logLevel: 'error' };
    await Promise.all([
      esbuild.build({ ...common, entryPoints: [path.resolve(__dirname, '../../../src/cli/main.ts')], outfile: path.join(bundle, 'cli.js') }),
      esbuild.build({ ...common, entryPoints: [path.resolve(__dirname, '../../../src/worker/worker.ts')], outfile: path.join(bundle, 'worker.js') }),
    ]);
  });
  after(() => {
    planted.remove();
    fs.rmSync(bundle, { recursive: true, force: true });
  });

  function run(args: string[], onStderr?: (text: string, pid: number) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
    // A process group of its own, like a shell's foreground job: Ctrl-C reaches the CLI and its worker alike.
    const child = spawn(process.execPath, [path.join(bundle, 'cli.js'), ...args], { cwd: planted.dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      onStderr?.(stderr, child.pid!);
    });
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  }

  it('runs the sweep in the bundled worker and writes a chart page that needs nothing else', async () => {
    const r = await run(['sweep', 'kappa-1.circuit.yaml', '--html', 'k2.html']);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /results: kappa-1\.results\.json/);
    const html = fs.readFileSync(path.join(planted.dir, 'k2.html'), 'utf8');
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/i, 'no external script or stylesheet');
    assert.ok(html.includes('Plotly'), 'Plotly inlined');
  });

  it('the chart page renders offline in a browser: SVG only, no request but the file, no error, markers where the verdict says', async function () {
    const chromiumPath = process.env.CT_E2E_CHROMIUM ?? '/usr/bin/chromium';
    if (!fs.existsSync(chromiumPath)) this.skip(); // the e2e harness installs it (test/e2e/setup-harness.sh)
    const html = path.join(planted.dir, 'k2.html');
    assert.ok(fs.existsSync(html), 'written by the previous test');
    const doc = JSON.parse(fs.readFileSync(path.join(planted.dir, 'kappa-1.results.json'), 'utf8')) as ResultsDocument;
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      const problems: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
      page.on('pageerror', (e) => problems.push(String(e)));
      await page.goto(`file://${html}`);
      await page.waitForSelector('#chart .main-svg');
      const drawn = await page.evaluate(() => {
        const gd = document.getElementById('chart') as unknown as { _fullLayout: { shapes: { name: string; x0: number }[]; xaxis: { type: string } } };
        return {
          traces: document.querySelectorAll('#chart .scatterlayer .trace').length,
          canvases: document.querySelectorAll('canvas').length,
          shapes: gd._fullLayout.shapes.map((x) => [x.name, x.x0]),
          xType: gd._fullLayout.xaxis.type,
        };
      });
      assert.deepStrictEqual(requests, [`file://${html}`]);
      assert.deepStrictEqual(problems, []);
      assert.strictEqual(drawn.canvases, 0, 'no WebGL');
      assert.ok(drawn.traces >= 10, `${drawn.traces} SVG traces`);
      assert.strictEqual(drawn.xType, 'log');
      const expected: [string, number][] = [];
      if (doc.verdict.cleanWindow) expected.push([SHAPE.cleanWindow, doc.verdict.cleanWindow[0]]);
      if (doc.verdict.tEnt !== null) expected.push([SHAPE.tEnt, doc.verdict.tEnt]);
      if (doc.verdict.tSurv !== null) expected.push([SHAPE.tSurv, doc.verdict.tSurv]);
      // The verdict's markers (the greyed no-behaviour runs are checked in the figure's unit tests).
      const markers = drawn.shapes.filter(([name]) => name !== SHAPE.noBehaviour);
      assert.ok(drawn.shapes.length - markers.length === (doc.levels.some((l) => l.tests?.behaviour === false) ? 1 : 0), 'one greyed run where the behaviour is gone');
      // Plotly keeps log-axis positions as log10 and back: equal to 12 digits.
      assert.deepStrictEqual(markers.map(([name]) => name), expected.map(([name]) => name));
      markers.forEach(([name, x], i) => assert.ok(Math.abs((x as number) / expected[i][1] - 1) < 1e-12, `${name} at ${x}, verdict ${expected[i][1]}`));
    } finally {
      await browser.close();
    }
  });

  it('Ctrl-C to the process group: the CLI cancels, the worker does not die of it, exit 130, no results file, no process left', async () => {
    planted.variant('slow-bundle', slow(400));
    let sent = false;
    let group = 0;
    const r = await run(['sweep', 'slow-bundle.circuit.yaml', '--progress'], (stderr, pid) => {
      if (!sent && stderr.includes('level 1/')) {
        sent = true;
        group = pid;
        process.kill(-pid, 'SIGINT');
      }
    });
    assert.throws(() => process.kill(-group, 0), /ESRCH/, 'no process of the group (CLI or worker) is left');
    assert.ok(sent, r.stderr);
    assert.strictEqual(r.code, 130, r.stderr);
    assert.match(r.stderr, /sweep cancelled; no results written \(\d+ of 12 work units are kept in slow-bundle\.results\.journal\.jsonl; --resume finishes the rest\)/);
    assert.doesNotMatch(r.stderr, /killed|crashed/);
    // The finished units stay in the journal for --resume; no results file, no temp file.
    assert.deepStrictEqual(planted.files().filter((f) => f.startsWith('slow-bundle.results')), ['slow-bundle.results.journal.jsonl']);
  });
});

describe('cli: progress formatting', () => {
  it('formats durations and a bar that fits the terminal', () => {
    assert.deepStrictEqual([5, 65, 3600 + 120, 59.6].map((s) => formatDuration(s, 'compact')), ['5s', '1m05s', '1h02m', '1m00s']);
    const line = progressLine({ runId: 'r', unitsDone: 5, units: 12, fraction: 0.42, elapsedSeconds: 10, etaSeconds: 65, workers: 4 }, 120);
    assert.match(line, /^\[#+-+\]  42%  5\/12 units · ETA 1m05s  \(4 workers\)$/);
    assert.ok(progressLine({ runId: 'r', unitsDone: 0, units: 1, fraction: 0, elapsedSeconds: 0, etaSeconds: null, workers: 1 }, 40).length <= 40);
  });
});
