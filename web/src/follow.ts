/**
 * Follows one accepted message to its outcome. The API answers as soon as the queue has
 * the message; the handler runs later (the Lambda's event source mapping or the local
 * poller), so the page asks again with a growing pause until the outcome shows:
 * the record (GET messages/{recordId}) on the store route, the notification on the notify
 * route (visible on the local stack only), or the message in the dead-letter queue. A
 * retry under an `Idempotency-Key` the handler already did shows as such: the record or
 * notification is there, made by the first message with the key.
 */
import type { IngestRecord } from '../../wasm/pkg-web/private_ingest_wasm.js';
import type { DeadLetterEntry, IngestApi, NotificationEntry } from './api';

export type Outcome =
  | { kind: 'stored'; record: IngestRecord; recordUrl: string }
  /** The key's record was stored by an earlier message with the same body: this one made none. */
  | { kind: 'already-stored'; record: IngestRecord; recordUrl: string }
  /** The key names a record made from another body: nothing was overwritten, this one is rejected. */
  | { kind: 'key-reused'; record: IngestRecord; recordUrl: string }
  | { kind: 'notified'; notification: NotificationEntry }
  /** The key's notification was sent for an earlier message: this one sent none. */
  | { kind: 'already-notified'; notification: NotificationEntry }
  /** The notify route where notifications cannot be seen (AWS: they go out by email). */
  | { kind: 'notify-unobservable' }
  | { kind: 'dead-lettered'; entry: DeadLetterEntry }
  | { kind: 'overdue'; waitedMs: number; lastError?: string };

/** The pause before the first look and between looks. The local poller handles a message
 * within a second; a Lambda behind SQS usually within a few (batching window + cold start). */
const FIRST_PAUSE_MS = 150;
const MAX_PAUSE_MS = 2_000;
const PAUSE_GROWTH = 1.6;
/** After this long the page stops asking and says so; the message may still be retried by
 * the queue (visibility timeout) and show up later. */
export const FOLLOW_DEADLINE_MS = 60_000;

/** Which of the local stack's own endpoints answered when the page loaded; where they do
 * not exist (AWS) the page does not ask them again. */
export interface LocalEndpoints {
  notifications: boolean;
  deadLetters: boolean;
}

/** What the API said about one accepted message. */
export interface Sent {
  messageId: string;
  /** The record's id: the message's `Idempotency-Key`, or its message id. */
  recordId: string;
  key: string;
  /** SHA-256 (hex) of the body as sent: what tells a retry from a reuse of the key. */
  bodySha256: string;
}

export async function followToOutcome(
  api: IngestApi,
  sent: Sent,
  route: 'store' | 'notify',
  local: LocalEndpoints,
): Promise<Outcome> {
  const { messageId } = sent;
  if (route === 'notify' && !local.notifications) {
    return { kind: 'notify-unobservable' };
  }
  const started = performance.now();
  let pause = FIRST_PAUSE_MS;
  let lastError: string | undefined;
  for (;;) {
    await sleep(pause);
    const found = route === 'store' ? await lookForRecord(api, sent) : await lookForNotification(api, sent);
    if (found.outcome !== undefined) {
      return found.outcome;
    }
    lastError = found.error ?? lastError;
    const dead = local.deadLetters ? await lookInDeadLetters(api, messageId) : undefined;
    if (dead !== undefined) {
      return dead;
    }
    const waitedMs = performance.now() - started;
    if (waitedMs >= FOLLOW_DEADLINE_MS) {
      return lastError === undefined ? { kind: 'overdue', waitedMs } : { kind: 'overdue', waitedMs, lastError };
    }
    pause = Math.min(pause * PAUSE_GROWTH, MAX_PAUSE_MS);
  }
}

interface Look {
  outcome?: Outcome;
  error?: string;
}

async function lookForRecord(api: IngestApi, sent: Sent): Promise<Look> {
  const lookup = await api.record(sent.recordId);
  switch (lookup.kind) {
    case 'found': {
      const recordUrl = api.recordUrl(sent.recordId).href;
      // A keyed record names the message that stored it; an earlier one means this retry made none.
      const first = lookup.record.message_id;
      if (first === undefined || first === sent.messageId) {
        return { outcome: { kind: 'stored', record: lookup.record, recordUrl } };
      }
      const kind = lookup.record.body_sha256 === sent.bodySha256 ? 'already-stored' : 'key-reused';
      return { outcome: { kind, record: lookup.record, recordUrl } };
    }
    case 'absent':
      return {};
    case 'error':
      return { error: lookup.reason };
  }
}

async function lookForNotification(api: IngestApi, sent: Sent): Promise<Look> {
  const notifications = await api.notifications();
  if (notifications === null) {
    return { outcome: { kind: 'notify-unobservable' } };
  }
  // The newest page: a message being followed was sent moments ago.
  const own = notifications.entries.find((n) => n.message_id === sent.messageId);
  if (own !== undefined) {
    return { outcome: { kind: 'notified', notification: own } };
  }
  const earlier = notifications.entries.find((n) => n.kind === 'notify' && n.idempotency_key === sent.key);
  return earlier === undefined ? {} : { outcome: { kind: 'already-notified', notification: earlier } };
}

async function lookInDeadLetters(api: IngestApi, messageId: string): Promise<Outcome | undefined> {
  const entry = (await api.deadLetters())?.entries.find((d) => d.message_id === messageId);
  return entry === undefined ? undefined : { kind: 'dead-lettered', entry };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
