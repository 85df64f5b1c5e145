// Which lenses a hypothesis file gets, read from its text without parsing it (the lens runs on every keystroke):
// a file whose top level has `scan:` in place of `circuit:` is an entanglement map's, not a sweep's.

/** A hypothesis whose top level has a `scan:` key (a key at column 0, not one nested under another). */
export function isScanText(text: string): boolean {
  return /^scan[ \t]*:/m.test(text);
}

/**
 * A hypothesis with `degradation.grid` (a two-dial map): a `grid:` key directly under the top-level `degradation:`
 * block (block or flow style), or a `"grid":` key in a JSON file.
 */
export function isGridText(text: string): boolean {
  if (/^\s*\{/.test(text)) return /"grid"\s*:/.test(text);
  let inDegradation = false;
  let indent = -1;
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*(#|$)/.test(line)) continue;
    const lead = /^[ \t]*/.exec(line)![0].length;
    if (lead === 0) {
      inDegradation = /^degradation[ \t]*:/.test(line);
      indent = -1;
      // Flow style: degradation: { dial: sgld, grid: { … } } (a `grid:` of a nested map is not at its top; rare).
      if (inDegradation && /\bgrid[ \t]*:/.test(line.replace(/^degradation[ \t]*:/, ''))) return true;
      continue;
    }
    if (!inDegradation) continue;
    if (indent < 0) indent = lead;
    if (lead === indent && /^[ \t]*grid[ \t]*:/.test(line)) return true;
  }
  return false;
}
