// Plotly writes styles two ways that a nonce-only `style-src` refuses: <style> elements it creates for its global
// rules, and `style="…"` attributes on the tspans of rich text (<b>, <sup> in titles). Rather than loosen the policy
// with 'unsafe-inline', created <style> elements get the page's nonce, and style attributes go through the CSSOM
// (`element.style.cssText`), which CSP does not govern. Scripts need no exception: no bundled code evaluates
// strings on the paths we use (scatter traces, SVG, toImage), so the policy has no 'unsafe-eval'.
export function installCspShims(nonce: string): void {
  const create = Document.prototype.createElement;
  Document.prototype.createElement = function (this: Document, tagName: string, options?: ElementCreationOptions): HTMLElement {
    const el = create.call(this, tagName, options);
    if (el instanceof HTMLStyleElement) el.nonce = nonce;
    return el;
  } as typeof Document.prototype.createElement;

  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (this: Element, name: string, value: string): void {
    if (name.toLowerCase() === 'style' && (this instanceof HTMLElement || this instanceof SVGElement)) {
      this.style.cssText = String(value);
      return;
    }
    setAttribute.call(this, name, value);
  };
  // Lit (under @vscode-elements) adopts constructed style sheets, and falls back to <style nonce=litNonce>.
  (window as unknown as { litNonce: string }).litNonce = nonce;
}

/** The nonce of the script element that loaded this bundle (set by the host's HTML). */
export function currentNonce(): string {
  const script = document.currentScript as HTMLScriptElement | null;
  return script?.nonce ?? document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce ?? '';
}
