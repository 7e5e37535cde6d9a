/**
 * The messages sent from this page, newest first, each with its current state and what
 * the API and the handler said about it (ids, record, notification, errors). Each entry
 * can be sent again with the same `Idempotency-Key`, which shows the dedupe: the retry's
 * entry says "Already stored" and links the one record.
 */
import { h } from './dom';
import { describeState, type MessageState } from './message-state';
import { fieldError } from './validation-view';

export interface HistoryEntry {
  readonly sentAt: Date;
  readonly body: string;
  readonly route: 'store' | 'notify';
  /** The `Idempotency-Key` it was sent with. */
  readonly key: string;
  messageId?: string;
  requestId?: string;
  /** The record's id the API named (the key, or the message id). */
  recordId?: string;
  state: MessageState;
}

export class HistoryView {
  private readonly items = new Map<HistoryEntry, HTMLLIElement>();

  constructor(
    private readonly list: HTMLOListElement,
    private readonly empty: HTMLElement,
    /** Sends the entry's body again with its key (a client's retry). */
    private readonly sendAgain: (entry: HistoryEntry) => void,
  ) {}

  add(entry: HistoryEntry): void {
    const item = this.render(entry);
    this.items.set(entry, item);
    this.list.prepend(item);
    this.empty.hidden = true;
  }

  /** Shows the entry's current state in place. */
  update(entry: HistoryEntry): void {
    const old = this.items.get(entry);
    if (old === undefined) {
      return;
    }
    const item = this.render(entry);
    // A part a person already opened or closed keeps that state across updates.
    const before = new Map([...old.querySelectorAll('details')].map((d) => [d.dataset['part'], d.open]));
    item.querySelectorAll('details').forEach((d) => (d.open = before.get(d.dataset['part']) ?? d.open));
    // Keyboard focus on the entry's button survives the re-render.
    const focused = old.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset['action'] : undefined;
    old.replaceWith(item);
    this.items.set(entry, item);
    if (focused !== undefined) {
      item.querySelector<HTMLElement>(`[data-action="${focused}"]`)?.focus();
    }
  }

  private render(entry: HistoryEntry): HTMLLIElement {
    const { label, tone, sentence } = describeState(entry.state, entry.route);
    const state = entry.state;
    const details: Node[] = [];
    if (state.kind === 'stored' || state.kind === 'already-stored' || state.kind === 'key-reused') {
      details.push(part('record', 'Record', JSON.stringify(state.record, null, 2), true));
    }
    if (state.kind === 'notified' || state.kind === 'already-notified') {
      details.push(part('notification', 'Notification', JSON.stringify(state.notification, null, 2), true));
    }
    if (state.kind === 'dead-lettered') {
      details.push(part('dead-letter', 'Dead letter', JSON.stringify(state.entry, null, 2), true));
    }
    details.push(part('body', 'Message sent', entry.body, false));
    const recordLink =
      state.kind === 'stored' || state.kind === 'already-stored' || state.kind === 'key-reused'
        ? h('p', { class: 'record-link' }, 'The record: ', h('a', { href: state.recordUrl }, `messages/${entry.recordId ?? ''}`))
        : null;
    const again = h(
      'button',
      { type: 'button', class: 'send-again', 'data-action': 'send-again', disabled: state.kind === 'sending' },
      'Send again (same key)',
    );
    again.addEventListener('click', () => this.sendAgain(entry));
    return h(
      'li',
      { class: `entry tone-${tone}`, 'data-state': state.kind },
      h(
        'div',
        { class: 'entry-head' },
        h('span', { class: 'badge' }, label),
        h('span', { class: 'entry-route' }, entry.route === 'store' ? 'store route' : 'notify route'),
        h('time', { datetime: entry.sentAt.toISOString() }, entry.sentAt.toLocaleTimeString()),
      ),
      h('p', { class: 'entry-text' }, sentence),
      state.kind === 'refused' && state.errors.length > 0
        ? h('ul', { class: 'field-errors' }, ...state.errors.map(fieldError))
        : null,
      ids(entry),
      recordLink,
      h('div', { class: 'entry-actions' }, again),
      ...details,
    );
  }
}

function ids(entry: HistoryEntry): HTMLDListElement {
  return h(
    'dl',
    { class: 'ids' },
    entry.messageId ? h('dt', {}, 'Message id') : null,
    entry.messageId ? h('dd', {}, h('code', {}, entry.messageId)) : null,
    h('dt', {}, 'Idempotency-Key'),
    h('dd', {}, h('code', {}, entry.key)),
    entry.requestId ? h('dt', {}, 'Request id') : null,
    entry.requestId ? h('dd', {}, h('code', {}, entry.requestId)) : null,
  );
}

/** A collapsible part; the outcome (record, notification) starts open, the body closed. */
function part(name: string, title: string, text: string, open: boolean): HTMLDetailsElement {
  return h('details', { 'data-part': name, open }, h('summary', {}, title), h('pre', { tabindex: '0' }, text));
}
