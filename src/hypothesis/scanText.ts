// Which lenses a hypothesis file gets, read from its text without parsing it (the lens runs on every keystroke):
// a file whose top level has `scan:` in place of `circuit:` is an entanglement map's, not a sweep's.

/** A hypothesis whose top level has a `scan:` key (a key at column 0, not one nested under another). */
export function isScanText(text: string): boolean {
  return /^scan[ \t]*:/m.test(text);
}
