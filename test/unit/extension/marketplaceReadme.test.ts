// The README the .vsix carries: the repository's README with its images embedded (the details page shows data:
// images, not packaged files), the editor's quick start instead of the clone's, and no link into the repository.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

describe('extension: the README of the details page', () => {
  it('embeds every image of README.md, opens with the editor\'s quick start, and links nowhere into the clone', async () => {
    const { marketplaceReadme } = await import('../../../scripts/marketplaceReadme.mjs');
    const source = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const out = marketplaceReadme(source, ROOT);
    const images = [...source.matchAll(/!\[([^\]]*)\]\(([^)\s]+)\)/g)].filter((m) => !/^https?:/.test(m[2]!));
    assert.ok(images.length >= 2, 'README.md has its screenshots');
    for (const [, alt, link] of images) {
      const embedded = new RegExp(`!\\[${alt!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\]\\(data:image/png;base64,([A-Za-z0-9+/=]+)\\)`).exec(out);
      assert.ok(embedded, `${link} is embedded`);
      assert.ok(Buffer.from(embedded[1]!, 'base64').equals(fs.readFileSync(path.join(ROOT, link!))), `${link}: the same bytes`);
    }
    const quick = out.slice(out.indexOf('## Quick start'), out.indexOf('\n## ', out.indexOf('## Quick start') + 3));
    assert.ok(/New Hypothesis from Model/.test(quick) && /Run sweep/.test(quick), quick);
    assert.ok(!/npm ci|fresh clone|npm run package|npm test/.test(out.slice(0, out.indexOf('## On the command line'))), 'no clone-only steps before the CLI section');
    assert.ok(!out.includes('## Testing'), 'the test commands are for the clone');
    const links = [...out.matchAll(/(?<!!)\[[^\]]+\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    assert.deepEqual(links.filter((l) => !/^(https?:|mailto:|#)/.test(l)), [], 'no relative link is left');
    assert.ok(out.includes('docs/method.md'), 'the method is still named');
  });
});
