/**
 * Live validation of the message editor by the Wasm core (the same code the API's
 * handler runs): on every keystroke it shows the route the message will take, or each
 * field's problem, and keeps the Send button disabled while the message is invalid.
 */
import type { Contract, ValidationResult } from '../../wasm/pkg-web/private_ingest_wasm.js';
import { h } from './dom';

export class ValidationView {
  private current: ValidationResult = { ok: false, route: null, errors: [] };

  constructor(
    private readonly editor: HTMLTextAreaElement,
    private readonly output: HTMLElement,
    private readonly send: HTMLButtonElement,
    private readonly check: (body: string) => ValidationResult,
    private readonly contract: Contract,
    /** Whether the rest of the request (its Idempotency-Key) lets Send be used. */
    private readonly othersOk: () => boolean = () => true,
    /** Whether routing rules, not `Insert`, decide where a message goes (the rules view says). */
    private readonly routedByRules: () => boolean = () => false,
  ) {}

  /** Validates the editor's text and shows the verdict; returns it. */
  update(): ValidationResult {
    const body = this.editor.value;
    this.current = this.check(body);
    this.editor.setAttribute('aria-invalid', String(!this.current.ok));
    this.output.replaceChildren(...this.render(this.current, new TextEncoder().encode(body).length));
    this.output.classList.toggle('is-valid', this.current.ok);
    this.output.classList.toggle('is-invalid', !this.current.ok);
    this.send.disabled = !this.current.ok || !this.othersOk();
    return this.current;
  }

  private render(result: ValidationResult, bytes: number): Node[] {
    const size = h(
      'p',
      { class: 'size' },
      `${bytes.toLocaleString('en')} bytes of ${this.contract.limits.maxBodyBytes.toLocaleString('en')} allowed (256 KiB, the SQS message size limit).`,
    );
    if (result.ok) {
      const store = JSON.stringify(this.contract.storeInsertValue);
      const route = this.routedByRules()
        ? ['is ', h('strong', {}, 'routed by the rules in force'), ' (below).']
        : result.route === 'store'
          ? [h('strong', {}, 'will be stored'), ` as a record (Insert is ${store}).`]
          : [h('strong', {}, 'will send a notification'), ` (Insert is not ${store}, so no record is made).`];
      return [
        h('p', { class: 'verdict ok' }, h('span', { 'aria-hidden': 'true' }, '✓ '), 'Valid: this message ', ...route),
        size,
      ];
    }
    const count = result.errors.length;
    return [
      h(
        'p',
        { class: 'verdict bad' },
        h('span', { 'aria-hidden': 'true' }, '✗ '),
        `Not valid yet: fix ${count === 1 ? 'this problem' : `these ${count} problems`} to send.`,
      ),
      h('ul', { class: 'field-errors' }, ...result.errors.map(fieldError)),
      size,
    ];
  }
}

/** `/Insert: expected a string, found number` as a list item: the field in bold, then the problem. */
export function fieldError(line: string): HTMLLIElement {
  const split = line.indexOf(': ');
  if (split < 0) {
    return h('li', {}, line);
  }
  return h('li', {}, h('span', { class: 'field' }, `${fieldName(line.slice(0, split))}:`), ' ', line.slice(split + 2));
}

/** A JSON Pointer as a person reads it: `/` is the whole message, `/data/a~1b` is `data › a/b`. */
function fieldName(pointer: string): string {
  if (pointer === '/' || pointer === '') {
    return 'Message';
  }
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'))
    .join(' › ');
}
