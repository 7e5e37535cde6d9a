/**
 * The API's answer to the last Send: the ids it gave, or its errors with the fields they
 * name, and what to do next.
 */
import type { SendOutcome } from './api';
import { h } from './dom';
import { describeState } from './message-state';
import { fieldError } from './validation-view';

export function renderResponse(target: HTMLElement, outcome: SendOutcome, route: 'store' | 'notify'): void {
  const { tone, sentence } = describeState(outcome, route);
  const heading = outcome.kind === 'unreachable' ? 'No answer from the API' : `HTTP ${outcome.status}`;
  const rows: Node[] = [];
  if (outcome.kind === 'accepted') {
    rows.push(
      h('p', {}, outcome.message),
      h(
        'dl',
        { class: 'ids' },
        h('dt', {}, 'Message id'),
        h('dd', {}, h('code', {}, outcome.messageId)),
        h('dt', {}, 'Record id'),
        h('dd', {}, h('code', {}, outcome.recordId)),
        h('dt', {}, 'Request id'),
        h('dd', {}, h('code', {}, outcome.requestId || '(none given)')),
      ),
    );
  } else {
    rows.push(h('p', {}, sentence));
  }
  if (outcome.kind === 'refused' && outcome.errors.length > 0) {
    rows.push(h('ul', { class: 'field-errors' }, ...outcome.errors.map(fieldError)));
  }
  if (outcome.kind !== 'accepted' && outcome.kind !== 'unreachable' && outcome.requestId !== undefined) {
    rows.push(h('p', { class: 'muted' }, 'Request id: ', h('code', {}, outcome.requestId)));
  }
  target.replaceChildren(h('div', { class: `answer tone-${tone}` }, h('p', { class: 'answer-head' }, heading), ...rows));
}
