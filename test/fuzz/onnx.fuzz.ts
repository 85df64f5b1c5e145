// ONNX models, mutated: bytes (truncation, bit flips, chunk edits) and fields (initializers dropped, nodes swapped,
// inputs renamed, op types, domains, opsets, dims, data types, raw data lengths, hostile external-data paths and
// offsets, duplicate names, sparse initializers of huge dense shapes). Each mutant is loaded as a file; one that
// loads must also summarize (inspect) and go through the gradient analysis, and the field mutants that load are
// handed to onnxruntime, whose errors must reach a user cleaned.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeGradientSupport } from '../../src/engine/autodiff';
import { createSession, decodeModel, encodeModel, floatTensor, GraphIndex, loadModel, ModelProto, placeholderFeeds, summarizeModel, userMessage } from '../../src/engine/onnx';
import { DEFAULT_DOMAIN_OPS } from '../../src/engine/onnx/opTable';
import { cnnModel, mlpModel, transformerModel } from '../fixtures/models';
import { assertCleanMessage, HOSTILE_NUMBERS, HOSTILE_STRINGS, mutateBytes, newTally, outcome, report, Rng } from './harness';

const SEED = 0x0c7;
const BYTE_CASES = 700;
const FIELD_CASES = 600;

type FieldMutation = (m: ModelProto, r: Rng, dir: string) => string;

const OPS = Object.keys(DEFAULT_DOMAIN_OPS);

const FIELD_MUTATIONS: FieldMutation[] = [
  (m, r) => { const i = r.int(m.graph.initializer.length); m.graph.initializer.splice(i, 1); return 'drop initializer'; },
  (m, r) => { m.graph.node.splice(r.int(m.graph.node.length), 1); return 'drop node'; },
  (m, r) => {
    const i = r.int(m.graph.node.length), j = r.int(m.graph.node.length);
    [m.graph.node[i], m.graph.node[j]] = [m.graph.node[j]!, m.graph.node[i]!];
    return 'swap nodes';
  },
  (m, r) => {
    const n = r.pick(m.graph.node);
    const names = GraphIndex.of(m).tensorNames();
    if (n.input.length > 0) n.input[r.int(n.input.length)] = r.next() < 0.5 ? r.pick(names) : r.pick(HOSTILE_STRINGS);
    return 'rename input';
  },
  (m, r) => { const n = r.pick(m.graph.node); n.input.push(r.pick(GraphIndex.of(m).tensorNames())); return 'extra input'; },
  (m, r) => { const n = r.pick(m.graph.node); n.input = n.input.slice(0, r.int(n.input.length)); return 'fewer inputs'; },
  (m, r) => { const n = r.pick(m.graph.node); n.output.push(r.pick(m.graph.node).output[0]!); return 'duplicate output'; },
  (m, r) => { r.pick(m.graph.node).opType = r.next() < 0.7 ? r.pick(OPS) : r.pick(HOSTILE_STRINGS); return 'op type'; },
  (m, r) => { r.pick(m.graph.node).domain = r.pick(['com.microsoft', 'ai.onnx.ml', 'com.example', ...HOSTILE_STRINGS]); return 'domain'; },
  (m, r) => { m.opsetImport = [{ domain: '', version: r.pick([...HOSTILE_NUMBERS, 1, 7, 9, 11, 13, 21, 25, 26, 99999]) }]; return 'opset'; },
  (m, r) => { const t = r.pick(m.graph.initializer); t.dims = t.dims.map((d) => (r.next() < 0.5 ? r.pick(HOSTILE_NUMBERS) : d)); return 'dims'; },
  (m, r) => { r.pick(m.graph.initializer).dataType = r.int(30); return 'data type'; },
  (m, r) => {
    const t = r.pick(m.graph.initializer);
    const raw = t.rawData ?? new Uint8Array(0);
    t.rawData = r.next() < 0.5 ? raw.subarray(0, r.int(raw.length + 1)) : Uint8Array.from([...raw, 1, 2, 3]);
    return 'raw data length';
  },
  (m, r) => { r.pick(m.graph.initializer).name = r.pick(HOSTILE_STRINGS); return 'tensor name'; },
  (m, r) => { m.graph.output[0]!.name = r.pick([...HOSTILE_STRINGS, ...GraphIndex.of(m).tensorNames()]); return 'output name'; },
  (m, r) => {
    m.graph.sparseInitializer = [{ values: floatTensor('sp', [1], [1]), indices: { name: '', dims: [1], dataType: 7, rawData: new Uint8Array(8) }, dims: [r.pick(HOSTILE_NUMBERS), r.pick([1, 1e5])] }];
    return 'sparse initializer';
  },
  (m, r, dir) => {
    // External data: hostile locations, offsets and lengths (a real side file beside the model for some).
    const t = r.pick(m.graph.initializer);
    const bytes = t.rawData ?? new Uint8Array(0);
    fs.writeFileSync(path.join(dir, 'side.bin'), bytes);
    const location = r.pick(['side.bin', 'side.bin', 'missing.bin', 'pipe', 'link-out', 'link-in', ...HOSTILE_STRINGS]);
    const offset = r.pick(['0', '0', '-8', 'abc', '1.5', String(2 ** 40), ...HOSTILE_STRINGS.slice(0, 5)]);
    const length = r.pick([String(bytes.length), String(bytes.length), String(bytes.length + 4), 'abc', '-1', undefined]);
    t.externalData = [{ key: 'location', value: location }, { key: 'offset', value: offset }, ...(length === undefined ? [] : [{ key: 'length', value: length }])];
    t.dataLocation = 1;
    t.rawData = new Uint8Array(0);
    return `external data (${location.slice(0, 20)}, ${offset.slice(0, 12)}, ${length})`;
  },
];

