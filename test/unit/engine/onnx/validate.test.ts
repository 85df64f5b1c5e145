// ONNX graph validation before any run: each broken model of the hardening issue (a missing initializer, a cycle,
// wrong arity, an unknown op or domain, opsets 0 and 99999, raw data of the wrong length, duplicate names, nodes out
// of order, a sparse initializer of a huge dense shape) is refused with a located ModelError naming node (name,
// index, op) and input, by `loadModel`, so check, inspect, gradcheck and sweep all refuse it before onnxruntime sees it.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliIO } from '../../../../src/cli/command';
import { main } from '../../../../src/cli/main';
import { decodeModel, encodeModel, floatTensor, loadModel, ModelError, ModelProto, saveModel, validateModel } from '../../../../src/engine/onnx';
import { GraphBuilder } from '../../../../src/engine/onnx/builder';
import { assembleModel } from '../../../../src/engine/onnx/modelFactory';
import { makeValueInfo } from '../../../../src/engine/onnx/rewrite';
import { cnnModel, mlpModel, transformerModel } from '../../../fixtures/models';

/** A fresh copy (the fixtures build new protos each call; a round trip makes it look like a file's). */
const mlp = (): ModelProto => decodeModel(encodeModel(mlpModel()));

function refuses(model: ModelProto, code: string, message: RegExp): void {
  assert.throws(() => validateModel(model, 'm.onnx'), (e: unknown) => {
    assert.ok(e instanceof ModelError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    assert.match(e.message, /^m\.onnx: /);
    return true;
  });
}

describe('ONNX graph validation', () => {
  it('accepts every fixture model and the exported torch models', () => {
    for (const m of [mlpModel(), cnnModel(), transformerModel(), mlpModel(9), cnnModel(11)]) validateModel(m, 'fixture');
    const torch = path.join(__dirname, '../../../fixtures/torch');
    for (const f of fs.readdirSync(torch).filter((n) => n.endsWith('.onnx'))) loadModel(path.join(torch, f));
  });

  it('a missing initializer: names the node, its index, op and input', () => {
    const m = mlp();
    m.graph.initializer = m.graph.initializer.filter((t) => t.name !== 'fc2.weight');
    refuses(m, 'onnx/undefined-input', /^m\.onnx: node '[^']*' \(#2, MatMul\) input 1 'fc2\.weight' is not a graph input, an initializer or the output of any node/);
  });

  it('a cycle, and nodes out of topological order', () => {
    const cyc = mlp();
    // Relu reads the output of the Add that (through MatMul) reads the Relu.
    cyc.graph.node[1]!.input = ['logits'];
    refuses(cyc, 'onnx/cycle', /node '[^']*' \(#1, Relu\) input 0 'logits' depends on the node's own output: the graph has a cycle/);
    const unsorted = mlp();
    unsorted.graph.node.reverse();
    refuses(unsorted, 'onnx/not-sorted', /\(#0, Add\) input 0 '\/fc2\/MatMul_output_0' is produced later, by node '[^']*' \(#1, MatMul\): the nodes are not in topological order/);
  });

  it('wrong op arity, counted at the model\'s opset', () => {
    const m = mlp();
    m.graph.node[1]!.input.push('x');
    refuses(m, 'onnx/bad-arity', /\(#1, Relu\) has 2 inputs; Relu at opset 17 takes 1/);
    // Gemm without C is valid from opset 11 only (issue 14): at opset 9 it is refused here, not by onnxruntime.
    const old = decodeModel(encodeModel(mlpModel(9)));
    old.graph.node[0]!.input = old.graph.node[0]!.input.slice(0, 2);
    refuses(old, 'onnx/bad-arity', /\(#0, Gemm\) has 2 inputs; Gemm at opset 9 takes 3/);
    const outs = mlp();
    outs.graph.node[1]!.output.push('extra');
    refuses(outs, 'onnx/bad-arity', /\(#1, Relu\) has 2 outputs; Relu at opset 17 has 1/);
  });

  it('unknown ops, ops newer than the opset, unknown and unimported domains', () => {
    const m = mlp();
    m.graph.node[1]!.opType = 'Relux';
    refuses(m, 'onnx/unknown-op', /\(#1, Relux\): 'Relux' is not an ONNX operator/);
    const proto = mlp();
    proto.graph.node[1]!.opType = 'constructor'; // a name every JS object has
    refuses(proto, 'onnx/unknown-op', /'constructor' is not an ONNX operator/);
    const newer = mlp();
    newer.graph.node[1]!.opType = 'Gelu';
    refuses(newer, 'onnx/unknown-op', /Gelu first appears in opset 20, but the model imports opset 17/);
    const dom = mlp();
    dom.graph.node[1]!.domain = 'com.example';
    refuses(dom, 'onnx/unknown-domain', /\(#1, com\.example\.Relu\) uses domain 'com\.example', which the model does not import/);
    dom.opsetImport.push({ domain: 'com.example', version: 1 });
    refuses(dom, 'onnx/unknown-domain', /which neither onnxruntime nor the model's own functions define/);
    // A model-local function of that name makes the op defined.
    dom.functions = [{ name: 'Relu', domain: 'com.example' }];
    validateModel(dom, 'm.onnx');
  });

  it('opsets 0 and 99999, a twice-imported domain, no default opset', () => {
    for (const [v, message] of [[0, /imports opset 0 of 'ai\.onnx'; opsets start at 1/], [99999, /imports ONNX opset 99999; onnxruntime here supports opsets 1–25/]] as const) {
      const m = mlp();
      m.opsetImport = [{ domain: '', version: v }];
      refuses(m, 'onnx/bad-opset', message);
    }
    const twice = mlp();
    twice.opsetImport.push({ domain: 'ai.onnx', version: 13 });
    refuses(twice, 'onnx/bad-opset', /the opset of domain 'ai\.onnx' is imported twice/);
    const none = mlp();
    none.opsetImport = [];
    refuses(none, 'onnx/bad-opset', /imports no opset of the default ONNX domain/);
  });

  it('tensor data: raw data of the wrong length, typed values of the wrong count, unknown data types, negative dims', () => {
    const raw = mlp();
    raw.graph.initializer[0]!.rawData = raw.graph.initializer[0]!.rawData!.subarray(0, 100);
    refuses(raw, 'onnx/invalid-tensor', /initializer 'fc1\.weight' holds 100 bytes of data; its shape \[16, 8\] and type float32 need 512/);
    const typed = mlp();
    const t = typed.graph.initializer[1]!;
    t.rawData = new Uint8Array(0);
    t.floatData = [1, 2, 3];
    refuses(typed, 'onnx/invalid-tensor', /initializer 'fc1\.bias' holds 3 values; its shape \[16\] has 16 elements/);
    const dtype = mlp();
    dtype.graph.initializer[0]!.dataType = 77;
    refuses(dtype, 'onnx/invalid-tensor', /initializer 'fc1\.weight' has data type 77, which ONNX does not define/);
    const neg = mlp();
    neg.graph.initializer[1]!.dims = [-16];
    refuses(neg, 'onnx/invalid-tensor', /initializer 'fc1\.bias' has a dimension -16, not a size/);
  });

  it('a sparse initializer whose dense shape is huge is refused before anything densifies it', () => {
    const m = mlp();
    m.graph.sparseInitializer = [{ values: floatTensor('sparse', [1], [1]), indices: { name: '', dims: [1], dataType: 7, rawData: new Uint8Array(8) }, dims: [1e9] }];
    refuses(m, 'onnx/too-large', /sparse initializer #0 'sparse' has shape \[1000000000\]: 1000000000 elements, over the 2147483647 bytes a tensor may hold/);
  });

  it('duplicate names: two nodes, a node and an initializer, two initializers, two graph inputs', () => {
    const nodes = mlp();
    nodes.graph.node[2]!.output = ['/relu/Relu_output_0'];
    refuses(nodes, 'onnx/duplicate-name', /\(#2, MatMul\) output '\/relu\/Relu_output_0' is also the output of node '[^']*' \(#1, Relu\)/);
    const init = mlp();
    init.graph.node[1]!.output = ['fc2.weight'];
    refuses(init, 'onnx/duplicate-name', /output 'fc2\.weight' is also a graph input or initializer/);
    const inits = mlp();
    inits.graph.initializer.push({ ...inits.graph.initializer[0]! });
    refuses(inits, 'onnx/duplicate-name', /two initializers are named 'fc1\.weight'/);
    const inputs = mlp();
    inputs.graph.input.push(inputs.graph.input[0]!);
    refuses(inputs, 'onnx/duplicate-name', /two graph inputs are named 'x'/);
  });

  it('tensor data as the ONNX IR stores it: one data field, of the data type\'s kind, never empty when the shape has elements', () => {
    const none = mlp();
    none.graph.initializer[2]!.rawData = new Uint8Array(0);
    refuses(none, 'onnx/invalid-tensor', /initializer 'fc2\.weight' holds no data; its shape \[16, 4\] needs 256 bytes/);
    const twice = mlp();
    twice.graph.initializer[1]!.floatData = Array.from({ length: 16 }, () => 1);
    refuses(twice, 'onnx/invalid-tensor', /initializer 'fc1\.bias' holds its values twice, in raw_data and in float_data/);
    const string = mlp();
    string.graph.initializer[0]!.dataType = 8;
    refuses(string, 'onnx/invalid-tensor', /initializer 'fc1\.weight' is a string tensor with raw_data; strings are stored in string_data/);
    const complex = mlp();
    complex.graph.initializer[0]!.dataType = 14;
    refuses(complex, 'onnx/invalid-tensor', /initializer 'fc1\.weight' holds 512 bytes of data; its shape \[16, 8\] and type complex64 need 1024/);
    const field = mlp();
    const bias = field.graph.initializer[1]!;
    bias.rawData = new Uint8Array(0);
    bias.int64Data = Array.from({ length: 16 }, () => 1);
    refuses(field, 'onnx/invalid-tensor', /initializer 'fc1\.bias' is float32 but holds its values in int64_data; that type's values go in float_data or raw_data/);
    // A tensor with no elements needs no data.
    const empty = mlp();
    empty.graph.initializer.push({ name: 'unused', dims: [0, 3], dataType: 1 });
    validateModel(empty, 'm.onnx');
  });

  it('graph inputs and outputs: an element type, dims that are sizes, and at least one output', () => {
    const undef = mlp();
    undef.graph.input[0]!.type!.tensorType!.elemType = 0;
    refuses(undef, 'onnx/invalid-tensor', /graph input 'x' declares no element type/);
    const negative = mlp();
    negative.graph.input[0]!.type!.tensorType!.shape!.dim[1] = { dimValue: -3 };
    refuses(negative, 'onnx/invalid-tensor', /graph input 'x' declares dimension 1 as -3, not a size/);
    const out999 = mlp();
    out999.graph.output[0]!.type!.tensorType!.elemType = 999;
    refuses(out999, 'onnx/invalid-tensor', /graph output 'logits' has element type 999, which ONNX does not define/);
    const none = mlp();
    none.graph.output = [];
    refuses(none, 'onnx/no-outputs', /the graph declares no outputs/);
  });

  it('element types onnxruntime would refuse: inputs of one type variable that disagree, types an op does not take, a declared output type its producer does not give', () => {
    for (const [elem, name] of [[7, 'int64'], [11, 'float64'], [6, 'int32']] as const) {
      const m = mlp();
      m.graph.input[0]!.type!.tensorType!.elemType = elem;
      refuses(m, 'onnx/type-mismatch', new RegExp(`\\(#0, Gemm\\) input 1 'fc1\\.weight' is float32 but input 0 'x' is ${name}; Gemm takes one element type for both`));
    }
    for (const elem of [8, 9]) {
      const m = mlp();
      m.graph.input[0]!.type!.tensorType!.elemType = elem;
      refuses(m, 'onnx/type-mismatch', /\(#0, Gemm\) input 0 'x' is (string|bool); Gemm takes numbers only/);
    }
    const image = decodeModel(encodeModel(cnnModel()));
    image.graph.input[0]!.type!.tensorType!.elemType = 7;
    refuses(image, 'onnx/type-mismatch', /\(#0, Conv\) input 0 'image' is int64; Conv takes float types only/);
    const tokens = decodeModel(encodeModel(transformerModel()));
    tokens.graph.input[0]!.type!.tensorType!.elemType = 1;
    refuses(tokens, 'onnx/type-mismatch', /Gather\) input 1 'tokens' is float32; Gather takes int32 or int64 indices there/);
    const out = mlp();
    out.graph.output[0]!.type!.tensorType!.elemType = 7;
    refuses(out, 'onnx/type-mismatch', /graph output 'logits' is declared int64, but its producer gives float32/);
    // A Cast makes its own type: float → int64 → Cast(to float) feeds the Gemm correctly.
    const b = new GraphBuilder(17);
    const w = b.initializer(floatTensor('w', [2, 3], [1, 2, 3, 4, 5, 6]));
    const xf = b.op('Cast', ['x'], { to: 1 }, 'xf');
    b.op('Gemm', [xf, w], { transB: 1 }, 'y');
    validateModel(assembleModel({ name: 'cast', builder: b, inputs: [makeValueInfo('x', 'int64', ['batch', 3])], outputs: [makeValueInfo('y', 'float32', ['batch', 2])] }), 'cast');
  });

  it('a declared input size the weights contradict (Gemm, MatMul, Conv)', () => {
    const huge = mlp();
    huge.graph.input[0]!.type!.tensorType!.shape!.dim[1] = { dimValue: 2 ** 62 };
    refuses(huge, 'onnx/invalid-tensor', /graph input 'x' declares dimension 1 as \d+, more elements than any tensor holds/);
    for (const size of [0, 7, 1e12]) {
      const m = mlp();
      m.graph.input[0]!.type!.tensorType!.shape!.dim[1] = { dimValue: size };
      refuses(m, 'onnx/shape-mismatch', new RegExp(`\\(#0, Gemm\\): the inner dimension of A·B is ${size} in input 0 'x' \\[\\?, ${size}\\] but 8 in input 1 'fc1\\.weight' \\[16, 8\\]`));
    }
    const image = decodeModel(encodeModel(cnnModel()));
    image.graph.input[0]!.type!.tensorType!.shape!.dim[1] = { dimValue: 4 };
    refuses(image, 'onnx/shape-mismatch', /Conv\): the input channels \(weight dim 1 × group 1\) is 4 in input 0 'image' \[2, 4, 8, 8\] but 3/);
  });

  it('attributes: a type ONNX defines for the name, flags 0 or 1, the ones an op requires', () => {
    const alpha = mlp();
    alpha.graph.node[0]!.attribute.push({ name: 'alpha', type: 3, s: Buffer.from('big') });
    refuses(alpha, 'onnx/invalid-attribute', /\(#0, Gemm\) attribute 'alpha' is STRING; ONNX defines it as FLOAT/);
    const flag = mlp();
    flag.graph.node[0]!.attribute[0]!.i = 7;
    refuses(flag, 'onnx/invalid-attribute', /\(#0, Gemm\) attribute 'transB' is 7; it is a flag, 0 or 1/);
    const untyped = mlp();
    untyped.graph.node[0]!.attribute.push({ name: 'beta', type: 0 });
    refuses(untyped, 'onnx/invalid-attribute', /attribute 'beta' has no type/);
    const pool = decodeModel(encodeModel(cnnModel()));
    const maxPool = pool.graph.node.find((n) => n.opType === 'MaxPool')!;
    maxPool.attribute = maxPool.attribute.filter((a) => a.name !== 'kernel_shape');
    refuses(pool, 'onnx/invalid-attribute', /MaxPool\) lacks the attribute 'kernel_shape', which MaxPool requires/);
    const constant = mlp();
    constant.graph.node.unshift({ name: 'c', opType: 'Constant', domain: '', input: [], output: ['c_out'], attribute: [{ name: 'value_float', type: 1, f: 1 }, { name: 'value_int', type: 2, i: 1 }] });
    refuses(constant, 'onnx/invalid-attribute', /\(#0, Constant\) has 2 value attributes; a Constant has exactly one/);
  });

  it('a graph output nothing produces', () => {
    const m = mlp();
    m.graph.output[0]!.name = 'nothing';
    refuses(m, 'onnx/undefined-output', /graph output 'nothing' is not produced by any node/);
  });

  it('names from the file are escaped and cut: ANSI escapes and a 1 MB name print as one short line', () => {
    const m = mlp();
    const evil = `\u001b[31mred\u001b[0m${'x'.repeat(1_000_000)}`;
    m.graph.node[2]!.input[1] = evil;
    assert.throws(() => validateModel(m, 'm.onnx'), (e: unknown) => {
      const msg = (e as Error).message;
      assert.ok(!msg.includes('\u001b'), 'no raw escape character');
      assert.match(msg, /input 1 '\\x1b\[31mred\\x1b\[0mxxx/);
      assert.match(msg, /… \(1000012 characters\)/);
      assert.ok(msg.length < 600, `${msg.length} characters`);
      return true;
    });
  });

  it('a 100k-node graph is validated in one linear pass', () => {
    const b = new GraphBuilder(17);
    let h = 'x';
    for (let i = 0; i < 100_000; i++) h = b.op('Relu', [h], {}, `h${i}`);
    const m = assembleModel({ name: 'long', builder: b, inputs: [makeValueInfo('x', 'float32', ['batch', 4])], outputs: [makeValueInfo(h, 'float32', ['batch', 4])] });
    validateModel(m, 'long.onnx');
    // And the same graph with its last node reading a tensor nobody makes: found, with the node's index.
    m.graph.node[99_999]!.input = ['ghost'];
    assert.throws(() => validateModel(m, 'long.onnx'), /\(#99999, Relu\) input 0 'ghost' is not a graph input/);
  });

  describe('the commands refuse a broken model before running it', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-validate-'));
      const m = mlp();
      m.graph.initializer = m.graph.initializer.filter((t) => t.name !== 'fc2.weight');
      saveModel(m, path.join(dir, 'broken.onnx'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('inspect prints names from the file escaped and cut (ANSI escapes, a 1 MB name)', async () => {
      const m = mlp();
      const evil = `\u001b]0;owned\u0007\u001b[2J${'w'.repeat(1_000_000)}`;
      for (const n of m.graph.node) n.input = n.input.map((i) => (i === 'fc1.weight' ? evil : i));
      m.graph.initializer.find((t) => t.name === 'fc1.weight')!.name = evil;
      saveModel(m, path.join(dir, 'evil.onnx'));
      const out: string[] = [];
      const code = await main(['inspect', 'evil.onnx'], { out: (t) => out.push(t), err: (t) => out.push(t), cwd: dir });
      assert.equal(code, 0);
      const text = out.join('\n');
      assert.ok(!text.includes('\u001b') && !text.includes('\u0007'), 'no raw control character reaches the terminal');
      assert.match(text, /\\x1b\]0;owned\\x07\\x1b\[2Jwww/);
      assert.ok(Math.max(...text.split('\n').map((l) => l.length)) < 400, 'every line short');
    });

    for (const argv of [['inspect', 'broken.onnx'], ['gradcheck', 'broken.onnx']]) {
      // Exit 1: the file was read and is invalid, as `check` reports it (2 is for a file that cannot be read at all).
      it(`${argv[0]}: exit 1, one line naming node and input, never "gradient: supported"`, async () => {
        const out: string[] = [];
        const err: string[] = [];
        const io: CliIO = { out: (t) => out.push(t), err: (t) => err.push(t), cwd: dir };
        const code = await main(argv, io);
        assert.equal(code, 1);
        assert.deepEqual(out, []);
        assert.equal(err.length, 1);
        assert.match(err[0]!, /^circuit-thermometer: .*broken\.onnx: node '[^']*' \(#2, MatMul\) input 1 'fc2\.weight' is not a graph input/);
        assert.ok(!/internal error|onnxruntime_src|\.cc:\d+/.test(err[0]!));
      });
    }
  });
});
