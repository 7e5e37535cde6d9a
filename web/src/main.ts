/**
 * The test page's entry: loads the Wasm core, then wires the editor, the presets, Send,
 * the history and the local stack's panels together. Every status change is also said
 * in the page's live region (role="status") for screen reader users.
 */
import init, {
  contract,
  previewRules,
  readRulesInForce,
  validate,
  validateIdempotencyKey,
} from '../../wasm/pkg-web/private_ingest_wasm.js';
// A relative URL to the emitted .wasm file, resolved against this script at run time.
import wasmUrl from '../../wasm/pkg-web/private_ingest_wasm_bg.wasm?url';
import { IngestApi } from './api';
import { byId } from './dom';
import { followToOutcome, type LocalEndpoints } from './follow';
import { HistoryView, type HistoryEntry } from './history';
import { LiveChart } from './live-chart';
import { KeyView, newKey, sha256Hex } from './key-view';
import { LocalPanels } from './local-panels';
import { describeState, type MessageState } from './message-state';
import { renderResponse } from './response-view';
import { RulesView } from './rules-view';
import { ValidationView } from './validation-view';
import './style.css';

/** The original pattern's two tests: the store route's `Insert` value, and a typo of it. */
function presets(storeInsertValue: string): Record<string, string> {
  return {
    store: `{"Insert": ${JSON.stringify(storeInsertValue)}}`,
    notify: '{"Insert": "Dynamoooo"}',
  };
}

/** Set when Send is first usable: the time-to-interactive the browser tests measure. */
const INTERACTIVE_MARK = 'private-ingest:interactive';

