// A small element builder. Text always goes in through text nodes and
// attributes through setAttribute, so nothing here parses HTML: names,
// messages and file names from the server cannot inject markup or script.

type Child = Node | string | number | null | undefined | false;

export interface ElementOptions {
  className?: string;
  testId?: string;
  text?: string;
  attributes?: Record<string, string | number | boolean | null | undefined>;
  dataset?: Record<string, string>;
  on?: Partial<{ [Type in keyof HTMLElementEventMap]: (event: HTMLElementEventMap[Type]) => void }>;
}

export function element<Tag extends keyof HTMLElementTagNameMap>(
  tag: Tag,
  options: ElementOptions = {},
  children: Child[] = [],
): HTMLElementTagNameMap[Tag] {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.testId) node.dataset.testid = options.testId;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attributes ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const [name, value] of Object.entries(options.dataset ?? {})) {
    node.dataset[name] = value;
  }
  for (const [type, listener] of Object.entries(options.on ?? {})) {
    node.addEventListener(type, listener as EventListener);
  }
  appendChildren(node, children);
  return node;
}

export function appendChildren(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** Builds a label wrapping its caption and control, so clicking the caption focuses the control. */
export function field(caption: string, control: HTMLElement): HTMLLabelElement {
  return element("label", { className: "field" }, [
    element("span", { className: "field-caption", text: caption }),
    control,
  ]);
}

export function option(value: string, text: string, selected = false): HTMLOptionElement {
  const node = element("option", { text, attributes: { value } });
  node.selected = selected;
  return node;
}
