// The corpus's gradient table (test/corpus/README.md): every weight tensor of every model that is not refused, checked
// against float32 and float64 finite differences (gradcheck's default: 2 directions per tensor, seed 7), at the
// manifest's inputs. Run `npm run corpus` first, then `npx tsx test/corpus/table.ts [ID,ID…]`. Prints a Markdown table.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GradientError } from '../../src/engine/autodiff';
import { gradcheck } from '../../src/engine/autodiff/gradcheck';
import { loadModel } from '../../src/engine/onnx/load';
import { parseInputSpec } from '../../src/cli/gradcheck';
import type { InputSpec } from '../../src/protocol/gradcheck';

interface Entry { id: string; inputs: Record<string, string>; output?: string }

const root = path.join(__dirname, '..', '..');
const { models } = JSON.parse(fs.readFileSync(path.join(__dirname, 'models.json'), 'utf8')) as { models: Entry[] };
const only = process.argv[2]?.split(',');
const TOLERANCE = 1e-2;

async function main(): Promise<void> {
  console.log('| id | tensors checked | max rel. error vs float32 | max rel. error vs float64 | fail vs float32 | fail vs float64 | float64 copy spells | inlined | seconds |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const m of models) {
    if (only && !only.includes(m.id)) continue;
    const inputs: Record<string, InputSpec> = {};
    for (const [name, text] of Object.entries(m.inputs)) inputs[name] = parseInputSpec(`${name}=${text}`).spec;
    const t0 = Date.now();
    try {
      const r = await gradcheck(loadModel(path.join(root, '.corpus-cache', `${m.id}.onnx`)).proto, { inputs, seed: 7, outputs: m.output ? [m.output] : undefined });
      const fails = (k: 'relError32' | 'relError64') => r.tensors.filter((t) => t[k]! > TOLERANCE).length;
      const inlined = r.inlined.map((i) => `${i.node} → ${i.branch}${i.pinned.length ? ` (${i.pinned.join(', ')})` : ''}`).join('; ');
      console.log(`| ${m.id} | ${r.checked} of ${r.parameters} | ${r.maxRelError32!.toExponential(1)} | ${r.maxRelError64!.toExponential(1)} | ${fails('relError32')} | ${fails('relError64')} | ${r.float64!.lowered.join(', ') || '—'}${r.float64!.float32Ops.length ? `; float32: ${r.float64!.float32Ops.join(', ')}` : ''} | ${inlined || '—'} | ${((Date.now() - t0) / 1000).toFixed(0)} |`);
    } catch (e) {
      if (!(e instanceof GradientError)) throw e;
      console.log(`| ${m.id} | refused: ${e.message.replace(/\|/g, '\\|')} | | | | | | | |`);
    }
  }
}

void main();
