/** The entanglement chart: a Plotly figure from a results document (pure; safe in the webview), and an HTML page. */
export { buildFigure, collateralTolerance, escapeHtml, interpolateLossGap, interval95, levelX, PANELS, persistenceThreshold, SHAPE, TRACE, withHeadroom, Z95 } from './figure';
export type { ChartDocument, ChartOptions, ChartXAxis, Figure } from './figure';
export { formatEstimate, formatLevel, formatNumber, verdictExtras } from './format';
export { chartPageHtml, scriptSafe } from './page';
export type { ChartPageOptions } from './page';
export { darkTheme, lightTheme, withAlpha } from './theme';
export type { ChartTheme } from './theme';
