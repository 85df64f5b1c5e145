// The README's induction chart: docs/images/induction-chart.png, a screenshot of the chart page that
// `npm run demo -- induction` writes for hypothesis (a) (the CLI's HTML page, not the editor's webview that the e2e
// docs scenario photographs for the modular chart).
// Run: npm run demo -- induction && npx tsx examples/induction/scripts/chart.ts
import * as fs from 'fs';
import * as path from 'path';
import { chartPagePng } from './figures';
import { EXAMPLE_DIR } from './heads';

const page = path.join(EXAMPLE_DIR, 'out', 'induction-circuit.html');
const image = path.resolve(EXAMPLE_DIR, '../../docs/images/induction-chart.png');

if (!fs.existsSync(page)) {
  console.error(`${path.relative(process.cwd(), page)} does not exist: run npm run demo -- induction first`);
  process.exit(1);
}
chartPagePng(page, image).then(() => console.log(`wrote ${path.relative(process.cwd(), image)}`), (e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
