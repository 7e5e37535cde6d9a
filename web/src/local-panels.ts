/**
 * The local stack's own views: the notifications its notifier published (what would be
 * an email in AWS) and its dead letters. Each panel stays hidden unless its endpoint
 * answers with a list, so on AWS, where those endpoints do not exist, nothing shows.
 */
import type { DeadLetterEntry, IngestApi, ListPage, NotificationEntry } from './api';
import { h } from './dom';
import { fieldError } from './validation-view';

/** The panels show the newest entries only; the local stack keeps them all. */
const MAX_SHOWN = 50;

interface Panel {
  section: HTMLElement;
  list: HTMLOListElement;
  empty: HTMLElement;
  refresh: HTMLButtonElement;
}

export class LocalPanels {
  constructor(
    private readonly api: IngestApi,
    private readonly notifications: Panel,
    private readonly deadLetters: Panel,
  ) {
    notifications.refresh.addEventListener('click', () => void this.refreshNotifications());
    deadLetters.refresh.addEventListener('click', () => void this.refreshDeadLetters());
  }

  /** True when the endpoint answered (and the panel shows). */
  async refreshNotifications(): Promise<boolean> {
    const page = await this.api.notifications();
    return show(this.notifications, page, notificationItem);
  }

  async refreshDeadLetters(): Promise<boolean> {
    const page = await this.api.deadLetters();
    return show(this.deadLetters, page, deadLetterItem);
  }
}

function show<T>(panel: Panel, page: ListPage<T> | null, item: (entry: T) => HTMLLIElement): boolean {
  if (page === null) {
    if (!panel.section.hidden) {
      panel.empty.hidden = false;
      panel.empty.textContent = 'The local stack did not answer; the list below may be out of date.';
    }
    return false;
  }
  const { entries } = page;
  panel.section.hidden = false;
  panel.empty.hidden = entries.length > 0;
  panel.list.replaceChildren(...entries.slice(0, MAX_SHOWN).map(item));
  return true;
}

function notificationItem(n: NotificationEntry): HTMLLIElement {
  return h(
    'li',
    { class: 'feed-item', 'data-message-id': n.message_id },
    h(
      'div',
      { class: 'entry-head' },
      h('span', { class: `badge ${n.kind === 'rejected' ? 'tone-bad' : 'tone-ok'}` }, n.kind === 'rejected' ? 'Rejected' : 'Notified'),
      h('time', { datetime: n.timestamp }, new Date(n.timestamp).toLocaleTimeString()),
    ),
    h('p', { class: 'feed-subject' }, n.subject),
    h('p', {}, n.reason),
    n.errors !== undefined && n.errors.length > 0 ? h('ul', { class: 'field-errors' }, ...n.errors.map(fieldError)) : null,
    h('p', { class: 'muted' }, 'Message id ', h('code', {}, n.message_id)),
  );
}

function deadLetterItem(d: DeadLetterEntry): HTMLLIElement {
  return h(
    'li',
    { class: 'feed-item', 'data-message-id': d.messageId },
    h('p', {}, 'Message id ', h('code', {}, d.messageId)),
    h('dl', { class: 'ids' }, ...d.fields.flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, h('code', {}, value))])),
  );
}
