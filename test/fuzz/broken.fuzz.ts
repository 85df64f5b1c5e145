// Known-broken inputs, run through the CLI as a user would (`inspect MODEL`, `check HYPOTHESIS`): every one is broken
// by construction (a weight without its data, a graph input of the wrong type, a hypothesis with an absurd grid, an
// array with trailing bytes or a NaN, …), drawn from the categories below with seeded choices of model, tensor, value
// and file. Each must be refused: a non-zero exit that is not 3 (an internal error), stderr or the diagnostics one
// line each, naming the file. The suite prints how many were accepted and asserts the bound; run it alone with
//   npx mocha --config test/fuzz/mocharc.json test/fuzz/broken.fuzz.ts
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliIO } from '../../src/cli/command';
import { main } from '../../src/cli/main';
import { makeArray, writeNpy } from '../../src/engine/data';
import { decodeModel, encodeModel, ModelProto, TensorProto } from '../../src/engine/onnx';
import { cnnModel, mlpModel, transformerModel } from '../fixtures/models';
import { writeZip } from '../fixtures/npzWriter';
import { makeWorkspace, VALID_MLP } from '../support/workspace';
import { assertCleanMessage, Rng } from './harness';

const SEED = 0x30b;
/** Cases drawn per category. */
const PER_CATEGORY = 12;
/** Broken inputs that may still pass, over the whole corpus (issue 30's bound). */
const MAX_ACCEPTED = 10;

interface Run { code: number; out: string; err: string }

async function cli(argv: string[], cwd: string): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (t) => out.push(t), err: (t) => err.push(t), cwd };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** What one case writes into its folder (beside copies of the workspace's files) and which commands must refuse it. */
interface Case { files: Record<string, Uint8Array | string>; commands: string[][] }

type Maker = (r: Rng) => Case;

const MODELS: [string, () => ModelProto][] = [['mlp', () => mlpModel()], ['cnn', () => cnnModel()], ['transformer', () => transformerModel()]];

/** A model case: the mutated model as model.onnx, inspected; an mlp one is also checked through the valid hypothesis. */
function modelCase(r: Rng, mutate: (m: ModelProto, r: Rng) => void, models = MODELS): Case {
  const [name, make] = r.pick(models);
  const m = decodeModel(encodeModel(make()));
  mutate(m, r);
  const commands = [['inspect', 'model.onnx']];
  const files: Case['files'] = { 'model.onnx': encodeModel(m) };
  if (name === 'mlp') {
    files['h.circuit.yaml'] = VALID_MLP.replace('./mlp.onnx', './model.onnx');
    commands.push(['check', 'h.circuit.yaml']);
  }
  return { files, commands };
}

const floatWeights = (m: ModelProto) => m.graph.initializer.filter((t) => t.dataType === 1 && t.dims.length > 0);

/** A hypothesis case: VALID_MLP with one edit, checked. */
function hypothesisCase(text: string): Case {
  return { files: { 'h.circuit.yaml': text }, commands: [['check', 'h.circuit.yaml']] };
}

function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`the edit ${String(from)} does not apply`);
  return out;
}

/** A data case: the valid hypothesis with one of its arrays replaced by `bytes` (under `file`). */
function dataCase(field: 'x' | 'y' | 'mask', file: string, bytes: Uint8Array | string): Case {
  const original = { x: './x.npy', y: './y.npy', mask: './mask.npy' }[field];
  return { files: { [file]: bytes, 'h.circuit.yaml': replaceOnce(VALID_MLP, original, `./${file}`) }, commands: [['check', 'h.circuit.yaml']] };
}

function npyWithHeader(dict: string, data: Uint8Array): Uint8Array {
  const body = Buffer.from(dict.padEnd(Math.ceil((dict.length + 11) / 64) * 64 - 11, ' ') + '\n', 'latin1');
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(body.length, 8);
  return Buffer.concat([head, body, data]);
}

