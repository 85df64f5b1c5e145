// A two-dial map over worker processes (src/worker/gridParallel.ts), as a cluster's shards merged (`sweep --shard
// I/N` + `merge`) and resumed from its journal after a cancel (`grid --resume`) equals the one-process map
// (`runGrid`) for the same seed, number for number: its cells are a sweep's levels, and every unit's draws come from
// streams keyed by (seed, cell, chain).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { runGrid } from '../../../src/engine/sweep/grid';
import { readGridFile, writeGrid } from '../../../src/engine/sweep/gridFile';
import { readJournal } from '../../../src/engine/sweep/journal';
import { checkHypothesisFile, type Hypothesis } from '../../../src/hypothesis';
import type { GridDocument } from '../../../src/protocol/grid';
import { WorkerRunError } from '../../../src/worker/errors';
import { runGridParallel } from '../../../src/worker/gridParallel';
import { runSweepParallel } from '../../../src/worker/parallel';
import { copyPlanted, type PlantedCopy } from '../../support/workerFixtures';

/** kappa-1 as a 2 × 3 map: the κ = 0.3 network as the earlier checkpoint, κ = 1 (the model) as the trained one. */
export const gridVariant = (yaml: string): string => yaml
  .replace(/temperatures: \{[^}]*\}/, 'temperatures: [0.01, 0.1, 1]')
  .replace(/noise: \{ samples: \d+ \}/, 'noise: { samples: 8 }')
  .replace('  seed: 0\n', '  grid: { checkpoints: [./planted-kappa-0.3.onnx, ./planted-kappa-1.onnx], steps: [100, 200] }\n  seed: 0\n');

async function resolved(file: string): Promise<Hypothesis> {
  const r = await checkHypothesisFile(file);
  assert.ok(r.hypothesis, r.diagnostics.map((d) => d.message).join('; '));
  return r.hypothesis;
}

/** The map's numbers and verdicts, without wall-clock fields, creation time and the workers it ran on. */
export function gridNumbers(doc: GridDocument): unknown {
  const { sweep, ...rest } = doc;
  const { timings: _t, createdAt: _c, ...shared } = sweep;
  return JSON.parse(JSON.stringify({ ...rest, sweep: shared }, (k, v) => (k === 'seconds' ? undefined : v)));
}

