// The README's main-job command timed as a user runs it: `circuit-thermometer demo` on a copy of the modular
// example (bundled CLI, its default worker count), with what the verdicts rest on — every level converged and none
// inconclusive — read back from the results files it wrote. The target: the sound default sweep in ≤ 120 s.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isResultsDocument } from '../src/protocol/results';
import { round } from './stats';

const EXAMPLE = path.resolve(__dirname, '..', 'examples', 'modular');

export interface DemoTiming {
  wallSeconds: number;
  hypotheses: { name: string; dial: string; levels: number; inconclusive: number; controls: number; summary: string }[];
}

export function measureDemo(cli = path.resolve(__dirname, 'cli.js')): DemoTiming {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-bench-demo-'));
  try {
    fs.cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}out`) });
    const t0 = performance.now();
    execFileSync(process.execPath, [cli, 'demo', '--examples', dir], { stdio: 'ignore' });
    const wallSeconds = round((performance.now() - t0) / 1000, 1);
    const out = path.join(dir, 'out');
    const hypotheses = fs.readdirSync(out).filter((f) => f.endsWith('.results.json')).sort().map((f) => {
      const doc: unknown = JSON.parse(fs.readFileSync(path.join(out, f), 'utf8'));
      if (!isResultsDocument(doc)) throw new Error(`${f} is not a results document`);
      return {
        name: f.replace(/\.results\.json$/, ''), dial: doc.dial, levels: doc.levels.length, inconclusive: doc.verdict.inconclusive?.length ?? 0,
        controls: doc.controls?.count ?? 0, summary: doc.verdict.summary,
      };
    });
    return { wallSeconds, hypotheses };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