const N = 40;
const xValues = (r: Rng) => Float32Array.from({ length: N * 8 }, () => r.next() - 0.5);
const xNpy = (r: Rng) => writeNpy(makeArray('float32', [N, 8], xValues(r)));
const yNpy = () => writeNpy(makeArray('int64', [N], BigInt64Array.from({ length: N }, (_, i) => BigInt(i % 4))));
const maskNpy = () => writeNpy(makeArray('bool', [N], Uint8Array.from({ length: N }, (_, i) => i % 2)));

export const CATEGORIES: Readonly<Record<string, Maker>> = {
  // ---- ONNX: tensor data --------------------------------------------------------------------------------------------
  'onnx: a weight without its data': (r) => modelCase(r, (m) => {
    const t = r.pick(floatWeights(m));
    t.rawData = new Uint8Array(0);
    t.floatData = [];
  }),
  'onnx: raw_data and float_data both set': (r) => modelCase(r, (m) => {
    const t = r.pick(floatWeights(m));
    const n = t.dims.reduce((a, b) => a * b, 1);
    t.floatData = Array.from({ length: n }, () => r.next());
  }),
  'onnx: a string or complex weight holding float bytes': (r) => modelCase(r, (m) => {
    r.pick(floatWeights(m)).dataType = r.pick([8, 14, 15]);
  }),
  // ---- ONNX: types of graph inputs and outputs ----------------------------------------------------------------------
  'onnx: graph input of the wrong element type': (r) => modelCase(r, (m) => {
    const type = m.graph.input[0]!.type!.tensorType!;
    // Token ids (int64) may as well be int32: those are valid, every other change is not.
    const valid = type.elemType === 7 ? [6, 7] : [type.elemType];
    type.elemType = r.pick([0, 7, 8, 11, 6, 9, 1].filter((t) => !valid.includes(t)));
  }),
  'onnx: graph input dims the weights contradict': (r) => modelCase(r, (m) => {
    const dims = m.graph.input[0]!.type!.tensorType!.shape!.dim;
    dims[1] = { dimValue: r.pick([0, 1e12, 2 ** 62, 7, 9, 2 ** 40]) };
  }, MODELS.slice(0, 1)),
  'onnx: graph output of the wrong or no element type': (r) => modelCase(r, (m) => {
    const type = m.graph.output[0]!.type!.tensorType!;
    type.elemType = r.pick([7, 999, 6, 9, 0, 1].filter((t) => t !== type.elemType));
  }),
  'onnx: a graph without outputs': (r) => modelCase(r, (m) => {
    m.graph.output = [];
  }),
  // ---- ONNX: attributes ---------------------------------------------------------------------------------------------
  'onnx: a 0/1 flag attribute of another value': (r) => modelCase(r, (m) => {
    const n = r.pick(m.graph.node.filter((x) => x.opType === 'Gemm'));
    const name = r.pick(['transA', 'transB']);
    n.attribute = n.attribute.filter((a) => a.name !== name);
    n.attribute.push({ name, type: 2, i: r.pick([7, 2, -1]) });
  }, MODELS.slice(0, 2)),
  'onnx: an attribute of the wrong type': (r) => modelCase(r, (m) => {
    const n = r.pick(m.graph.node.filter((x) => ['Gemm', 'Conv', 'Softmax', 'LayerNormalization', 'Relu', 'MatMul', 'Add'].includes(x.opType)));
    const [name, attr] = r.pick<[string, TensorProto | object]>([
      ['alpha', { type: 3, s: Buffer.from('big') }], ['beta', { type: 2, i: 1 }], ['axis', { type: 1, f: 1.5 }],
      ['transB', { type: 3, s: Buffer.from('yes') }], ['epsilon', { type: 7, ints: [1] }], ['group', { type: 0 }],
    ]);
    n.attribute = n.attribute.filter((a) => a.name !== name);
    n.attribute.push({ name, ...(attr as object) } as never);
  }),
  // ---- hypotheses ---------------------------------------------------------------------------------------------------
  'hypothesis: a circuit name that is not a string': (r) => hypothesisCase(replaceOnce(VALID_MLP, 'name: odd-example units', `name: ${r.pick(['7', '3.5', 'true', '[a, b]', '{ a: 1 }', '0x10'])}`)),
  'hypothesis: a section given as null': (r) => {
    const [from, to] = r.pick<[RegExp, string]>([
      [/intervention: .*\n/, 'intervention:\n'], [/intervention: .*\n/, 'intervention: ~\n'], [/verdict: .*\n/, 'verdict:\n'],
      [/ {2}sgld: .*\n/, '  sgld:\n'], [/ {2}sgld: .*\n/, '  sgld: null\n'], [/ {2}seed: 0\n/, '  seed: 0\n  noise:\n'],
      [/ {2}seed: 0\n/, '  seed: 0\n  parameters:\n'], [/loss: .*\n/, 'loss: { output: logits, kind: cross-entropy }\ncontrols:\n'],
    ]);
    return hypothesisCase(replaceOnce(VALID_MLP, from, to));
  },
  'hypothesis: temperatures outside what float32 holds': (r) => {
    const from = r.pick(['1e-320', '5e-324', '1e-45', '1e-39', '0.1']);
    const to = from === '0.1' ? r.pick(['1e308', '1e39', '3.5e38']) : r.pick(['1000', '1e308']);
    return hypothesisCase(replaceOnce(VALID_MLP, 'temperatures: { from: 0.1, to: 1000, count: 5 }', `temperatures: { from: ${from}, to: ${to}, count: 5 }`));
  },
  'hypothesis: a unit listed twice': (r) => hypothesisCase(replaceOnce(VALID_MLP, 'units: [3, 7, "10:12"]', `units: ${r.pick(['[3, 3]', '[3, 7, 7]', '[3, "2:5"]', '["10:12", 11]', '[0, "0:2", 5]'])}`)),
  'hypothesis: a name nested deeply': (r) => {
    const depth = r.pick([1000, 5000, 100_000]);
    const block = r.next() < 0.5;
    const name = block ? `\n${Array.from({ length: Math.min(depth, 2000) }, (_, k) => `${'  '.repeat(k + 2)}a:`).join('\n')} 1` : `${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`;
    return hypothesisCase(replaceOnce(VALID_MLP, 'name: odd-example units', `name: ${name}`));
  },
  // ---- data ---------------------------------------------------------------------------------------------------------
  'data: .npy with trailing bytes': (r) => {
    const extra = Buffer.alloc(r.pick([1, 4, 100, 4096]), r.int(256));
    const field = r.pick(['x', 'y', 'mask'] as const);
    return dataCase(field, 'bad.npy', Buffer.concat([field === 'x' ? xNpy(r) : field === 'y' ? yNpy() : maskNpy(), extra]));
  },
  'data: .npy header shape a list or with an extra axis': (r) => {
    const shape = r.pick(['[40, 8]', '(40, 8, 1)', '(40, 8, 0)', '(1, 40, 8)', '[40, 8, ]']);
    return dataCase('x', 'bad.npy', npyWithHeader(`{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`, Buffer.from(xValues(r).buffer)));
  },
  'data: .npz member with the encrypted flag': (r) => {
    const zip = Buffer.from(writeZip([{ name: 'x.npy', data: xNpy(r) }]));
    const cd = zip.readUInt32LE(zip.length - 6);
    const where = r.pick(['central', 'local', 'both']);
    if (where !== 'local') zip.writeUInt16LE(zip.readUInt16LE(cd + 8) | 1, cd + 8);
    if (where !== 'central') zip.writeUInt16LE(zip.readUInt16LE(6) | 1, 6);
    return dataCase('x', 'bad.npz', zip);
  },
  'data: JSON object without the expected member': (r) => {
    const rows = JSON.stringify(Array.from({ length: N }, () => Array.from({ length: 8 }, () => Math.round(r.next() * 100) / 100)));
    const [body, ref] = r.pick<[string, string]>([
      [`{"y": ${rows}}`, 'bad.json#x'], [`{"a": ${rows}, "b": ${rows}}`, 'bad.json'], ['{}', 'bad.json'], [`{"x": ${rows}}`, 'bad.json#X'],
    ]);
    return { files: { 'bad.json': body, 'h.circuit.yaml': replaceOnce(VALID_MLP, './x.npy', `./${ref}`) }, commands: [['check', 'h.circuit.yaml']] };
  },
  'data: a NaN, an Inf or 1e400 in the inputs': (r) => {
    const values = xValues(r);
    const at = r.int(values.length);
    const kind = r.pick(['npy NaN', 'npy Inf', 'npy -Inf', 'json 1e400', 'json -1e400']);
    if (kind.startsWith('npy')) {
      values[at] = kind.endsWith('NaN') ? NaN : kind.startsWith('npy -') ? -Infinity : Infinity;
      return dataCase('x', 'bad.npy', writeNpy(makeArray('float32', [N, 8], values)));
    }
    const rows = Array.from({ length: N }, (_, i) => `[${Array.from(values.subarray(i * 8, i * 8 + 8), (v, j) => (i * 8 + j === at ? kind.slice(5) : String(v))).join(', ')}]`);
    return dataCase('x', 'bad.json', `[${rows.join(',\n')}]`);
  },
};

