// What a *Calibrate Sampler* grid of a hypothesis file depends on, as one string, so the editor can tell whether a
// recommendation it keeps still describes the file. The grid reads the model, the data, the loss, the weights and
// the degradation settings (temperatures, batch size, localization, nβ, seed), not the circuit, the intervention,
// the controls or the verdict; and not the step size itself (it tries its own), so writing the recommendation does
// not make it stale. Values are compared, not text: a comment or a reflowed map changes nothing.
import { parseText, type PNode } from './parse';

/** Top-level sections the grid does not read. Anything else (new sections too) counts. */
const NOT_READ = new Set(['circuit', 'intervention', 'controls', 'verdict']);

type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

function plain(n: PNode): Plain {
  if (n.kind === 'scalar') return n.value;
  if (n.kind === 'seq') return n.items.map(plain);
  return Object.fromEntries(n.entries.map((e) => [e.key, plain(e.value)]));
}

/** The calibration's inputs in `text`; a file that does not parse is its own text (any edit then counts). */
export function calibrationInputs(text: string, file: string): string {
  const root = parseText(text, file).root;
  if (root?.kind !== 'map') return `unparsed:${text}`;
  const kept: Record<string, Plain> = {};
  for (const e of root.entries) {
    if (NOT_READ.has(e.key)) continue;
    const value = plain(e.value);
    if (e.key === 'degradation' && isMap(value) && isMap(value.sgld)) {
      const { stepSize: _written, ...sgld } = value.sgld;
      kept[e.key] = { ...value, sgld };
    } else kept[e.key] = value;
  }
  return JSON.stringify(kept);
}

function isMap(v: Plain | undefined): v is { [key: string]: Plain } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
