// The engine ↔ VS Code translation: ranges (0-based both sides, 1-based in compiler-style lines), severities,
// messages, quick fixes as workspace edits, and finding a fix again from the copy VS Code hands back.
import * as assert from 'node:assert/strict';
import { installVscodeDouble, textDocument } from './vscodeDouble';

installVscodeDouble();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const vscode = require('vscode') as typeof import('./vscodeDouble');
// Loaded after the double is installed.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const t = require('../../../src/extension/translate') as typeof import('../../../src/extension/translate');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const commands = require('../../../src/extension/commands') as typeof import('../../../src/extension/commands');
import { formatDiagnostic, type Diagnostic } from '../../../src/hypothesis/diagnostics';
import { parseHypothesis } from '../../../src/hypothesis';

const diag = (over: Partial<Diagnostic> = {}): Diagnostic => ({
  file: '/w/a.circuit.yaml',
  range: { start: { line: 3, col: 4 }, end: { line: 3, col: 9 } },
  severity: 'error',
  code: 'hyp/unknown-key',
  message: "unknown key 'modle' at the top level",
  ...over,
});

describe('extension: translation layer', () => {
  it('keeps 0-based lines and UTF-16 columns as they are', () => {
    const r = t.toRange({ start: { line: 0, col: 0 }, end: { line: 2, col: 7 } });
    assert.deepEqual([r.start.line, r.start.character, r.end.line, r.end.character], [0, 0, 2, 7]);
  });

  it('orders reversed ends and clamps negative positions', () => {
    const r = t.toRange({ start: { line: 5, col: 3 }, end: { line: 1, col: -2 } });
    assert.deepEqual([r.start.line, r.start.character, r.end.line, r.end.character], [1, 0, 5, 3]);
  });

  it('clamps a range past the end of the text to the document', () => {
    const doc = textDocument('model: ./m.onnx\ndata:\n');
    const r = t.toRange({ start: { line: 1, col: 2 }, end: { line: 40, col: 99 } }, doc as never);
    assert.deepEqual([r.start.line, r.start.character, r.end.line, r.end.character], [1, 2, 2, 0]);
  });

  it('maps severity, code, source and appends the hint to the message', () => {
    const d = t.toDiagnostic(diag({ severity: 'warning', hint: "did you mean 'model'?" }));
    assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(d.code, 'hyp/unknown-key');
    assert.equal(d.source, 'circuit-thermometer');
    assert.equal(d.message, "unknown key 'modle' at the top level (did you mean 'model'?)");
    assert.equal(t.toDiagnostic(diag({ severity: 'info' })).severity, vscode.DiagnosticSeverity.Information);
    assert.equal(t.toDiagnostic(diag()).message, "unknown key 'modle' at the top level");
  });

  it('turns a fix into a preferred quick fix that replaces exactly its range', () => {
    const uri = vscode.Uri.file('/w/a.circuit.yaml');
    const fix = { range: { start: { line: 3, col: 4 }, end: { line: 3, col: 9 } }, newText: 'model', title: "Change to 'model'" };
    const d = t.toDiagnostic(diag({ fix }));
    const action = t.toCodeAction(fix, d, uri as never);
    assert.equal(action.title, "Change to 'model'");
    assert.equal(action.isPreferred, true);
    assert.deepEqual(action.diagnostics, [d]);
    const edits = (action.edit as unknown as InstanceType<typeof vscode.WorkspaceEdit>).edits;
    assert.equal(edits.length, 1);
    assert.equal(edits[0].uri.fsPath, uri.fsPath);
    assert.equal(edits[0].newText, 'model');
    assert.deepEqual([edits[0].range.start.line, edits[0].range.start.character, edits[0].range.end.line, edits[0].range.end.character], [3, 4, 3, 9]);
    assert.equal(t.toCodeAction({ ...fix, title: undefined }, d, uri as never).title, 'Replace with model');
  });

  it('finds a fix again from a copy of its diagnostic, and only for the same problem', () => {
    const uri = vscode.Uri.file('/w/a.circuit.yaml');
    const fix = { range: diag().range, newText: 'model' };
    const index = new t.FixIndex();
    const original = t.toDiagnostic(diag());
    index.set(uri as never, [{ diagnostic: original, fix }, { diagnostic: t.toDiagnostic(diag({ message: 'other' })) }]);
    const copy = new vscode.Diagnostic(new vscode.Range(3, 4, 3, 9), original.message, vscode.DiagnosticSeverity.Error);
    copy.code = 'hyp/unknown-key';
    assert.equal(index.find(uri as never, copy as never), fix);
    const moved = new vscode.Diagnostic(new vscode.Range(4, 4, 4, 9), original.message);
    moved.code = 'hyp/unknown-key';
    assert.equal(index.find(uri as never, moved as never), undefined);
    index.delete(uri as never);
    assert.equal(index.find(uri as never, copy as never), undefined);
  });

  it('reads 1-based compiler-style lines back into 0-based ranges (round trip with formatDiagnostic)', () => {
    const d = diag({ hint: "did you mean 'model'?" });
    const parsed = t.parseDiagnosticLine(formatDiagnostic(d, 'C:\\work\\a.circuit.yaml'));
    assert.ok(parsed);
    assert.equal(parsed.file, 'C:\\work\\a.circuit.yaml');
    assert.deepEqual(parsed.range.start, { line: 3, col: 4 });
    assert.equal(parsed.severity, 'error');
    assert.equal(parsed.code, 'hyp/unknown-key');
    assert.equal(t.parseDiagnosticLine('a.yaml:1:1: error: x')?.range.start.line, 0);
    assert.equal(t.parseDiagnosticLine('not a diagnostic'), undefined);
  });

  it('puts a real checker diagnostic on the line the user sees', () => {
    const text = 'model: ./m.onnx\nmodle: 3\n';
    const { diagnostics } = parseHypothesis(text, '/w/a.circuit.yaml');
    const unknown = diagnostics.find((d) => d.code === 'hyp/unknown-key');
    assert.ok(unknown, JSON.stringify(diagnostics));
    const r = t.toRange(unknown.range, textDocument(text) as never);
    assert.equal(r.start.line, 1, 'second line of the file, 0-based');
    assert.equal(r.start.character, 0);
    assert.equal(r.end.character, 5);
  });

  it('puts results beside the hypothesis, or in the resultsFolder setting relative to it', () => {
    assert.equal(commands.resultsPathFor('/w/exp/a.circuit.yaml', ''), '/w/exp/a.results.json');
    assert.equal(commands.resultsPathFor('/w/exp/b.circuit.json', 'results'), '/w/exp/results/b.results.json');
    assert.equal(commands.resultsPathFor('/w/exp/c.circuit.yml', '../out'), '/w/out/c.results.json');
    assert.equal(commands.resultsPathFor('/w/exp/d.circuit.yaml', '/abs/r'), '/abs/r/d.results.json');
  });

  it('decodes the data: URLs the chart page sends (base64 PNG, percent-encoded SVG)', () => {
    assert.deepEqual([...commands.decodeDataUrl('data:image/png;base64,iVBORw==')], [0x89, 0x50, 0x4e, 0x47]);
    assert.equal(Buffer.from(commands.decodeDataUrl('data:image/svg+xml,%3Csvg%20x%3D%221%22%2F%3E')).toString(), '<svg x="1"/>');
    assert.throws(() => commands.decodeDataUrl('https://example.invalid/x.png'), /not a data: URL/);
  });
});