describe('fuzz: known-broken inputs through the CLI (inspect, check)', function () {
  this.timeout(600_000);
  let base: string;
  before(async () => {
    base = await makeWorkspace();
  });
  after(() => fs.rmSync(base, { recursive: true, force: true }));

  const accepted: string[] = [];
  const internal: string[] = [];
  let cases = 0;
  let uncleanTotal = 0;

  for (const [category, make] of Object.entries(CATEGORIES)) {
    it(`${category}: refused with a located one-line error, never an internal error`, async () => {
      const rng = new Rng(SEED + category.length * 7919 + category.charCodeAt(category.length - 1));
      const before = internal.length;
      const unclean: string[] = [];
      for (let k = 0; k < PER_CATEGORY; k++) {
        const c = make(rng);
        const dir = fs.mkdtempSync(path.join(base, 'case-'));
        for (const f of ['x.npy', 'y.npy', 'mask.npy', 'mlp.onnx']) fs.copyFileSync(path.join(base, f), path.join(dir, f));
        for (const [f, bytes] of Object.entries(c.files)) fs.writeFileSync(path.join(dir, f), bytes);
        for (const argv of c.commands) {
          cases++;
          const where = `${category} #${k}: ${argv.join(' ')}`;
          const r = await cli(argv, dir);
          if (r.code === 3 || /internal error/.test(r.err)) internal.push(`${where}: ${r.err.slice(0, 300)}`);
          if (r.code === 0) {
            accepted.push(where);
            continue;
          }
          // The refusal names the file and says what is wrong, one line per problem.
          try {
            const lines = argv[0] === 'check' ? r.out.split('\n').filter((l) => /: error: /.test(l)) : r.err.split('\n');
            assert.ok(lines.length > 0, `${where}: exit ${r.code} without an error line (${r.err.slice(0, 200)})`);
            for (const line of lines) assertCleanMessage(line, where);
            assert.ok(lines.some((l) => /\.(onnx|ya?ml|npy|npz|json)\b/.test(l)), `${where}: no file named in ${lines[0]!.slice(0, 200)}`);
          } catch (e) {
            unclean.push((e as Error).message.slice(0, 300));
          }
        }
        fs.rmSync(dir, { recursive: true, force: true });
      }
      uncleanTotal += unclean.length;
      assert.deepEqual(internal.slice(before), [], 'internal errors');
      assert.deepEqual(unclean, [], 'refusals without a clean, located line');
    });
  }

  it(`accepts at most ${MAX_ACCEPTED} of the broken inputs`, () => {
    console.log(`      broken inputs: ${cases} command runs over ${Object.keys(CATEGORIES).length} categories × ${PER_CATEGORY}; ${accepted.length} accepted, ${internal.length} internal errors, ${uncleanTotal} refused without a clean located line`);
    for (const a of accepted) console.log(`        accepted: ${a}`);
    assert.ok(accepted.length <= MAX_ACCEPTED, `${accepted.length} accepted`);
  });
});