describe('fuzz: ONNX models', function () {
  this.timeout(600_000);
  let dir: string;
  const bases: { name: string; bytes: Uint8Array; proto: () => ModelProto }[] = [];
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-fuzz-onnx-'));
    // Hostile neighbours for external-data locations: a FIFO, a link out of the folder, a link inside.
    fs.mkdirSync(path.join(dir, 'm'));
    require('node:child_process').execFileSync('mkfifo', [path.join(dir, 'm', 'pipe')]);
    fs.symlinkSync('/etc/passwd', path.join(dir, 'm', 'link-out'));
    fs.symlinkSync('side.bin', path.join(dir, 'm', 'link-in'));
    for (const [name, make] of [['mlp', () => mlpModel()], ['mlp-opset9', () => mlpModel(9)], ['cnn', () => cnnModel()], ['transformer', () => transformerModel()]] as const) {
      const bytes = encodeModel(make());
      bases.push({ name, bytes, proto: () => decodeModel(bytes) });
    }
    const torch = fs.readFileSync(path.join(__dirname, '../fixtures/torch/cnn_small.onnx'));
    bases.push({ name: 'torch cnn_small', bytes: torch, proto: () => decodeModel(torch) });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** What a model that loads must also survive: inspect's summary and the sgld dial's gradient analysis. */
  const accept = (file: string) => () => {
    const loaded = loadModel(file);
    const summary = summarizeModel(loaded);
    assert.equal(summary.nodes, loaded.proto.graph.node.length);
    const index = GraphIndex.of(loaded.proto);
    if (index.graphOutputs.length > 0) analyzeGradientSupport(loaded.proto, index.parameters().map((p) => p.name), index.graphOutputs[0]!);
    return loaded;
  };

  it(`${BYTE_CASES} byte mutations: a clean, located error or a model that inspects`, async () => {
    const rng = new Rng(SEED);
    const tally = newTally();
    for (let k = 0; k < BYTE_CASES; k++) {
      const base = bases[k % bases.length]!;
      const { how, bytes } = mutateBytes(base.bytes, rng);
      const file = path.join(dir, 'm', `byte-${k}.onnx`);
      fs.writeFileSync(file, bytes);
      await outcome(tally, `case ${k} (${base.name}, ${how})`, accept(file));
      fs.rmSync(file);
    }
    console.log(`      ${report('onnx bytes', tally)}`);
    assert.equal(tally.cases, BYTE_CASES);
  });

  it(`${FIELD_CASES} field mutations: refused with a located error, or loaded and run with onnxruntime's errors cleaned`, async () => {
    const rng = new Rng(SEED + 1);
    const tally = newTally();
    let ran = 0;
    for (let k = 0; k < FIELD_CASES; k++) {
      const base = bases[k % bases.length]!;
      const proto = base.proto();
      const how = rng.pick(FIELD_MUTATIONS)(proto, rng, path.join(dir, 'm'));
      const file = path.join(dir, 'm', `field-${k}.onnx`);
      let bytes: Uint8Array;
      try {
        bytes = encodeModel(proto);
      } catch {
        continue; // protobufjs cannot encode this object (not a file anyone can write): not a case
      }
      fs.writeFileSync(file, bytes);
      const where = `case ${k} (${base.name}, ${how})`;
      let loaded: ReturnType<typeof loadModel> | undefined;
      await outcome(tally, where, accept(file), (m) => { loaded = m; });
      fs.rmSync(file);
      if (!loaded) continue;
      // What a sweep does with a valid model: a session and a run. onnxruntime's words must reach a user cleaned.
      try {
        const session = await createSession(loaded.proto, { optimization: 'disabled' });
        ran++;
        try {
          await session.run(placeholderFeeds(loaded.proto, 2));
        } finally {
          await session.release();
        }
      } catch (e) {
        assertCleanMessage(userMessage(e), `${where}, onnxruntime`);
        if (process.env.FUZZ_VERBOSE) console.log(where, userMessage(e).slice(0, 200));
      }
    }
    console.log(`      ${report('onnx fields', tally)}; ${ran} given to onnxruntime`);
    assert.ok(tally.cases >= 1000 - BYTE_CASES, `${tally.cases} cases`);
  });
});
