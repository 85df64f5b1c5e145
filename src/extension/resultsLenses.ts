// A results file (`*.results.json`, often megabytes of JSON) opened as text: a lens on its first line opens its
// chart instead, and another the hypothesis that made it (the editor title carries the same Show Chart button).
import * as vscode from 'vscode';

export const RESULTS_SELECTOR: vscode.DocumentSelector = [{ scheme: 'file', pattern: '**/*.results.json' }];

export class ResultsLenses implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    return [
      new vscode.CodeLens(top, { title: '$(graph-line) Show chart', command: 'circuitThermometer.showChart', arguments: [document.uri], tooltip: 'The entanglement chart of these results' }),
      new vscode.CodeLens(top, { title: '$(go-to-file) Open hypothesis', command: 'circuitThermometer.openHypothesisOf', arguments: [document.uri], tooltip: 'The hypothesis file these results were made from' }),
    ];
  }
}
