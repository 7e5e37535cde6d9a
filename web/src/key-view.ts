/**
 * The `Idempotency-Key` the next message is sent with: a fresh random key for each
 * composed message, editable, and checked on every keystroke by the Wasm core with the
 * rules the local gateway and the Lambda apply. Sending the same key again is a retry
 * the API deduplicates (see the history's "Send again (same key)").
 */
import { h } from './dom';

export class KeyView {
  private errors: string[] = [];

  constructor(
    private readonly input: HTMLInputElement,
    private readonly output: HTMLElement,
    private readonly check: (key: string) => string[],
    /** Called after every check, so the Send button can follow. */
    private readonly changed: () => void,
  ) {
    input.addEventListener('input', () => this.update());
  }

  get key(): string {
    return this.input.value;
  }

  get ok(): boolean {
    return this.errors.length === 0;
  }

  /** A new key for the next composed message. */
  renew(): void {
    this.input.value = newKey();
    this.update();
  }

  update(): void {
    this.errors = this.check(this.input.value);
    this.input.setAttribute('aria-invalid', String(!this.ok));
    this.output.replaceChildren(
      ...(this.ok
        ? [h('p', { class: 'hint' }, 'Send again with this key and the API makes no second record or notification.')]
        : this.errors.map((e) => h('p', { class: 'verdict bad' }, h('span', { 'aria-hidden': 'true' }, '✗ '), e))),
    );
    this.changed();
  }
}

/** A random UUID (crypto.randomUUID needs a secure context: localhost or HTTPS, as here). */
export function newKey(): string {
  return crypto.randomUUID();
}

/** SHA-256 of `body` as sent (UTF-8), lowercase hex: what the record's `body_sha256` holds. */
export async function sha256Hex(body: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
