/** The entanglement chart: a Plotly figure from a results document (pure; safe in the webview), and an HTML page. */
export { ANNOTATION, buildFigure, collateralTolerance, escapeHtml, interpolateLossGap, interval95, levelSymbol, levelX, NULL_NAME, PANELS, persistenceThreshold, SHAPE, TRACE, withHeadroom, Z95 } from './figure';
export type { ChartDocument, ChartOptions, ChartXAxis, Figure } from './figure';
export {
  calibrationShort, calibrationText, describeConvergence, failedTests, formatConvergence, formatEstimate, formatFailed, formatLevel, formatNumber, formatSe,
  inconclusiveText, isVersion1, judgedV2, levelCells, levelTableHeader, NO_NULL_V1, NO_NULL_V2, unconverged, verdictExtras, worstRhat,
} from './format';
export { chartPageHtml, scriptSafe } from './page';
export type { ChartPageOptions } from './page';
export { darkTheme, lightTheme, withAlpha } from './theme';
export type { ChartTheme } from './theme';
