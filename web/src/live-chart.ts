/**
 * The local stack's live view: messages accepted and processed per second, and the
 * queue's depth, drawn from `GET /metrics` every few seconds. Two small SVG charts for
 * the eye; the same figures as a table for a screen reader (and for anyone, one click
 * away); a pause button, since a display that keeps changing must be stoppable (WCAG
 * 2.2.2). The section stays hidden where `/metrics` does not answer (on AWS).
 */
import type { ContractMetrics } from '../../wasm/pkg-web/private_ingest_wasm.js';
import { h } from './dom';
import { samplesIn } from './metrics-scrape';

/** How often the chart asks; the stack computes a scrape in well under a millisecond. */
const POLL_MS = 2_000;
/** Points kept: two minutes at one scrape every two seconds. */
const KEPT = 60;
/** Rows the table shows, newest first. */
const TABLE_ROWS = 10;

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 300;
const HEIGHT = 90;

export interface LivePoint {
  at: Date;
  acceptedPerSecond: number;
  processedPerSecond: number;
  queueDepth: number;
}

interface Totals {
  atMs: number;
  accepted: number;
  processed: number;
  depth: number;
}

export interface LiveElements {
  section: HTMLElement;
  throughput: SVGSVGElement;
  depth: SVGSVGElement;
  summary: HTMLElement;
  table: HTMLTableSectionElement;
  pause: HTMLButtonElement;
  showTable: HTMLButtonElement;
  tableWrap: HTMLElement;
}

export class LiveChart {
  private readonly points: LivePoint[] = [];
  private last: Totals | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly processedNames: string[];

  constructor(
    private readonly scrape: () => Promise<string | null>,
    private readonly names: ContractMetrics,
    private readonly el: LiveElements,
  ) {
    this.processedNames = [names.stored, names.alreadyStored, names.notified, names.alreadyNotified, names.rejected].map(
      (m) => m.prometheusName,
    );
    el.pause.addEventListener('click', () => this.setPaused(this.timer !== null));
    el.showTable.addEventListener('click', () => {
      const shown = el.showTable.getAttribute('aria-expanded') !== 'true';
      el.showTable.setAttribute('aria-expanded', String(shown));
      el.showTable.textContent = shown ? 'Hide the table' : 'Show as a table';
      el.tableWrap.classList.toggle('visually-hidden', !shown);
    });
  }

  /** Shows the section and starts polling if `/metrics` answers; false where it does not. */
  async start(): Promise<boolean> {
    if (!(await this.tick())) return false;
    this.el.section.hidden = false;
    this.setPaused(false);
    return true;
  }

  private setPaused(paused: boolean): void {
    if (paused && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    } else if (!paused && this.timer === null) {
      this.timer = setInterval(() => void this.tick(), POLL_MS);
    }
    this.el.pause.setAttribute('aria-pressed', String(paused));
    this.el.pause.textContent = paused ? 'Resume' : 'Pause';
  }

  /** One scrape: a new point from the difference with the last one. */
  private async tick(): Promise<boolean> {
    const text = await this.scrape();
    if (text === null) return false;
    const m = this.names;
    const values = samplesIn(text, [m.local.accepted, m.local.queueVisible, m.local.queueInFlight, ...this.processedNames]);
    const now: Totals = {
      atMs: Date.now(),
      accepted: values.get(m.local.accepted) ?? 0,
      processed: this.processedNames.reduce((sum, name) => sum + (values.get(name) ?? 0), 0),
      depth: (values.get(m.local.queueVisible) ?? 0) + (values.get(m.local.queueInFlight) ?? 0),
    };
    if (this.last !== null) {
      const seconds = Math.max((now.atMs - this.last.atMs) / 1000, 0.001);
      this.points.push({
        at: new Date(now.atMs),
        // A restarted stack starts its counters at 0 again: no negative rates.
        acceptedPerSecond: Math.max(now.accepted - this.last.accepted, 0) / seconds,
        processedPerSecond: Math.max(now.processed - this.last.processed, 0) / seconds,
        queueDepth: now.depth,
      });
      if (this.points.length > KEPT) this.points.shift();
      this.render();
    }
    this.last = now;
    return true;
  }

  private render(): void {
    const p = this.points;
    draw(this.el.throughput, [
      { values: p.map((x) => x.acceptedPerSecond), className: 'series-accepted' },
      { values: p.map((x) => x.processedPerSecond), className: 'series-processed' },
    ]);
    draw(this.el.depth, [{ values: p.map((x) => x.queueDepth), className: 'series-depth' }]);
    const latest = p[p.length - 1];
    if (latest === undefined) return;
    const summary =
      `Now: ${rate(latest.acceptedPerSecond)} accepted and ${rate(latest.processedPerSecond)} processed per second; ` +
      `${latest.queueDepth} ${latest.queueDepth === 1 ? 'message' : 'messages'} on the queue.`;
    this.el.summary.textContent = summary;
    this.el.throughput.setAttribute('aria-label', `Messages per second over the last ${p.length} readings. ${summary}`);
    this.el.depth.setAttribute('aria-label', `Queue depth over the last ${p.length} readings: now ${latest.queueDepth}.`);
    this.el.table.replaceChildren(
      ...p
        .slice(-TABLE_ROWS)
        .reverse()
        .map((x) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, h('time', { datetime: x.at.toISOString() }, x.at.toLocaleTimeString())),
            h('td', {}, rate(x.acceptedPerSecond)),
            h('td', {}, rate(x.processedPerSecond)),
            h('td', {}, String(x.queueDepth)),
          ),
        ),
    );
  }
}

function rate(perSecond: number): string {
  return perSecond >= 10 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}

/** Lines on a shared scale from 0 to the largest value (at least 1), newest at the right. */
function draw(svg: SVGSVGElement, series: Array<{ values: number[]; className: string }>): void {
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const step = WIDTH / (KEPT - 1);
  const lines = series.map((s) => {
    // One reading alone would be an invisible point: draw it as a short level line.
    const values = s.values.length === 1 ? [...s.values, ...s.values] : s.values;
    const offset = KEPT - values.length;
    const points = values
      .map((v, i) => `${((offset + i) * step).toFixed(1)},${(HEIGHT - (v / max) * (HEIGHT - 4) - 2).toFixed(1)}`)
      .join(' ');
    const line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', points);
    line.setAttribute('class', s.className);
    return line;
  });
  const axis = document.createElementNS(SVG, 'text');
  axis.setAttribute('x', '2');
  axis.setAttribute('y', '10');
  axis.setAttribute('class', 'chart-scale');
  axis.textContent = `max ${rate(max)}`;
  svg.replaceChildren(...lines, axis);
}
