// The calibration heatmap of a report: one cell per (ε, t) with its acceptance, diverged cells as gaps, the
// recommended ε of each level outlined.
import { strict as assert } from 'node:assert';
import { buildCalibrationFigure, CALIBRATION_TRACE, calibrationRhatNote } from '../../../src/chart/calibrationFigure';
import { lightTheme } from '../../../src/chart/theme';
import type { CalibrationReport } from '../../../src/protocol/calibration';

const cell = (nbeta: number, stepSize: number, acceptance: number, diverged = false) => ({ nbeta, stepSize, acceptance, llc: diverged ? null : 1.5, rhat: diverged ? null : 1.01, diverged });
const report: CalibrationReport = {
  hypothesis: '/w/h.circuit.yaml', n: 128, localization: 100, batchSize: 64, chains: 2, steps: 100, levels: [0.1, 10],
  rows: [
    { nbeta: 1280, recommended: 1e-4, cells: [cell(1280, 1e-3, 0, true), cell(1280, 1e-4, 0.93)] },
    { nbeta: 12.8, recommended: 1e-3, cells: [cell(12.8, 1e-3, 0.91), cell(12.8, 1e-4, 0.99)] },
  ],
  recommended: 1e-4,
};

describe('chart: calibration heatmap', () => {
  it('puts every cell\'s acceptance in the grid, diverged cells as gaps, and outlines each level\'s recommended ε', () => {
    const fig = buildCalibrationFigure(report, lightTheme);
    const heat = fig.data.find((d) => (d as { uid?: string }).uid === CALIBRATION_TRACE.acceptance) as unknown as { z: (number | null)[][]; text: string[][]; y: string[] };
    assert.deepEqual(heat.y, ['1.0e-3', '1.0e-4']);
    assert.deepEqual(heat.z, [[null, 0.91], [0.93, 0.99]]);
    assert.equal(heat.text[0]![0]!, '×', 'a diverged cell');
    assert.equal(heat.text[1]![0]!, '0.93', 'the acceptance alone in a cell (R̂ 1.01 is mixed: no dagger)');
    const hover = (heat as unknown as { customdata: string[][] }).customdata;
    assert.match(hover[1]![0]!, /^MALA acceptance 0\.930 \(≥ 0\.9: qualifies\)<br>λ̂ 1\.50<br>R̂ 1\.01 \(≤ 1\.01: mixed\)$/);
    // Short two-line column labels, horizontal: they cannot run into each other.
    assert.deepEqual((heat as unknown as { x: string[] }).x, ['t = 0.1<br>nβ 1.28e+3', 't = 10<br>nβ 12.8']);
    assert.equal((fig.layout.xaxis as { tickangle?: number }).tickangle, 0);
    const marks = fig.data.find((d) => (d as { uid?: string }).uid === CALIBRATION_TRACE.recommended) as unknown as { x: string[]; y: string[] };
    assert.deepEqual(marks.y, ['1.0e-4', '1.0e-3']);
    assert.equal(marks.x.length, 2);
    assert.match(String((fig.layout.title as { text: string }).text), /recommended stepSize 0\.000100/);
  });

  it('marks cells whose chains had not mixed with a dagger, and says why in the hover and the note', () => {
    const slow: CalibrationReport = { ...report, rows: report.rows.map((r) => ({ ...r, cells: r.cells.map((c) => (c.diverged ? c : { ...c, rhat: 2.68 })) })) };
    const heat = buildCalibrationFigure(slow, lightTheme).data.find((d) => (d as { uid?: string }).uid === CALIBRATION_TRACE.acceptance) as unknown as { text: string[][]; customdata: string[][] };
    assert.equal(heat.text[1]![0]!, '0.93†');
    assert.match(heat.customdata[1]![0]!, /R̂ 2\.68 \(> 1\.01: not mixed in 100 steps\)/);
    assert.match(calibrationRhatNote(slow), /^† R̂ > 1\.01\. .* It does not judge the sweep/);
  });
});
