/**
 * The ingestion API as the page sees it: every URL is relative to the page's own folder,
 * because the page is served by the API itself (the local gateway at `/`, the private
 * API from S3 under its stage or base path), so requests stay same-origin and need no
 * CORS. Each call answers with a typed outcome instead of throwing, so the views can
 * tell a person what to do about each case.
 */
import type { Contract, IngestRecord } from '../../wasm/pkg-web/private_ingest_wasm.js';

/** What became of a POST send-message. */
export type SendOutcome =
  /** `recordId`: the record the message makes (its `Idempotency-Key`, or its message id). */
  | { kind: 'accepted'; status: number; message: string; messageId: string; requestId: string; recordId: string }
  /** 4xx: the API refused the body or the request; `errors` are `<path>: <reason>` lines. */
  | { kind: 'refused'; status: number; message: string; errors: string[]; requestId?: string }
  /** 5xx, or a 2xx without a message id: nothing is known to be queued. */
  | { kind: 'server-error'; status: number; message: string; requestId?: string }
  /** No HTTP answer at all (network, DNS, VPN, server down, timeout). */
  | { kind: 'unreachable'; url: string; reason: string };

/** What a GET messages/{id} told. */
export type RecordLookup = { kind: 'found'; record: IngestRecord } | { kind: 'absent' } | { kind: 'error'; reason: string };

/** One notification as the local stack lists it (the core's Notification, serde form). */
export interface NotificationEntry {
  /** Why it was sent: the message's notify route, or a body the handler rejected. */
  kind: 'notify' | 'rejected';
  message_id: string;
  /** The message's route; absent for a rejected body. */
  route?: 'store' | 'notify';
  /** The message's `Idempotency-Key`, when it had one. */
  idempotency_key?: string;
  subject: string;
  reason: string;
  timestamp: string;
  insert?: string;
  errors?: string[];
}

/** One dead letter as the local stack lists it: the message as it was queued, and how it ended there. */
export interface DeadLetterEntry {
  message_id: string;
  /** The body as it was queued, byte for byte. */
  body: string;
  /** The message attributes it was queued with (`requestId`, `sourceVpce`). */
  attributes: Record<string, string>;
  /** When the queue took it (RFC 3339 UTC); null when not known. */
  sent_at: string | null;
  /** Receives before it was moved (the queue's max receive count). */
  receive_count: number;
  /** When it was moved to the dead letters (RFC 3339 UTC); null when not known. */
  dead_lettered_at: string | null;
}

/**
 * One page of a local list (`GET notifications`, `GET dead-letters`): the entries, newest
 * first, and the cursor of the older ones (`null` at the end). The local stack bounds each
 * page by entries and by bytes, so a page holds the newest entries, not all of them.
 */
export interface ListPage<T> {
  entries: T[];
  next: string | null;
}

/** A GET that takes longer than this is treated as unreachable; API Gateway's own
 * integration timeout is 29 s, so anything slower is not coming. */
const REQUEST_TIMEOUT_MS = 30_000;

export class IngestApi {
  /**
   * `base` is the folder the page was served from; every path resolves against it.
   * `contract` is the core's, from the Wasm module.
   */
  constructor(
    readonly base: URL,
    private readonly contract: Contract,
  ) {}

  /** The page's folder: `https://host/stage/index.html` and `https://host/stage/` both give `https://host/stage/`. */
  static baseOf(doc: Document): URL {
    const base = new URL('.', doc.baseURI);
    base.search = '';
    base.hash = '';
    return base;
  }

  url(path: string): URL {
    return new URL(path, this.base);
  }