describe('worker: a two-dial map over worker processes', function () {
  this.timeout(120_000);
  let planted: PlantedCopy;
  before(() => { planted = copyPlanted(); });
  after(() => planted.remove());

  it('--workers 2 gives the one-process map number for number, each cell reported once by its index, written atomically', async () => {
    const file = planted.variant('grid', gridVariant);
    const checked = await checkHypothesisFile(file);
    assert.ok(checked.hypothesis, checked.diagnostics.map((d) => d.message).join('; '));
    const one = await runGrid(checked.hypothesis);
    const cells: number[] = [];
    const two = await runGridParallel({ hypothesis: checked.hypothesis }, { onLevel: (l) => { cells.push(l.levelIndex); assert.equal(l.levels, 6); } }, { workers: 2 });
    assert.equal(two.path, path.join(planted.dir, 'grid.grid.json'));
    assert.deepEqual(JSON.parse(fs.readFileSync(two.path, 'utf8')), JSON.parse(JSON.stringify(two.document)));
    // Both as written in the same folder (paths relative to it).
    const oneFile = path.join(planted.dir, 'one.grid.json');
    writeGrid(one, oneFile);
    assert.deepEqual(gridNumbers(readGridFile(two.path)), gridNumbers(readGridFile(oneFile)));
    assert.deepEqual([...cells].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5]);
    // The CLI's `grid --workers 2`: the same map, its table printed.
    const printed: string[] = [];
    const err: string[] = [];
    const cliOut = path.join(planted.dir, 'cli.grid.json');
    assert.equal(await main(['grid', file, '--workers', '2', '--out', cliOut, '--progress'], { out: (t) => printed.push(t), err: (t) => err.push(t), cwd: planted.dir }), 0, err.join('\n'));
    assert.deepEqual(gridNumbers(readGridFile(cliOut)), gridNumbers(readGridFile(oneFile)));
    assert.match(printed.join('\n'), /clean cells/);
    assert.equal(err.filter((l) => /^cell \d of 6: step (100|200), level /.test(l)).length, 6, err.join('\n'));
    assert.equal(two.document.rows.length, 2);
    assert.equal(two.document.correction.cells, 6);
    assert.ok(planted.files().every((f) => !f.endsWith('.tmp')), 'no temp file left');
  });

  it('slurm\'s path: `sweep --shard I/3` of a map, then `merge`, writes the one-process map; `plan` states its cells', async () => {
    const file = planted.variant('grid-shards', gridVariant);
    const io = (out: string[], err: string[]) => ({ out: (t: string) => out.push(t), err: (t: string) => err.push(t), cwd: planted.dir });
    const out: string[] = [];
    const err: string[] = [];
    const shards = [0, 1, 2].map((i) => path.join(planted.dir, `grid-shard-${i}.json`));
    for (const [i, s] of shards.entries()) assert.equal(await main(['sweep', file, '--shard', `${i}/3`, '--out', s, '--workers', '1'], io(out, err)), 0, err.join('\n'));
    const merged = path.join(planted.dir, 'merged.grid.json');
    assert.equal(await main(['merge', ...shards.reverse(), '--out', merged], io(out, err)), 0, err.join('\n'));
    assert.match(out.join('\n'), /grid results: merged\.grid\.json \(3 shards merged\)/);
    const checked = await checkHypothesisFile(file);
    const oneFile = path.join(planted.dir, 'grid-shards-one.grid.json');
    writeGrid(await runGrid(checked.hypothesis!), oneFile);
    assert.deepEqual(gridNumbers(readGridFile(merged)), gridNumbers(readGridFile(oneFile)));
    // The plan: 2 checkpoints × 3 levels, each unit with its step and level, dealt over the 3 shards.
    const plan: string[] = [];
    assert.equal(await main(['plan', file, '--shards', '3', '--no-pilot', '--json'], io(plan, err)), 0, err.join('\n'));
    const p = JSON.parse(plan.join('\n')) as { levels: number; grid: { rows: number; columns: number; cells: number; steps: number[] }; units: { levelIndex: number; level: number; step: number; shard: number }[] };
    assert.deepEqual(p.grid.rows * p.grid.columns, 6);
    assert.deepEqual({ levels: p.levels, cells: p.grid.cells, steps: p.grid.steps }, { levels: 6, cells: 6, steps: [100, 200] });
    assert.deepEqual(p.units.map((u) => [u.step, u.level, u.shard]), [[100, 0.01, 0], [100, 0.1, 1], [100, 1, 2], [200, 0.01, 0], [200, 0.1, 1], [200, 1, 2]]);
    const text: string[] = [];
    assert.equal(await main(['plan', file, '--no-pilot'], io(text, err)), 0);
    assert.match(text[0]!, /a two-dial map of 6 cells \(2 checkpoints × 3 levels of weight-noise\), 6 work units/);
  });

  it('cancelled after its first cell, a map writes no map and keeps its journal; a journal of another seed or grid is refused by field; `grid --resume` runs only the missing cells and writes the uninterrupted map', async () => {
    const file = planted.variant('grid-resume', (y) => gridVariant(y).replace('noise: { samples: 8 }', 'noise: { samples: 200 }'));
    const yaml = fs.readFileSync(file, 'utf8');
    const out = path.join(planted.dir, 'grid-resume.grid.json');
    const journal = path.join(planted.dir, 'grid-resume.grid.journal.jsonl');
    const abort = new AbortController();
    let cells = 0;
    let kept: WorkerRunError | undefined;
    await assert.rejects(
      runGridParallel({ hypothesis: await resolved(file) }, { signal: abort.signal, onLevel: () => { cells++; abort.abort(); } }, { workers: 1 }),
      (e: unknown) => {
        kept = e as WorkerRunError;
        return e instanceof WorkerRunError && e.code === 'cancelled';
      },
    );
    assert.ok(cells >= 1 && cells < 6, `${cells} cells finished before the cancel took effect`);
    assert.ok(!fs.existsSync(out), 'no grid results written');
    assert.ok(planted.files().every((f) => !f.endsWith('.tmp')), 'no temp file left');
    // The finished cells are journalled, and the error says so (the CLI's hint and the editor's Resume Grid offer).
    const interrupted = readJournal(journal);
    assert.ok(interrupted, 'the journal is kept');
    const k = interrupted.units.length;
    assert.ok(k >= 1 && k < 6, `${k} units journalled`);
    assert.deepEqual(kept?.journal, { kept: k, of: 6, file: 'grid-resume.grid.journal.jsonl' });
    assert.match(kept?.hint ?? '', new RegExp(`^${k} of 6 work units are kept in grid-resume\\.grid\\.journal\\.jsonl; --resume finishes the rest$`));

    // A journal of another plan is refused before any work, the setting that differs named; the journal stays as it was.
    const bytes = fs.readFileSync(journal);
    const io = (err: string[]) => ({ out: () => {}, err: (t: string) => err.push(t), cwd: planted.dir });
    const refusals: [string, RegExp][] = [
      [yaml.replace('  seed: 0\n', '  seed: 1\n'), /degradation\.seed is 0 in the journal, 1 now/],
      [yaml.replace('steps: [100, 200]', 'steps: [100, 300]'), /degradation\.grid\.steps\[1\] is 200 in the journal, 300 now/],
      [yaml.replace('temperatures: [0.01, 0.1, 1]', 'temperatures: [0.01, 0.1, 2]'), /degradation\.levels\[2\] is 1 in the journal, 2 now/],
    ];
    for (const [text, named] of refusals) {
      assert.notEqual(text, yaml);
      fs.writeFileSync(file, text);
      const err: string[] = [];
      assert.equal(await main(['grid', file, '--resume', '--workers', '1'], io(err)), 3, err.join('\n'));
      assert.match(err.join('\n'), /grid-resume\.grid\.journal\.jsonl does not belong to this run: it was written for another hypothesis file \(its sha256 differs\)/);
      assert.match(err.join('\n'), named);
      assert.match(err.join('\n'), /hint: delete the journal and run the grid again, or restore the files it was run with/);
      assert.ok(!fs.existsSync(out));
      assert.deepEqual(fs.readFileSync(journal), bytes, 'a refused resume leaves the journal as it was');
    }
    fs.writeFileSync(file, yaml);

    // Resumed over 2 workers: only the missing cells run (the journalled cells keep their recorded seconds), the map
    // equals the uninterrupted one-process map number for number, and the journal is removed.
    const err: string[] = [];
    assert.equal(await main(['grid', file, '--resume', '--workers', '2', '--progress'], io(err)), 0, err.join('\n'));
    assert.ok(!fs.existsSync(journal), 'the journal is removed once the map is written');
    const resumed = readGridFile(out);
    const oneFile = path.join(planted.dir, 'grid-resume-one.grid.json');
    writeGrid(await runGrid(await resolved(file)), oneFile);
    assert.deepEqual(gridNumbers(resumed), gridNumbers(readGridFile(oneFile)));
    const cellsOf = (doc: GridDocument) => doc.rows.flatMap((r) => r.cells);
    for (const u of interrupted.units) assert.equal(cellsOf(resumed)[u.levelIndex]!.seconds, u.seconds, `cell ${u.levelIndex} was taken from the journal, not run again`);
    assert.equal(err.filter((l) => /^cell \d of 6: /.test(l)).length, 6, err.join('\n'));
    // With nothing interrupted, --resume says so and runs nothing.
    const none: string[] = [];
    assert.equal(await main(['grid', file, '--resume'], io(none)), 2, none.join('\n'));
    assert.match(none.join('\n'), /there is no interrupted run to resume \(no grid-resume\.grid\.journal\.jsonl\)/);
  });

  it('a sweep of a grid hypothesis over workers is refused with what to run instead; a map of a hypothesis without a grid too', async () => {
    const file = planted.variant('grid-refused', gridVariant);
    await assert.rejects(runSweepParallel({ hypothesis: await resolved(file) }, {}, { workers: 1 }), (e: unknown) => e instanceof WorkerRunError && /two-dial grid/.test(e.message) && /circuit-thermometer grid/.test(e.hint ?? ''));
    await assert.rejects(runGridParallel({ hypothesis: await resolved(planted.hypothesis('kappa-1')) }, {}, { workers: 1 }), (e: unknown) => e instanceof WorkerRunError && /has no degradation\.grid/.test(e.message));
    assert.ok(!fs.existsSync(path.join(planted.dir, 'kappa-1.grid.json')));
  });
});
