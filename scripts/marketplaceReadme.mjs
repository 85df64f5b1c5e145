// The README the .vsix carries (the extension's details page in VS Code): README.md for someone who installed the
// extension, not someone who cloned the repository. Its images are embedded as data: URIs (the details page allows
// `img-src https: data:`, and a packaged file path is neither); the clone-only quick start and the test commands
// give way to the editor's own quick start; links into the repository become plain text (no page there to open).
import * as fs from 'node:fs';
import * as path from 'node:path';

const QUICK_START = `## Quick start

1. Open a folder that holds an ONNX model (\`.onnx\`) and its data as NumPy arrays (\`.npy\` / \`.npz\`) or JSON.
2. Right-click the model in the Explorer → **New Hypothesis from Model**, or write a \`*.circuit.yaml\` yourself:
   the editor checks it as you type, completes keys, choices, tensor names and data files, and explains every key
   on hover.
3. **Run sweep** (the CodeLens above the file, or *Circuit Thermometer: Run Sweep*): the sweep runs in worker
   processes, and the chart fills in level by level.

The repository's \`examples/\` (a grokked modular-arithmetic network, planted circuits) are ready to sweep.
`;

/** Sections (by their \`## \` heading) that only concern a clone of the repository. */
const CLONE_ONLY = new Set(['Testing']);

/**
 * @param {string} markdown README.md
 * @param {string} root the folder its relative links start at
 * @returns {string}
 */
export function marketplaceReadme(markdown, root) {
  const sections = markdown.split(/^(?=## )/m);
  const kept = sections.flatMap((s) => {
    const heading = /^## (.*)$/m.exec(s)?.[1]?.trim();
    if (heading === 'Quick start') {
      // Keep its image (the chart), replace the clone's commands.
      const images = s.match(/^!\[[^\]]*\]\([^)]+\)\s*$/gm) ?? [];
      return [`${QUICK_START}\n${images.join('\n')}\n\n`];
    }
    if (heading && CLONE_ONLY.has(heading)) return [];
    if (heading === 'In VS Code') return [s.replace(/^Install: `npm run package`[\s\S]*?\n\n/m, '')];
    return [s];
  });
  return kept.join('')
    .replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, (all, alt, link) => (isRelative(link) ? `![${alt}](${dataUri(path.join(root, link))})` : all))
    .replace(/(?<!!)\[([^\]]+)\]\(([^)\s]+)\)/g, (all, text, link) => (isRelative(link) ? (text.includes(link) || text.startsWith('`') ? text : `${text} (\`${link}\`)`) : all))
    .replace(/\n{3,}/g, '\n\n');
}

function isRelative(link) {
  return !/^[a-z][\w+.-]*:/i.test(link) && !link.startsWith('#');
}

const MIME = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif' };

function dataUri(file) {
  const mime = MIME[path.extname(file).toLowerCase()];
  if (!mime) throw new Error(`README image ${file}: only PNG, JPEG or GIF can be embedded (the details page refuses SVG)`);
  return `data:${mime};base64,${fs.readFileSync(file).toString('base64')}`;
}