  /** POSTs `body` with `key` as its `Idempotency-Key` (the same key again is a retry). */
  async send(body: string, key: string): Promise<SendOutcome> {
    const url = this.url('send-message');
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          [this.contract.idempotency.header]: key,
        },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        cache: 'no-store',
      });
    } catch (e) {
      return { kind: 'unreachable', url: url.href, reason: describeFetchError(e) };
    }
    const answer = await readAnswer(response);
    const requestId = stringField(answer.json, 'requestId');
    const withRequestId = requestId === undefined ? {} : { requestId };
    if (response.ok) {
      const messageId = stringField(answer.json, 'messageId');
      if (messageId !== undefined) {
        const message = answerMessage(answer) ?? this.contract.responses.sent.message;
        // An API older than the recordId answer keys the record by the message id.
        const recordId = stringField(answer.json, 'recordId') ?? messageId;
        return { kind: 'accepted', status: response.status, message, messageId, requestId: requestId ?? '', recordId };
      }
      return {
        kind: 'server-error',
        status: response.status,
        message: `The API answered ${response.status} without a message id, so the message may not be queued. Answer: ${answer.excerpt}`,
        ...withRequestId,
      };
    }
    const message = answerMessage(answer) ?? response.statusText;
    if (response.status >= 400 && response.status < 500) {
      return { kind: 'refused', status: response.status, message, errors: stringList(answer.json, 'errors'), ...withRequestId };
    }
    return { kind: 'server-error', status: response.status, message, ...withRequestId };
  }

  /** The address of a record (`messages/{id}`), for following it and for a link to it. */
  recordUrl(recordId: string): URL {
    return this.url(`messages/${encodeURIComponent(recordId)}`);
  }

  async record(recordId: string): Promise<RecordLookup> {
    const url = this.recordUrl(recordId);
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { Accept: 'application/json' },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        cache: 'no-store',
      });
    } catch (e) {
      return { kind: 'error', reason: `the API could not be reached (${describeFetchError(e)})` };
    }
    if (response.status === 404) {
      return { kind: 'absent' };
    }
    const answer = await readAnswer(response);
    if (response.ok && isRecord(answer.json)) {
      return { kind: 'found', record: answer.json };
    }
    return {
      kind: 'error',
      reason: `GET ${url.pathname} answered ${response.status}: ${answerMessage(answer) ?? answer.excerpt}`,
    };
  }

  /** The newest page of the local stack's notifications, or null where the endpoint does not exist (AWS). */
  async notifications(): Promise<ListPage<NotificationEntry> | null> {
    const page = await this.localPage('notifications', 'notifications');
    return page === null ? null : { entries: page.entries.filter(isNotification), next: page.next };
  }

  /** The newest page of the local stack's dead letters, or null where the endpoint does not exist (AWS). */
  async deadLetters(): Promise<ListPage<DeadLetterEntry> | null> {
    const page = await this.localPage('dead-letters', 'dead_letters');
    return page === null ? null : { entries: page.entries.filter(isDeadLetter), next: page.next };
  }

  /** The local stack's `GET /metrics` text, or null where it does not answer (AWS). */
  async metricsText(): Promise<string | null> {
    try {
      const response = await fetch(this.url('metrics'), { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), cache: 'no-store' });
      const type = response.headers.get('content-type') ?? '';
      return response.ok && type.startsWith('application/openmetrics-text') ? await response.text() : null;
    } catch {
      return null;
    }
  }

  /**
   * The routing rules in force, as JSON text (the core reads it: JSON.parse would round
   * long numbers): the local stack's `GET rules`, else the cloud's `routing-rules.json`
   * beside the page; null when neither answers with JSON.
   */
  async rulesInForce(): Promise<string | null> {
    for (const path of ['rules', 'routing-rules.json']) {
      try {
        const response = await fetch(this.url(path), {
          headers: { Accept: 'application/json' },
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          cache: 'no-store',
        });
        const type = response.headers.get('content-type') ?? '';
        if (response.ok && type.startsWith('application/json')) {
          return await response.text();
        }
      } catch {
        // Not this one: try the next place.
      }
    }
    return null;
  }

  /** The first page of a local-only list; null when the endpoint does not answer with one. */
  private async localPage(path: string, key: string): Promise<ListPage<unknown> | null> {
    try {
      const response = await fetch(this.url(path), {
        headers: { Accept: 'application/json' },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        cache: 'no-store',
      });
      if (!response.ok) {
        return null;
      }
      return pageIn((await readAnswer(response)).json, key);
    } catch {
      return null;
    }
  }
}

interface Answer {
  json: unknown;
  /** The start of the body as text, for answers that are not the contract's JSON. */
  excerpt: string;
}

async function readAnswer(response: Response): Promise<Answer> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return { json: undefined, excerpt: '(the answer could not be read)' };
  }
  const excerpt = text.length > 300 ? `${text.slice(0, 300)}…` : text || '(empty)';
  try {
    return { json: JSON.parse(text) as unknown, excerpt };
  } catch {
    return { json: undefined, excerpt };
  }
}

/** The contract says `message`; API Gateway's own errors (403 from a resource policy) say `Message`. */
function answerMessage(answer: Answer): string | undefined {
  return stringField(answer.json, 'message') ?? stringField(answer.json, 'Message');
}

function stringField(json: unknown, name: string): string | undefined {
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const value = (json as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

function stringList(json: unknown, name: string): string[] {
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const value = (json as Record<string, unknown>)[name];
    if (Array.isArray(value)) {
      return value.filter((v): v is string => typeof v === 'string');
    }
  }
  return [];
}

/** A page answer: `{"<key>": [...], "next": "<cursor>" | null}`. */
function pageIn(json: unknown, key: string): ListPage<unknown> | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return null;
  }
  const fields = json as Record<string, unknown>;
  const entries = fields[key];
  if (!Array.isArray(entries)) {
    return null;
  }
  const next = fields['next'];
  return { entries, next: typeof next === 'string' ? next : null };
}

function isRecord(json: unknown): json is IngestRecord {
  if (typeof json !== 'object' || json === null) {
    return false;
  }
  const r = json as Record<string, unknown>;
  return typeof r['id'] === 'string' && typeof r['random_value'] === 'number' && typeof r['timestamp'] === 'string';
}

function isNotification(json: unknown): json is NotificationEntry {
  if (typeof json !== 'object' || json === null) {
    return false;
  }
  const n = json as Record<string, unknown>;
  return typeof n['message_id'] === 'string' && typeof n['subject'] === 'string';
}

function isDeadLetter(json: unknown): json is DeadLetterEntry {
  if (typeof json !== 'object' || json === null) {
    return false;
  }
  const d = json as Record<string, unknown>;
  return (
    typeof d['message_id'] === 'string' &&
    typeof d['body'] === 'string' &&
    typeof d['receive_count'] === 'number' &&
    typeof d['attributes'] === 'object' &&
    d['attributes'] !== null
  );
}

function describeFetchError(e: unknown): string {
  if (e instanceof DOMException && e.name === 'TimeoutError') {
    return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  }
  return e instanceof Error ? e.message : String(e);
}