async function start(): Promise<void> {
  const base = IngestApi.baseOf(document);
  const form = byId('compose', HTMLFormElement);
  const editor = byId('message', HTMLTextAreaElement);
  const validation = byId('validation', HTMLDivElement);
  const send = byId('send', HTMLButtonElement);
  const status = byId('status', HTMLParagraphElement);
  const response = byId('response', HTMLDivElement);
  byId('api-base', HTMLElement).textContent = base.href;

  const announce = (text: string): void => {
    status.textContent = text;
  };

  try {
    await init({ module_or_path: wasmUrl });
  } catch (e) {
    validation.classList.add('is-invalid');
    validation.textContent =
      `The validator (WebAssembly) could not load: ${e instanceof Error ? e.message : String(e)}. ` +
      'Reload the page; if this persists, the server is not serving the .wasm file next to the page.';
    announce('The page could not start: the validator did not load.');
    return;
  }

  const shared = contract();
  const api = new IngestApi(base, shared);
  const PRESETS = presets(shared.storeInsertValue);
  // Send follows both the body and the key: each view's change re-checks it. The key view
  // only calls back on input (or an explicit update below), once `view` exists.
  const keys = new KeyView(
    byId('idempotency-key', HTMLInputElement),
    byId('key-validation', HTMLDivElement),
    validateIdempotencyKey,
    () => view.update(),
  );
  const rules = new RulesView(
    {
      section: byId('rules-panel', HTMLElement),
      summary: byId('rules-summary', HTMLElement),
      list: byId('rules', HTMLOListElement),
      preview: byId('rules-preview', HTMLDivElement),
    },
    readRulesInForce,
    previewRules,
  );
  const view = new ValidationView(
    editor,
    validation,
    send,
    validate,
    shared,
    () => keys.ok,
    () => rules.active,
  );
  const check = (): ReturnType<ValidationView['update']> => {
    const verdict = view.update();
    rules.update(editor.value);
    return verdict;
  };
  // The rules in force are read once; until then (and without rules) Insert routes.
  void api.rulesInForce().then((text) => {
    rules.show(text);
    check();
  });
  // Set below, once the functions it calls exist.
  let sendEntryAgain: (entry: HistoryEntry) => void = () => {};
  const history = new HistoryView(byId('history', HTMLOListElement), byId('history-empty', HTMLElement), (entry) =>
    sendEntryAgain(entry),
  );
  const panels = new LocalPanels(api, panelElements('notifications'), panelElements('dead-letters'));

  const live = new LiveChart(() => api.metricsText(), shared.metrics, {
    section: byId('live-panel', HTMLElement),
    throughput: byId('live-throughput', SVGSVGElement),
    depth: byId('live-depth', SVGSVGElement),
    summary: byId('live-summary', HTMLElement),
    table: byId('live-rows', HTMLTableSectionElement),
    pause: byId('live-pause', HTMLButtonElement),
    showTable: byId('live-show-table', HTMLButtonElement),
    tableWrap: byId('live-table-wrap', HTMLElement),
  });
  void live.start();

  // The local-only endpoints are asked once at start; where they answer, their panels
  // show and following a message also looks there. Nothing waits for them but following.
  const localEndpoints: Promise<LocalEndpoints> = Promise.all([panels.refreshNotifications(), panels.refreshDeadLetters()]).then(
    ([notifications, deadLetters]) => ({ notifications, deadLetters }),
  );

  const setState = (entry: HistoryEntry, state: MessageState): void => {
    entry.state = state;
    history.update(entry);
    const { label, sentence } = describeState(state, entry.route);
    announce(`${label}. ${sentence}`);
  };

  // One POST at a time: a second Enter or click while one is in flight is ignored. The
  // button is not disabled for this, as that would drop a keyboard user's focus.
  let sending = false;
  /** Sends `body` with `key`, adds its history entry and follows it to its outcome. */
  const sendAndFollow = async (body: string, key: string, route: 'store' | 'notify'): Promise<boolean> => {
    sending = true;
    const entry: HistoryEntry = { sentAt: new Date(), body, route, key, state: { kind: 'sending' } };
    history.add(entry);
    announce('Sending the message…');
    const [outcome, bodySha256] = await Promise.all([api.send(body, key), sha256Hex(body)]);
    sending = false;
    renderResponse(response, outcome, entry.route);
    if (outcome.kind === 'accepted') {
      entry.messageId = outcome.messageId;
      entry.requestId = outcome.requestId;
      entry.recordId = outcome.recordId;
    }
    setState(entry, outcome);
    if (outcome.kind !== 'accepted') {
      return false;
    }
    const sent = { messageId: outcome.messageId, recordId: outcome.recordId, key, bodySha256 };
    void followToOutcome(api, sent, entry.route, await localEndpoints).then((final) => {
      setState(entry, final);
      if (final.kind === 'notified' || final.kind === 'already-notified') {
        void panels.refreshNotifications();
      } else if (final.kind === 'dead-lettered' || final.kind === 'overdue') {
        void panels.refreshDeadLetters();
      }
    });
    return true;
  };
  const sendCurrent = async (): Promise<void> => {
    const verdict = view.update();
    if (sending || !verdict.ok || verdict.route === null || !keys.ok) {
      return;
    }
    // With rules, the message is followed to its record when it makes one, else to its notification.
    const routed = rules.update(editor.value);
    const route = routed === null ? verdict.route : routed.store ? 'store' : 'notify';
    // Each composed message gets its own key: once this one is accepted, the next gets a new one.
    if (await sendAndFollow(editor.value, keys.key, route)) {
      keys.renew();
    }
  };
  sendEntryAgain = (entry: HistoryEntry) => {
    if (!sending) {
      void sendAndFollow(entry.body, entry.key, entry.route);
    }
  };

  editor.addEventListener('input', () => check());
  editor.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void sendCurrent();
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void sendCurrent();
  });
  for (const button of form.querySelectorAll<HTMLButtonElement>('button[data-preset]')) {
    button.addEventListener('click', () => {
      editor.value = PRESETS[button.dataset['preset'] ?? ''] ?? editor.value;
      const verdict = check();
      announce(
        `Preset loaded: ${button.textContent ?? ''}. ${verdict.route === 'store' ? 'It will be stored.' : 'It will send a notification.'}`,
      );
    });
  }

  byId('idempotency-key', HTMLInputElement).value = newKey();
  keys.update();
  performance.mark(INTERACTIVE_MARK);
}

function panelElements(name: 'notifications' | 'dead-letters') {
  return {
    section: byId(`${name}-panel`, HTMLElement),
    list: byId(name, HTMLOListElement),
    empty: byId(`${name}-empty`, HTMLElement),
    refresh: byId(`${name}-refresh`, HTMLButtonElement),
  };
}

void start();
