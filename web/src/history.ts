/**
 * The messages sent from this page, newest first, each with its current state and what
 * the API and the handler said about it (ids, record, notification, errors).
 */
import { h } from './dom';
import { describeState, type MessageState } from './message-state';
import { fieldError } from './validation-view';

export interface HistoryEntry {
  readonly sentAt: Date;
  readonly body: string;
  readonly route: 'store' | 'notify';
  messageId?: string;
  requestId?: string;
  state: MessageState;
}

export class HistoryView {
  private readonly items = new Map<HistoryEntry, HTMLLIElement>();

  constructor(
    private readonly list: HTMLOListElement,
    private readonly empty: HTMLElement,
  ) {}

  add(entry: HistoryEntry): void {
    const item = render(entry);
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
    const item = render(entry);
    // A part a person already opened or closed keeps that state across updates.
    const before = new Map([...old.querySelectorAll('details')].map((d) => [d.dataset['part'], d.open]));
    item.querySelectorAll('details').forEach((d) => (d.open = before.get(d.dataset['part']) ?? d.open));
    old.replaceWith(item);
    this.items.set(entry, item);
  }
}

function render(entry: HistoryEntry): HTMLLIElement {
  const { label, tone, sentence } = describeState(entry.state, entry.route);
  const state = entry.state;
  const details: Node[] = [];
  if (state.kind === 'stored') {
    details.push(part('record', 'Record', JSON.stringify(state.record, null, 2), true));
  }
  if (state.kind === 'notified') {
    details.push(part('notification', 'Notification', JSON.stringify(state.notification, null, 2), true));
  }
  if (state.kind === 'dead-lettered') {
    details.push(part('dead-letter', 'Dead letter', JSON.stringify(state.entry, null, 2), true));
  }
  details.push(part('body', 'Message sent', entry.body, false));
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
    entry.messageId === undefined ? null : ids(entry.messageId, entry.requestId),
    ...details,
  );
}

function ids(messageId: string, requestId: string | undefined): HTMLDListElement {
  return h(
    'dl',
    { class: 'ids' },
    h('dt', {}, 'Message id'),
    h('dd', {}, h('code', {}, messageId)),
    requestId ? h('dt', {}, 'Request id') : null,
    requestId ? h('dd', {}, h('code', {}, requestId)) : null,
  );
}

/** A collapsible part; the outcome (record, notification) starts open, the body closed. */
function part(name: string, title: string, text: string, open: boolean): HTMLDetailsElement {
  return h('details', { 'data-part': name, open }, h('summary', {}, title), h('pre', { tabindex: '0' }, text));
}
