// A circuit hypothesis from units picked on an entanglement map: the scan file's own text with its `scan:` block
// replaced by a `circuit:` of the picked units (one component per scanned tensor that has any), so every other
// setting — data, loss, intervention, degradation, verdict, comments — stays as the user wrote it, and its relative
// paths stay right when the new file is written beside the scan file.
import * as nodePath from 'node:path';
import { isMap, parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import type { CircuitComponent, ScanComponent } from '../protocol/hypothesis';

/** The units picked from one scanned tensor. */
export interface PickedUnits {
  component: ScanComponent;
  units: number[];
}

/** The picked units as circuit components: one per tensor row, units sorted and unique. */
export function pickedComponents(picked: readonly PickedUnits[]): CircuitComponent[] {
  return picked.filter((p) => p.units.length > 0).map(({ component: c, units }) => ({
    tensor: c.tensor, axis: c.axis, units: [...new Set(units)].sort((a, b) => a - b),
    ...(c.groupSize && c.groupSize > 1 ? { groupSize: c.groupSize } : {}), ...(c.positions ? { positions: [...c.positions] } : {}),
  }));
}

/**
 * The text of a hypothesis file for `picked`, from the scan file's text (YAML, or JSON when `format` says so).
 * Throws when the text has no `scan:` mapping or nothing is picked.
 */
export function hypothesisFromScan(scanText: string, picked: readonly PickedUnits[], name: string, format: 'yaml' | 'json' = 'yaml'): string {
  const components = pickedComponents(picked);
  if (components.length === 0) throw new Error('no unit is selected: pick at least one unit on the map');
  const circuit = { name, components };
  if (format === 'json') {
    const doc = JSON.parse(scanText) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(doc)) {
      if (k === 'scan') out.circuit = circuit;
      else out[k] = v;
    }
    return `${JSON.stringify(out, null, 2)}\n`;
  }
  const doc = parseDocument(scanText);
  if (doc.errors.length > 0) throw new Error(`the scan file is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const root = doc.contents;
  if (!isMap(root) || !root.has('scan')) throw new Error('the scan file has no `scan:` block to turn into a circuit');
  const index = root.items.findIndex((p) => (p.key as { value?: unknown } | null)?.value === 'scan');
  const node = doc.createNode({ circuit }) as YAMLMap;
  // Flow style per component, as the shipped examples write them: one line each.
  for (const c of ((node.get('circuit') as YAMLMap).get('components') as YAMLSeq).items) (c as YAMLMap).flow = true;
  (root.items as unknown[]).splice(index, 1, node.items[0]!);
  const picks = components.map((c) => `${c.tensor}: ${c.units.join(', ')}`).join('; ');
  doc.commentBefore = ` Picked on the entanglement map (${picks}).\n${doc.commentBefore ?? ''}`.trimEnd();
  return doc.toString({ lineWidth: 120 });
}

/** A new file name beside `scanFile` for the picked units, not yet taken (`exists` tells). */
export function pickedFileName(scanFile: string, picked: readonly PickedUnits[], exists: (file: string) => boolean, format: 'yaml' | 'json' = 'yaml'): string {
  const dir = nodePath.dirname(scanFile);
  const stem = nodePath.basename(scanFile).replace(/(\.circuit)?\.(ya?ml|json)$/i, '');
  const tag = pickedComponents(picked).map((c) => `${(c.tensor.split(/[./]/).filter(Boolean).slice(-2).join('-') || 't').replace(/[^A-Za-z0-9_-]/g, '')}-${c.units.slice(0, 4).join('-')}${c.units.length > 4 ? `-and-${c.units.length - 4}` : ''}`).join('_');
  for (let k = 0; ; k++) {
    const file = nodePath.join(dir, `${stem}.${tag.slice(0, 80)}${k > 0 ? `-${k + 1}` : ''}.circuit.${format}`);
    if (!exists(file)) return file;
  }
}
