/**
 * Builds DOM elements from data. Text always goes in as text nodes, never as HTML, so
 * nothing an API or a person typed can become markup, and the page runs under the
 * Trusted Types policy in its Content-Security-Policy.
 */

type Child = Node | string | null | undefined | false;

type Attributes = Record<string, string | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) {
      element.setAttribute(name, '');
    } else if (typeof value === 'string') {
      element.setAttribute(name, value);
    }
  }
  element.append(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
  return element;
}

/** The element with this id; a missing one is a bug in index.html, so it fails loudly. */
export function byId<T extends Element>(id: string, type: abstract new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) {
    throw new Error(`index.html has no <${type.name}> with id "${id}"`);
  }
  return element;
}
