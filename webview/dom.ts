// A small element builder: text goes in as text nodes (never parsed as HTML), attributes as given.

type Child = Node | string;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string>, children?: Child | Child[]): HTMLElementTagNameMap[K];
export function el(tag: string, attrs?: Record<string, string>, children?: Child | Child[]): HTMLElement;
export function el(tag: string, attrs: Record<string, string> = {}, children: Child | Child[] = []): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of Array.isArray(children) ? children : [children]) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

/** An SVG element (sparklines). */
export function svg(tag: string, attrs: Record<string, string> = {}, children: Node[] = []): SVGElement {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}
