/**
 * The states a message sent from this page goes through, and how each reads to a person:
 * a short label, a tone for its colour, and a sentence that says what happened and, for a
 * failure, what to do about it. The history, the response panel and the live region all
 * speak with these words.
 */
import type { SendOutcome } from './api';
import type { Outcome } from './follow';
import { FOLLOW_DEADLINE_MS } from './follow';

export type MessageState = { kind: 'sending' } | SendOutcome | Outcome;

export type Tone = 'pending' | 'ok' | 'warn' | 'bad';

export interface StateText {
  label: string;
  tone: Tone;
  sentence: string;
}

export function describeState(state: MessageState, route: 'store' | 'notify'): StateText {
  switch (state.kind) {
    case 'sending':
      return { label: 'Sending', tone: 'pending', sentence: 'Sending the message…' };
    case 'accepted':
      return {
        label: 'Queued',
        tone: 'pending',
        sentence:
          route === 'store' ? 'The queue has it; waiting for the record.' : 'The queue has it; waiting for the notification.',
      };
    case 'stored':
      return { label: 'Stored', tone: 'ok', sentence: `The handler stored the record: ${state.record.message}.` };
    case 'already-stored':
      return {
        label: 'Already stored',
        tone: 'ok',
        sentence: `Same Idempotency-Key, same body: no second record. The one record was stored by message ${state.record.message_id ?? '(unknown)'}.`,
      };
    case 'key-reused':
      return {
        label: 'Key already used',
        tone: 'bad',
        sentence:
          `This Idempotency-Key already names a record made from another body (by message ${state.record.message_id ?? '(unknown)'}). ` +
          'Nothing was overwritten; the handler rejects this message. Send a new body with a new key.',
      };
    case 'notified':
      return { label: 'Notification sent', tone: 'ok', sentence: `Subject: ${state.notification.subject}` };
    case 'already-notified':
      return {
        label: 'Already notified',
        tone: 'ok',
        sentence: `Same Idempotency-Key, same body: no second notification. It was sent for message ${state.notification.message_id}.`,
      };
    case 'notify-unobservable':
      return {
        label: 'Sent for notification',
        tone: 'ok',
        sentence: "Queued for a notification; no record is made. It reaches the topic's email subscribers.",
      };
    case 'dead-lettered':
      return {
        label: 'Dead-lettered',
        tone: 'bad',
        sentence: 'The handler failed on this message until the queue moved it to the dead-letter queue. See Dead letters.',
      };
    case 'overdue':
      return {
        label: 'No outcome yet',
        tone: 'warn',
        sentence:
          `Nothing after ${Math.round(FOLLOW_DEADLINE_MS / 1000)} s. The handler may be failing and retrying: check the dead letters and the handler's logs.` +
          (state.lastError === undefined ? '' : ` Last error: ${state.lastError}.`),
      };
    case 'refused':
      return {
        label: `Refused (HTTP ${state.status})`,
        tone: 'bad',
        sentence: `The API refused the message: ${state.message}. ${refusedAdvice(state.status)}`,
      };
    case 'server-error':
      return {
        label: `Failed (HTTP ${state.status})`,
        tone: 'bad',
        sentence:
          `The API could not queue the message (${state.message}), so nothing will be stored or notified. ` +
          'Send it again in a moment; if it keeps failing, check the queue and the API logs' +
          (state.requestId === undefined ? '.' : ` for request id ${state.requestId}.`),
      };
    case 'unreachable':
      return {
        label: 'Not sent',
        tone: 'bad',
        sentence:
          `The API did not answer at ${state.url} (${state.reason}). ` +
          'Check that you are inside the VPC (or that the local stack is running), then send again.',
      };
  }
}

function refusedAdvice(status: number): string {
  switch (status) {
    case 400:
      // The page checked the message with its own copy of the contract before sending.
      return 'Fix the fields listed and send again. If they look right, reload the page: the API may run a newer contract than this copy of the page.';
    case 413:
      return 'Make the message smaller: the limit is 256 KiB.';
    case 415:
      return 'The request must be sent as application/json.';
    case 403:
      return 'This address only answers requests through the VPC endpoint the API allows: open the page from inside the VPC.';
    default:
      return 'Fix the request and send again.';
  }
}
