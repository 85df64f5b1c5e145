// Issue 24, items 2 and 3: names from a model reach Markdown in the editor (tensor hovers, completion documentation,
// the ONNX model page). A node name with a blank line ended the hover's code span and an image after it made the
// workbench fetch https://evil.example on hover; a `|` in a parameter name opened a table cell on the model page
// (rendered with HTML enabled) holding a live command link. A real model with such names, its Markdown rendered by
// markdown-it with HTML and linkify on (more permissive than either of VS Code's renderers): no tag, link or image
// comes out, and every name is shown whole.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeGradientSupport } from '../../../src/engine/autodiff';
import { GraphBuilder } from '../../../src/engine/onnx/builder';
import { GraphIndex, loadModel, saveModel, summarizeModel } from '../../../src/engine/onnx';
import { assembleModel } from '../../../src/engine/onnx/modelFactory';
import { makeValueInfo } from '../../../src/engine/onnx/rewrite';
import { floatTensor } from '../../../src/engine/onnx/tensor';
import { modelMarkdown } from '../../../src/extension/modelMarkdown';
import { describeTensor, tensorMarkdown } from '../../../src/extension/tensorInfo';
import { escapeHtml, escapeMarkdown, escapeTerminal, markdownCode } from '../../../src/protocol/escape';
import { seededValues } from '../../fixtures/models';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const MarkdownIt = require('markdown-it') as new (o: object) => { render(md: string): string };
const render = (md: string) => new MarkdownIt({ html: true, linkify: true }).render(md);

const EVIL_PARAM = 'out.weight|<a href="command:circuitThermometer.newHypothesis?%5B%5D">Run sweep ▶</a>|';
const EVIL_NODE = 'h`\n\n![t](https://evil.example/track.png) [x](https://evil.example/) <img src=https://evil.example/i.png> www.evil.example';

function evilModel(): ReturnType<typeof assembleModel> {
  const b = new GraphBuilder(17);
  const w = b.initializer(floatTensor(EVIL_PARAM, [8, 4], seededValues(32, 7)));
  const h = b.op('Relu', ['x'], {}, EVIL_NODE);
  b.op('MatMul', [h, w], {}, 'logits');
  return assembleModel({ name: 'evil', builder: b, inputs: [makeValueInfo('x', 'float32', ['batch', 8])], outputs: [makeValueInfo('logits', 'float32', ['batch', 4])] });
}

function assertInert(html: string): void {
  assert.doesNotMatch(html, /<(a|img|script|iframe|svg)\b/i, html);
  assert.doesNotMatch(html, /<[^>]*\s(href|src)=/i, html);
}

describe('security: model names in Markdown (issue 24, items 2 and 3)', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-mdsink-'));
    saveModel(evilModel(), path.join(dir, 'evil.onnx'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the tensor hover of a node named to end its code span loads nothing and shows the name', () => {
    const model = loadModel(path.join(dir, 'evil.onnx'));
    const index = GraphIndex.of(model.proto);
    const d = describeTensor({ model: { proto: model.proto } as never, index, tensorNames: index.tensorNames() }, undefined, EVIL_NODE);
    assert.ok(d);
    const html = render(tensorMarkdown(d));
    assertInert(html);
    // The whole name in one code span: its line breaks shown as \x0a, its backtick as '.
    const shown = escapeTerminal(EVIL_NODE).replace(/`/g, "'").replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    assert.ok(html.includes(`<code>${shown}</code>`), html);
  });

  it('the model page keeps a parameter named with `|` and a command link in one cell, as text', () => {
    const model = loadModel(path.join(dir, 'evil.onnx'));
    const s = summarizeModel(model);
    const support = analyzeGradientSupport(model.proto, s.parameters.tensors.map((p) => p.name), ['logits']);
    const md = modelMarkdown(s, { ...support, outputs: ['logits'] }, `models/${EVIL_NODE}.onnx`);
    const html = render(md);
    assertInert(html);
    // The parameters table: every row has its four cells, the name whole in the first.
    const table = html.slice(html.indexOf('<h2>Parameters</h2>'));
    const row = /<tr>\s*<td>(.*?)<\/td>\s*<td>(.*?)<\/td>\s*<td>(.*?)<\/td>\s*<td>(.*?)<\/td>\s*<\/tr>/s.exec(table);
    assert.ok(row, table);
    assert.equal(row[1], `<code>${escapeHtml(EVIL_PARAM)}</code>`);
  });

  it('escapeMarkdown and markdownCode leave no markup, whatever the text', () => {
    const nasty = ['![i](https://e.x/i.png)', '<img src=x onerror=alert(1)>', '[l](command:x)', 'https://e.x', '&lt;b&gt;', 'a\n\n# h', '|a|b|', '`code`', '\\', '$(zap)'];
    for (const s of nasty) {
      assertInert(render(escapeMarkdown(s)));
      assertInert(render(`| a |\n|---|\n| ${markdownCode(s, { table: true })} |`));
      assertInert(render(markdownCode(s)));
      assert.doesNotMatch(render(escapeMarkdown(s)), /<h1>/);
    }
  });
});
