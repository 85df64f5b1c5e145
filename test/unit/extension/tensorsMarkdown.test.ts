// The model page's Tensors section, rendered as VS Code renders it (markdown-it, tables on): every intermediate
// tensor of the real planted model in graph order with its op, and each name a command link whose argument is the
// name itself; names that would break Markdown (backticks, pipes, brackets, parentheses, HTML) stay one cell of text.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { GraphIndex, loadModel } from '../../../src/engine/onnx';
import { COPY_TENSOR_COMMAND, MAX_TENSOR_ROWS, type PageTensor, SEARCH_TENSORS_COMMAND, tensorsMarkdown } from '../../../src/extension/tensorsMarkdown';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const MarkdownIt = require('markdown-it') as new (o?: object) => { render(md: string): string };
const ROOT = path.resolve(__dirname, '../../..');

/** The section as HTML, then its rows: each cell's text, and the command link of the first cell. */
function rows(md: string): { cells: string[]; href: string | null }[] {
  const html = new MarkdownIt({ html: false }).render(md);
  const body = /<tbody>([\s\S]*)<\/tbody>/.exec(html)?.[1] ?? '';
  const decode = (s: string) => s.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  return Array.from(body.matchAll(/<tr>([\s\S]*?)<\/tr>/g), (tr) => {
    const cells = Array.from(tr[1]!.matchAll(/<td>([\s\S]*?)<\/td>/g), (td) => td[1]!);
    const href = /href="([^"]*)"/.exec(cells[0] ?? '')?.[1] ?? null;
    return { cells: cells.map((c) => decode(c).trim()), href: href && decode(href) };
  });
}

function argsOf(href: string, command: string): unknown {
  assert.ok(href.startsWith(`command:${command}?`), href);
  return JSON.parse(decodeURIComponent(href.slice(`command:${command}?`.length)));
}

describe('extension: the model page lists the tensors, each name a link that copies it', () => {
  it('on the planted model: every intermediate tensor in graph order, with its op and a copy link carrying its name', () => {
    const file = path.join(ROOT, 'examples/planted/planted-kappa-0.onnx');
    const model = loadModel(file);
    const index = GraphIndex.of(model.proto);
    const tensors: PageTensor[] = model.proto.graph.node.filter((n) => n.opType !== 'Constant')
      .flatMap((n) => n.output.filter((o) => o && !index.graphOutputs.includes(o)))
      .map((name) => ({ name, op: index.producer.get(name)?.opType, dtype: 'float32', shape: ['batch', 128] }));
    assert.ok(tensors.some((t) => t.name === '/relu/Relu_output_0'));
    const md = tensorsMarkdown(tensors, file);
    const r = rows(md);
    assert.deepEqual(r.map((x) => x.cells[0]), tensors.map((t) => t.name));
    assert.deepEqual(r.map((x) => x.cells[1]), tensors.map((t) => t.op));
    for (const [i, x] of r.entries()) assert.deepEqual(argsOf(x.href!, COPY_TENSOR_COMMAND), [tensors[i]!.name]);
    const search = /\[search them all\]\(([^)]*)\)/.exec(md)?.[1];
    assert.deepEqual(argsOf(search!, SEARCH_TENSORS_COMMAND), [file]);
  });

  it('keeps names that look like Markdown or HTML as one cell of plain text, and caps the rows', () => {
    const names = ['a|b', '`tick`', 'x]](command:evil)', 'p(q)r', '<img src=x onerror=alert(1)>', 'line\nbreak', '**bold**'];
    const tensors = names.map((name) => ({ name, op: 'Relu|x', dtype: 'float32', shape: ['b|<i>', 4] as (string | number)[] }));
    const md = tensorsMarkdown(tensors, '/m.onnx');
    const html = new MarkdownIt({ html: false }).render(md);
    assert.ok(!/<img|<i>|<strong>/.test(html), 'no markup from a name');
    const r = rows(md);
    assert.equal(r.length, names.length);
    for (const [i, x] of r.entries()) {
      assert.equal(x.cells.length, 4, `one row of four cells for ${JSON.stringify(names[i])}`);
      assert.equal(x.cells[0], names[i]!.replace('\n', ' '));
      assert.deepEqual(argsOf(x.href!, COPY_TENSOR_COMMAND), [names[i]], 'the link copies the name as it is');
      assert.equal(x.cells[3], '[b|<i>, 4]');
    }
    const many = Array.from({ length: MAX_TENSOR_ROWS + 5 }, (_, k) => ({ name: `t${k}`, dtype: 'float32', shape: null }));
    const capped = tensorsMarkdown(many, '/m.onnx');
    assert.equal(rows(capped).length, MAX_TENSOR_ROWS);
    assert.match(capped, /… and 5 more: \[search them all\]/);
  });
});
