/**
 * DOM helpers of the page script. Data only ever goes into the page through textContent and
 * setAttribute, never as HTML.
 */
export const doc = document;

export function $<E extends Element = HTMLElement>(selector: string, root: ParentNode = doc): E | null {
  return root.querySelector<E>(selector);
}

export function $$<E extends Element = HTMLElement>(selector: string, root: ParentNode = doc): E[] {
  return Array.from(root.querySelectorAll<E>(selector));
}

export function setText(el: Element | null, text: string): void {
  if (el && el.textContent !== text) el.textContent = text;
}

export function make<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string | null, text?: string | null): HTMLElementTagNameMap[K] {
  const el = doc.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined && text !== null) el.textContent = text;
  return el;
}

/** The element matching `selector` that an event started in (or inside of). */
export function targetOf<E extends Element = HTMLElement>(ev: Event, selector: string): E | null {
  return ev.target instanceof Element ? ev.target.closest<E>(selector) : null;
}

/** The first element with `attribute` equal to `value` (values are data: never put into a selector). */
export function byAttribute(selector: string, attribute: string, value: string): HTMLElement | null {
  return $$(selector).find((el) => el.getAttribute(attribute) === value) ?? null;
}

/** The page's JSON data block `<script type="application/json" id="…">`, or `fallback`. */
export function jsonData<T>(id: string, fallback: T): T {
  try {
    return JSON.parse(doc.getElementById(id)?.textContent ?? '') as T;
  } catch {
    return fallback;
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}
