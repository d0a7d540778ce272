/** Small DOM helpers: every text from a model file goes in as text, never as HTML. */

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

/** A table with a header row; cells are text. */
export function table(head: string[], rows: Array<Array<string | number | Node>>, attrs: Record<string, string> = {}): HTMLTableElement {
  return el(
    'table',
    attrs,
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c instanceof Node ? c : String(c)))))),
  );
}

/** 1,234,567 */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** [null, 16] → "[null, 16]" (nested shapes for several outputs). */
export function shape(s: unknown): string {
  return s === null ? '—' : JSON.stringify(s).replace(/,/g, ', ');
}

export function numbers(values: number[], digits = 4): string {
  return values.map((v) => v.toFixed(digits)).join(', ');
}

/** Replaces the children of the element with id `id`. */
export function fill(id: string, ...children: Array<Node | string>): HTMLElement {
  const node = document.getElementById(id) as HTMLElement;
  node.replaceChildren(...children);
  return node;
}

export function show(id: string, visible = true): void {
  (document.getElementById(id) as HTMLElement).hidden = !visible;
}
