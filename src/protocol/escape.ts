// One escaping function per sink a string from a file can reach: HTML (the chart pages, Plotly's hover text),
// Markdown (hovers, completion documentation, the model page) and a terminal (the CLI's and the worker's
// messages). Every name, error or path taken from a model, a hypothesis, a journal, a shard or a results file goes
// through the one for where it is shown (SECURITY.md).

// C0 and C1 controls, DEL, the line and paragraph separators and the bidirectional overrides and isolates.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Terminal: control characters (ANSI and OSC escapes, newlines, NUL, bidi overrides) shown as `\xNN` / `\uNNNN`. */
export function escapeTerminal(s: string): string {
  return s.replace(CONTROLS, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Whole lines for a terminal: as `escapeTerminal`, but line breaks and tabs kept. Everything the CLI prints goes
 * through it, so a name, a path or an error string from a file (a journal's, a shard's) cannot move the cursor,
 * retitle the window, clear the screen or plant an OSC 8 link.
 */
export function escapeTerminalLines(s: string): string {
  return s.replace(CONTROLS, (c) => (c === '\n' || c === '\t' ? c : escapeTerminal(c)));
}

/** HTML text and quoted attribute values: `& < > " '` as entities. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}
const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Markdown text: control characters shown as in a terminal (so no line break can end a paragraph or a table row),
 * then every ASCII punctuation character backslash-escaped, so nothing in it is markup: no image, link, autolink
 * (`https\:` is not a URL), HTML tag, entity, emphasis or table cell border.
 */
export function escapeMarkdown(s: string): string {
  return escapeTerminal(s).replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/**
 * Markdown code span of `s`: literal inside (no link, image or tag is parsed there). Control characters are shown
 * escaped (a line break would end the span), backticks become `'` (one would close it) and, in a table cell, `|`
 * is escaped (GFM splits cells on it even inside a code span).
 */
export function markdownCode(s: string, options: { table?: boolean } = {}): string {
  const inner = escapeTerminal(s).replace(/`/g, "'");
  return `\`${options.table ? inner.replace(/\|/g, '\\|') : inner}\``;
}
