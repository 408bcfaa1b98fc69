/** What {@link h} accepts as a child: text is always inserted as text, never parsed as markup. */
export type Child = Node | string | number | null | undefined | false;

/**
 * Creates an element with attributes and children. Strings become text nodes (the app never sets
 * `innerHTML`, so names, chat and file names from peers cannot inject markup).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string | boolean>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  element.append(...toNodes(children));
  return element;
}

/** Replaces an element's children. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...toNodes(children));
}

function toNodes(children: readonly Child[]): Array<Node | string> {
  const nodes: Array<Node | string> = [];
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    nodes.push(typeof child === 'number' ? String(child) : child);
  }
  return nodes;
}
