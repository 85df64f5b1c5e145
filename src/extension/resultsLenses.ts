// A results file (`*.results.json`, often megabytes of JSON) opened as text: a lens on its first line opens its
// chart instead, and another the hypothesis that made it (the editor title carries the same Show Chart button). A
// grid results file (`*.grid.json`) gets Show grid (its map) in place of the chart.
import * as vscode from 'vscode';

export const RESULTS_SELECTOR: vscode.DocumentSelector = [{ scheme: 'file', pattern: '**/*.results.json' }, { scheme: 'file', pattern: '**/*.grid.json' }];

export class ResultsLenses implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    // A two-dial map's results (<name>.grid.json) open in the map panel.
    if (/\.grid\.json$/i.test(document.uri.fsPath)) {
      return [
        new vscode.CodeLens(top, { title: '$(graph) Show grid', command: 'circuitThermometer.showGrid', arguments: [document.uri], tooltip: 'The two-dial map of these grid results' }),
        new vscode.CodeLens(top, { title: '$(go-to-file) Open hypothesis', command: 'circuitThermometer.openHypothesisOf', arguments: [document.uri], tooltip: 'The hypothesis file this map was made from' }),
      ];
    }
    return [
      new vscode.CodeLens(top, { title: '$(graph-line) Show chart', command: 'circuitThermometer.showChart', arguments: [document.uri], tooltip: 'The entanglement chart of these results' }),
      new vscode.CodeLens(top, { title: '$(go-to-file) Open hypothesis', command: 'circuitThermometer.openHypothesisOf', arguments: [document.uri], tooltip: 'The hypothesis file these results were made from' }),
    ];
  }
}
