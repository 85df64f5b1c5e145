// `npm run docs`: regenerates what the READMEs state from the current code. Sweeps every committed example
// hypothesis and rewrites the README tables between their markers (scripts/docs/tables.ts), then takes the README's
// screenshots in a real editor (test/e2e/extension.e2e.ts alone, whose docs scenario runs with CT_E2E_DOCS=1).
//   npm run docs                 tables and screenshots
//   npm run docs -- --tables     tables only (no editor needed)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runSweep } from '../../src/engine/sweep/run';
import { checkHypothesisFile } from '../../src/hypothesis';
import type { ResultsDocument } from '../../src/protocol/results';
import { DOCS_TABLES, withBlock } from './tables';

const ROOT = path.resolve(__dirname, '../..');

async function sweep(file: string, cache: Map<string, ResultsDocument>): Promise<ResultsDocument> {
  const hit = cache.get(file);
  if (hit) return hit;
  const r = await checkHypothesisFile(path.join(ROOT, file));
  if (!r.hypothesis) throw new Error(`${file} does not check: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  const started = Date.now();
  const doc = await runSweep(r.hypothesis);
  console.log(`docs: swept ${file} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${doc.verdict.summary}`);
  cache.set(file, doc);
  return doc;
}

async function main(): Promise<void> {
  const tablesOnly = process.argv.includes('--tables');
  const cache = new Map<string, ResultsDocument>();
  for (const t of DOCS_TABLES) {
    const docs: ResultsDocument[] = [];
    for (const h of t.hypotheses) docs.push(await sweep(h, cache));
    const file = path.join(ROOT, t.file);
    const before = fs.readFileSync(file, 'utf8');
    const after = withBlock(before, t.name, t.render(docs));
    if (after !== before) fs.writeFileSync(file, after);
    console.log(`docs: ${t.file} (${t.name}) ${after === before ? 'unchanged' : 'rewritten'}`);
  }
  if (tablesOnly) return;
  console.log('docs: screenshots (the docs scenario of the e2e run, in code-server + Chromium)');
  const env = { ...process.env, CT_E2E_DOCS: '1' };
  for (const [cmd, args] of [['bash', ['test/e2e/setup-harness.sh']], [process.execPath, [path.join(ROOT, 'node_modules/mocha/bin/mocha.js'), '--no-config', '--require', 'tsx/cjs', '--timeout', '600000', 'test/e2e/extension.e2e.ts']]] as const) {
    const r = spawnSync(cmd, [...args], { cwd: ROOT, env, stdio: 'inherit' });
    if (r.status !== 0) {
      console.error(`docs: ${cmd} ${args.join(' ')} failed (exit ${r.status}); the tables are written, the screenshots are not`);
      process.exit(1);
    }
  }
}

main().catch((e: unknown) => {
  console.error(`docs: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
