import { describe, expect, it } from 'vitest';
import { formatCents } from '../apps/format-cents.js';
import { formatDateTime } from '../apps/format-date-time.js';
import { escapeHtml, html, SafeHtml } from '../apps/html.js';

describe('html', () => {
  it('escapes every interpolated string so it cannot open a tag, close an attribute or start an entity', () => {
    const name = `<img src=x onerror="alert('x')">&amp;\``;
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;amp;&#96;">' +
        '&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;amp;&#96;</p>',
    );
  });

  it('keeps nested html as markup, joins lists, and renders nothing for null, undefined and false', () => {
    const items = ['a<b', 'c'].map((item) => html`<li>${item}</li>`);
    expect(
      html`<ul>
          ${items}
        </ul>
        ${null}${undefined}${false}${0}`.value.replace(/\s+/g, ''),
    ).toBe('<ul><li>a&lt;b</li><li>c</li></ul>0');
    expect(html`${new SafeHtml('<br>')}`.value).toBe('<br>');
  });

  it('escapes a string that merely looks like markup, since only SafeHtml is trusted', () => {
    expect(html`${'<br>'}`.value).toBe('&lt;br&gt;');
    expect(escapeHtml('plain')).toBe('plain');
  });
});

describe('formatCents', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [99, '0.99'],
    [100, '1.00'],
    [23785, '237.85'],
    [123456789, '1,234,567.89'],
    [2147483647, '21,474,836.47'],
    [-1050, '-10.50'],
  ])('shows %i cents as %s', (cents, text) => {
    expect(formatCents(cents)).toBe(text);
  });

  it('refuses an amount that is not a whole number of cents', () => {
    expect(() => formatCents(1.5)).toThrow(/integer number of cents/);
  });
});

describe('formatDateTime', () => {
  it('shows a timestamp in UTC whatever the machine time zone, and leaves a non-date as it is', () => {
    expect(formatDateTime('2025-03-01T23:30:00.000Z')).toBe('1 Mar 2025, 23:30 UTC');
    expect(formatDateTime('soon')).toBe('soon');
  });
});
