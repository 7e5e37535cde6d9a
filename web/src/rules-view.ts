/**
 * The routing rules in force (the local stack's `GET rules`, the cloud's
 * `routing-rules.json` beside the page) and, as the message is typed, what they do with
 * it: which rules fire, whether a record is written and a notification sent, and its
 * subject. The same core the handler runs decides it (Wasm `previewRules`), so what the
 * page says is what the handler will do.
 */
import type { RuleLine, RulesInForceView, RulesPreview } from '../../wasm/pkg-web/private_ingest_wasm.js';
import { h } from './dom';

/** The rules in force, once read: the compact document for previews, or none. */
export interface RulesInForce {
  /** The document as compact JSON; null: the routing on `Insert`. */
  readonly rules: string | null;
  readonly notificationIncludesData: boolean;
}

export interface RulesElements {
  /** The panel listing the rules in force. */
  readonly section: HTMLElement;
  readonly summary: HTMLElement;
  readonly list: HTMLOListElement;
  /** Under the editor: what the rules do with the message. */
  readonly preview: HTMLElement;
}

export class RulesView {
  private inForce: RulesInForce | null = null;

  constructor(
    private readonly elements: RulesElements,
    private readonly read: (text: string) => RulesInForceView,
    private readonly previewOf: (rules: string | null, body: string, includesData: boolean) => RulesPreview,
  ) {}

  /** Whether routing rules (not `Insert`) decide where messages go. */
  get active(): boolean {
    return this.inForce?.rules != null;
  }

  /** Shows the rules of `text` (null: the stack did not say); returns whether rules are in force. */
  show(text: string | null): boolean {
    const { section, summary, list } = this.elements;
    section.hidden = false;
    if (text === null) {
      summary.textContent = 'The rules in force could not be read; messages are previewed by their Insert value.';
      return false;
    }
    const view = this.read(text);
    if (!view.ok) {
      summary.textContent = `The rules in force could not be read: ${view.errors.join('; ')}`;
      return false;
    }
    this.inForce = { rules: view.rules, notificationIncludesData: view.notificationIncludesData };
    if (view.rules === null) {
      summary.textContent =
        'No routing rules: Insert "DynamoDB" stores a record, any other value sends a notification (the original routing).';
      list.replaceChildren();
      return false;
    }
    const count = view.lines.length;
    summary.textContent =
      `${count} rule${count === 1 ? '' : 's'} in force; the actions of every rule that fires add up. ` +
      `A message no rule fires for: ${actions(view.otherwise)}.` +
      (view.notificationIncludesData ? '' : ' Subjects show (withheld) for values: notifications carry ids only here.');
    list.replaceChildren(...view.lines.map(ruleItem));
    return true;
  }

  /** What the rules do with `body`; null when no rules are in force (the validation view says it). */
  update(body: string): RulesPreview | null {
    const { preview } = this.elements;
    if (!this.active || this.inForce === null) {
      preview.hidden = true;
      preview.replaceChildren();
      return null;
    }
    const result = this.previewOf(this.inForce.rules, body, this.inForce.notificationIncludesData);
    preview.hidden = !result.valid;
    preview.replaceChildren(...(result.valid ? describe(result) : []));
    return result;
  }
}

function actions(names: readonly string[]): string {
  const words = names.map((n) => (n === 'store' ? 'a record' : 'a notification'));
  return words.length === 0 ? 'nothing' : words.join(' and ');
}

function ruleItem(rule: RuleLine): HTMLLIElement {
  return h(
    'li',
    { 'data-rule': rule.name },
    h('strong', {}, rule.name),
    ' ',
    h('span', { class: `severity severity-${rule.severity}` }, rule.severity),
    h('br'),
    h('code', {}, rule.when),
    ` → ${actions(rule.then)}`,
    rule.subject === null ? null : h('span', { class: 'muted' }, ` · subject: ${rule.subject}`),
    rule.description === null ? null : h('p', { class: 'hint' }, rule.description),
  );
}

/** The preview's sentence: the rules that fire and what happens. */
function describe(result: RulesPreview): Node[] {
  const what = [result.store ? 'a record' : null, result.notify ? 'a notification' : null].filter((w) => w !== null);
  const fired =
    result.fired.length === 0
      ? 'No rule fires'
      : `${result.fired.length === 1 ? 'Rule' : 'Rules'} ${result.fired.map((r) => `${r.name} (${r.severity})`).join(', ')} ${
          result.fired.length === 1 ? 'fires' : 'fire'
        }`;
  const nodes: Node[] = [h('p', { class: 'verdict' }, `${fired}: this message makes `, h('strong', {}, what.join(' and ')), '.')];
  if (result.notify && result.subject !== null) {
    nodes.push(h('p', { class: 'hint' }, 'Notification subject: ', h('code', {}, result.subject)));
  }
  return nodes;
}
