/**
 * WCAG 2 contrast of every piece of text on a page, measured in the browser from the
 * computed colours: 4.5:1 for body text, 3:1 for large text (24 px, or 18.66 px bold).
 * Disabled controls are exempt, as WCAG 1.4.3 allows.
 */
import type { Page } from 'playwright-core';

/** One text below its required contrast: where, what, and the ratio found. */
export interface LowContrast {
  text: string;
  ratio: number;
  required: number;
  colours: string;
}

export async function lowContrastTexts(page: Page): Promise<LowContrast[]> {
  // tsx compiles with esbuild's keepNames, which wraps inner functions in a `__name`
  // helper that exists only in Node; the page gets a no-op one beside the function.
  return page.evaluate(`(() => { const __name = (f) => f; return (${measure.toString()})(); })()`);
}

/** Runs in the page: must be self-contained (no imports, no closures). */
function measure(): LowContrast[] {
  type Rgba = [number, number, number, number];
  const parse = (css: string): Rgba => {
    const m = /rgba?\(([^)]+)\)/.exec(css);
    if (m === null || m[1] === undefined) {
      throw new Error(`unexpected colour ${css}`);
    }
    const [r = 0, g = 0, b = 0, a = 1] = m[1]
      .split(/[\s,/]+/)
      .filter(Boolean)
      .map(Number);
    return [r, g, b, a];
  };
  const luminance = ([r, g, b]: Rgba): number => {
    const channel = (v: number): number => {
      const s = v / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  /** The first opaque background behind an element (the page's own colours are opaque). */
  const background = (el: Element | null): Rgba => {
    for (let e = el; e !== null; e = e.parentElement) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg[3] > 0) {
        return bg;
      }
    }
    return matchMedia('(prefers-color-scheme: dark)').matches ? [0, 0, 0, 1] : [255, 255, 255, 1];
  };
  const failures: LowContrast[] = [];
  for (const el of document.body.querySelectorAll('*')) {
    const ownText = [...el.childNodes]
      .filter((n) => n.nodeType === Node.TEXT_NODE)
      .map((n) => n.textContent ?? '')
      .join('')
      .trim();
    if (ownText === '' || el.getClientRects().length === 0 || el.closest('[hidden], :disabled, noscript') !== null) {
      continue;
    }
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') {
      continue;
    }
    const fg = parse(style.color);
    const bg = background(el);
    const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a) as [number, number];
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const required = large ? 3 : 4.5;
    if (ratio < required) {
      failures.push({
        text: ownText.slice(0, 60),
        ratio: Math.round(ratio * 100) / 100,
        required,
        colours: `${style.color} on ${bg.join(',')}`,
      });
    }
  }
  return failures;
}
