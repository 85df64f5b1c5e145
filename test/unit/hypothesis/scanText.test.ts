import * as assert from 'assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isGridText, isScanText } from '../../../src/hypothesis/scanText';

const examples = path.join(__dirname, '../../../examples');

describe('hypothesis: a scan file told from a sweep file by its text', () => {
  it('every shipped scan-*.circuit.yaml is a scan, every other shipped hypothesis is not', () => {
    let scans = 0;
    let sweeps = 0;
    for (const dir of fs.readdirSync(examples)) {
      const folder = path.join(examples, dir);
      if (!fs.statSync(folder).isDirectory()) continue;
      for (const name of fs.readdirSync(folder).filter((n) => n.endsWith('.circuit.yaml'))) {
        const scan = name.startsWith('scan-');
        assert.equal(isScanText(fs.readFileSync(path.join(folder, name), 'utf8')), scan, name);
        if (scan) scans++;
        else sweeps++;
      }
    }
    assert.ok(scans >= 3 && sweeps >= 5, `${scans} scan and ${sweeps} sweep files`);
  });

  it('only a top-level key counts: not a nested `scan:`, a comment, or a key that starts with scan', () => {
    assert.equal(isScanText('name: x\nscan:\n  name: s\n'), true);
    assert.equal(isScanText('scan : {name: s}\n'), true);
    assert.equal(isScanText('circuit:\n  scan: 1\n'), false);
    assert.equal(isScanText('# scan: later\ncircuit: {}\n'), false);
    assert.equal(isScanText('scanner: 1\n'), false);
  });
});

describe('hypothesis: a two-dial map told by its text (the Run grid lens)', () => {
  it('every shipped *.grid.circuit.yaml is a map, every other shipped hypothesis is not', () => {
    let grids = 0;
    let others = 0;
    for (const dir of fs.readdirSync(examples)) {
      const folder = path.join(examples, dir);
      if (!fs.statSync(folder).isDirectory()) continue;
      for (const name of fs.readdirSync(folder).filter((n) => n.endsWith('.circuit.yaml'))) {
        const grid = name.endsWith('.grid.circuit.yaml');
        assert.equal(isGridText(fs.readFileSync(path.join(folder, name), 'utf8')), grid, name);
        if (grid) grids++;
        else others++;
      }
    }
    assert.ok(grids >= 1 && others >= 5, `${grids} grid and ${others} other files`);
  });

  it('only `grid:` directly under the top-level degradation block (block or flow), or a JSON "grid" key', () => {
    assert.equal(isGridText('degradation:\n  dial: sgld\n  grid:\n    checkpoints: [a.onnx]\n'), true);
    assert.equal(isGridText('degradation:\n  # grid: later\n  dial: sgld\n'), false);
    assert.equal(isGridText('degradation:\n  dial: sgld\n  sgld:\n    grid: 1\n'), false);
    assert.equal(isGridText('circuit:\n  grid: 1\ndegradation:\n  dial: sgld\n'), false);
    assert.equal(isGridText('degradation: { dial: sgld, grid: { checkpoints: [a.onnx] } }\n'), true);
    assert.equal(isGridText('degradation:\n  dial: sgld\nverdict:\n  grid: 1\n'), false);
    assert.equal(isGridText('{ "degradation": { "dial": "sgld", "grid": { "checkpoints": ["a.onnx"] } } }'), true);
  });
});
