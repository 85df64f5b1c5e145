// Where the chart's text labels go so that they stay inside the plot and apart: the t_ent / t_surv labels above
// the top panel, each anchored at its line (centred, or growing away from the nearer edge or from its neighbour),
// and stacked on a second row when two would still touch; the inside labels (window, t_W, "behaviour gone") grow
// inwards near an edge. Positions are estimated from the figure's size, as Plotly will lay it out.

/** Average width of a character of Plotly's default font, in px per px of font size. */
export const CHAR_WIDTH = 0.58;

export type Anchor = 'left' | 'center' | 'right';

export interface LabelRequest {
  /** Where the label's line stands, as a fraction of the plot's width (0 = left edge). */
  at: number;
  text: string;
  fontSize: number;
}

export interface LabelPlacement {
  anchor: Anchor;
  /** 0: first row, just above the plot; 1: the row above it. */
  row: number;
}

/** The label's width in px (estimated). */
export function labelWidth(text: string, fontSize: number): number {
  return text.length * fontSize * CHAR_WIDTH + 6;
}

/** [left, right] in px of a label anchored at `x` px. */
function span(x: number, width: number, anchor: Anchor): [number, number] {
  return anchor === 'left' ? [x, x + width] : anchor === 'right' ? [x - width, x] : [x - width / 2, x + width / 2];
}

/**
 * Places labels (in the order given) in a plot `plotWidth` px wide: the first anchor among centre, away from the
 * nearer edge, and towards it that keeps the label inside the plot and clear (by `gap` px) of the labels already on
 * that row; else the next row.
 */
export function placeLabels(labels: readonly LabelRequest[], plotWidth: number, gap = 6): LabelPlacement[] {
  const rows: [number, number][][] = [];
  const centred = labels.map((l) => span(Math.min(1, Math.max(0, l.at)) * plotWidth, labelWidth(l.text, l.fontSize), 'center'));
  const clash = (i: number, side: 1 | -1) => labels.some((o, j) => j !== i && Math.sign(o.at - labels[i]!.at) === side
    && centred[i]![0] < centred[j]![1] + gap && centred[j]![0] < centred[i]![1] + gap);
  return labels.map((l, i) => {
    const x = Math.min(1, Math.max(0, l.at)) * plotWidth;
    const w = labelWidth(l.text, l.fontSize);
    // A label whose centred neighbour would touch it grows away from that neighbour first.
    const order: Anchor[] = clash(i, 1) ? ['right', 'center', 'left'] : clash(i, -1) ? ['left', 'center', 'right']
      : l.at < 0.5 ? ['center', 'left', 'right'] : ['center', 'right', 'left'];
    const inside = order.filter((a) => {
      const [lo, hi] = span(x, w, a);
      return lo >= 0 && hi <= plotWidth;
    });
    const anchors = inside.length > 0 ? inside : [l.at < 0.5 ? 'left' as const : 'right' as const];
    for (let row = 0; ; row++) {
      rows[row] ??= [];
      const taken = rows[row]!;
      const free = anchors.find((a) => {
        const [lo, hi] = span(x, w, a);
        return taken.every(([a0, a1]) => hi + gap <= a0 || lo >= a1 + gap);
      });
      if (free) {
        taken.push(span(x, w, free));
        return { anchor: free, row };
      }
    }
  });
}

/** The anchor of a label inside the plot at fraction `at` of its width: centred unless it would cross an edge. */
export function insideAnchor(at: number, text: string, fontSize: number, plotWidth: number): Anchor {
  const half = labelWidth(text, fontSize) / 2 / Math.max(1, plotWidth);
  return at - half < 0 ? 'left' : at + half > 1 ? 'right' : 'center';
}
