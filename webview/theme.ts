// The chart's colours from the `--vscode-*` variables VS Code sets on the webview, so the chart follows the
// light, dark and high-contrast themes. Falls back to the chart module's defaults when a variable is missing.
import { type ChartTheme, darkTheme, lightTheme } from '../src/chart/theme';

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export function themeKind(body: HTMLElement = document.body): ThemeKind {
  const c = body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  return c.contains('vscode-dark') ? 'dark' : 'light';
}

export function readTheme(body: HTMLElement = document.body): ChartTheme {
  const css = getComputedStyle(body);
  const fallback = themeKind(body) === 'dark' || themeKind(body) === 'high-contrast' ? darkTheme : lightTheme;
  const v = (names: string[], dflt: string): string => {
    for (const n of names) {
      const value = css.getPropertyValue(n).trim();
      if (value) return value;
    }
    return dflt;
  };
  return {
    foreground: v(['--vscode-editor-foreground', '--vscode-foreground'], fallback.foreground),
    background: v(['--vscode-editor-background'], fallback.background),
    grid: v(['--vscode-charts-lines', '--vscode-editorWidget-border', '--vscode-panel-border'], fallback.grid),
    target: v(['--vscode-charts-blue'], fallback.target),
    collateral: v(['--vscode-charts-red'], fallback.collateral),
    lossGap: v(['--vscode-charts-foreground', '--vscode-descriptionForeground'], fallback.lossGap),
    llc: v(['--vscode-charts-purple'], fallback.llc),
    cleanWindow: v(['--vscode-charts-green'], fallback.cleanWindow),
    marker: v(['--vscode-descriptionForeground', '--vscode-foreground'], fallback.marker),
    warning: v(['--vscode-editorWarning-foreground', '--vscode-list-warningForeground', '--vscode-charts-yellow'], fallback.warning),
  };
}

/** Calls `onChange` whenever VS Code switches the theme (it rewrites the body's classes and style). */
export function watchTheme(onChange: () => void): void {
  new MutationObserver(onChange).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
}
