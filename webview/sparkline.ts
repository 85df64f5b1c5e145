// A run's small chart in the runs view: target and collateral effect against the level, as SVG path data.
// Pure (no DOM), so it is tested in Node.

export interface SparkSeries {
  level: number[];
  target: number[];
  collateral: number[];
}

export interface SparkPaths {
  target: string;
  collateral: string;
  /** y of the zero line (the range always includes zero). */
  zeroY: number;
}

/** Path data in a `width`×`height` box with `pad` pixels inside the border; x is log-scaled when all levels are > 0. */
export function sparklinePaths(s: SparkSeries, width: number, height: number, pad = 2): SparkPaths {
  const n = Math.min(s.level.length, s.target.length, s.collateral.length);
  const logX = n > 0 && s.level.slice(0, n).every((l) => l > 0);
  const xs = s.level.slice(0, n).map((l) => (logX ? Math.log10(l) : l));
  const ys = [...s.target.slice(0, n), ...s.collateral.slice(0, n)].filter(Number.isFinite);
  if (n === 0 || ys.length === 0) return { target: '', collateral: '', zeroY: height / 2 };
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(0, ...ys), Math.max(0, ...ys)];
  const sx = (x: number) => pad + (x1 === x0 ? (width - 2 * pad) / 2 : ((x - x0) / (x1 - x0)) * (width - 2 * pad));
  const sy = (y: number) => height - pad - (y1 === y0 ? (height - 2 * pad) / 2 : ((y - y0) / (y1 - y0)) * (height - 2 * pad));
  const path = (values: number[]): string => {
    let d = '';
    let pen = false;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(values[i])) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${round(sx(xs[i]))},${round(sy(values[i]))}`;
      pen = true;
    }
    return d;
  };
  return { target: path(s.target), collateral: path(s.collateral), zeroY: round(sy(0)) };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
