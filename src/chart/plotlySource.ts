// Node only (not for the webview bundle): the text of plotly.js to inline into a self-contained page.
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * plotly.js from the `plotly.js-dist` package (a dependency, so it is in node_modules beside the bundle),
 * or `plotly.js` copied beside the running script when the package is not there.
 */
export function readPlotlySource(): string {
  const candidates: string[] = [];
  try {
    candidates.push(require.resolve('plotly.js-dist'));
  } catch {
    // not installed: try beside the bundle
  }
  candidates.push(path.join(__dirname, 'plotly.js'));
  for (const file of candidates) {
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  }
  throw new Error(`plotly.js not found (looked for ${candidates.join(', ')}); install the plotly.js-dist package`);
}
