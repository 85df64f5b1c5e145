// Colours of the entanglement chart. The extension fills a theme from `--vscode-*` variables; the CLI's page
// carries the light and dark defaults below and picks one by `prefers-color-scheme`.

export interface ChartTheme {
  foreground: string;
  background: string;
  grid: string;
  /** Accent colours, one per quantity; bands use the same colour, translucent. */
  target: string;
  collateral: string;
  lossGap: string;
  llc: string;
  cleanWindow: string;
  /** Vertical markers (t_ent, t_surv, Watanabe temperature) and threshold lines; the null (matched random sets). */
  marker: string;
  /** The calibration warning (these settings cannot tell circuits from random units). */
  warning: string;
}

export const lightTheme: ChartTheme = {
  foreground: '#1f2328',
  background: '#ffffff',
  grid: '#d8dee4',
  target: '#0969da',
  collateral: '#cf222e',
  lossGap: '#6e7781',
  llc: '#8250df',
  cleanWindow: '#1a7f37',
  marker: '#57606a',
  warning: '#9a6700',
};

export const darkTheme: ChartTheme = {
  foreground: '#e6edf3',
  background: '#0d1117',
  grid: '#30363d',
  target: '#58a6ff',
  collateral: '#ff7b72',
  lossGap: '#8b949e',
  llc: '#d2a8ff',
  cleanWindow: '#3fb950',
  marker: '#8b949e',
  warning: '#d29922',
};

/**
 * The colour with the given opacity, as `rgba(...)`: accepts `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb()` and
 * `rgba()` (the forms VS Code theme variables take). Anything else (a colour name) is returned unchanged.
 */
export function withAlpha(colour: string, alpha: number): string {
  const c = colour.trim();
  const hex = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(c);
  if (hex) {
    let h = hex[1];
    if (h.length <= 4) h = [...h].map((d) => d + d).join('');
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
    const a = h.length === 8 ? parseInt(h.slice(6, 8), 16) / 255 : 1;
    return `rgba(${r}, ${g}, ${b}, ${round3(a * alpha)})`;
  }
  const fn = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$/i.exec(c);
  if (fn) {
    const a = fn[4] === undefined ? 1 : Number(fn[4]);
    return `rgba(${fn[1]}, ${fn[2]}, ${fn[3]}, ${round3(a * alpha)})`;
  }
  return c;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
