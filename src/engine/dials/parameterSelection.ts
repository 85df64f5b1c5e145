// Weight-restricted tempering: which of the degradable weights a dial samples, chosen by globs on their names
// (`parameters: { include, exclude }` in the hypothesis, `--parameters` on `llc`). The rest stay at w*.
//
// Globs: `**` matches any run of characters, `*` any run without `.` or `/` (the separators of PyTorch and ONNX
// exporter names: `blocks.0.attn.W_Q`, `/mlp/fc1/MatMul`), `?` one such character; everything else is literal.
import type { DialKind, ParameterSelection } from '../../protocol/hypothesis';
import { DIAL_KINDS, DIALS } from '../../protocol/dials';

/** The dials that degrade weights, and so can be restricted to some. */
export const RESTRICTABLE_DIALS: readonly DialKind[] = DIAL_KINDS.filter((k) => DIALS[k].restrictable);

export interface UnmatchedPattern {
  list: 'include' | 'exclude';
  index: number;
  pattern: string;
}

export interface SelectedParameters<T extends { name: string }> {
  selected: T[];
  /** Patterns that match no degradable weight (a typo, or a name that is not a weight). */
  unmatched: UnmatchedPattern[];
}

export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') { source += '.*'; i++; }
    else if (c === '*') source += '[^./]*';
    else if (c === '?') source += '[^./]';
    else source += c.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The weights that match some `include` pattern (all, when there is none) and no `exclude` pattern, in order. */
export function selectParameters<T extends { name: string }>(all: readonly T[], selection: ParameterSelection | undefined): SelectedParameters<T> {
  if (!selection) return { selected: [...all], unmatched: [] };
  const include = (selection.include ?? []).map(globToRegExp);
  const exclude = (selection.exclude ?? []).map(globToRegExp);
  const unmatched: UnmatchedPattern[] = [];
  const check = (list: 'include' | 'exclude', patterns: readonly string[], res: RegExp[]) => res.forEach((re, index) => {
    if (!all.some((p) => re.test(p.name))) unmatched.push({ list, index, pattern: patterns[index]! });
  });
  check('include', selection.include ?? [], include);
  check('exclude', selection.exclude ?? [], exclude);
  const selected = all.filter((p) => (include.length === 0 || include.some((re) => re.test(p.name))) && !exclude.some((re) => re.test(p.name)));
  return { selected, unmatched };
}
