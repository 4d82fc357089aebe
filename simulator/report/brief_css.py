"""The decision brief's style sheet: screen first, and print rules for A4 and Letter.

Table headers break only between words (never inside one); numbers never break; text
cells break inside a word only when it would not fit otherwise, or anywhere in a table
of long words (``table.long``: hashes, dotted paths). Wide tables (``table.wide``, from
:data:`simulator.report.html.WIDE` columns) print in smaller type so their whole words
fit the page.
"""

from __future__ import annotations

__all__ = ["BRIEF_CSS"]

BRIEF_CSS = """
:root { --ink: #1a202c; --muted: #4a5568; --line: #e2e8f0; --head: #edf2f7;
        --accent: #2b6cb0; --panel: #f7fafc; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1240px; padding: 20px 32px 48px; }
h1 { font-size: 25px; margin: 0 0 10px; }
h2 { font-size: 18px; margin: 26px 0 8px; padding-top: 8px; border-top: 2px solid var(--line); }
h3 { font-size: 16px; margin: 20px 0 6px; }
h4 { font-size: 14px; margin: 14px 0 4px; }
p.lead { font-size: 18px; line-height: 1.4; margin: 0 0 8px; font-weight: 500; }
p.lead:first-of-type { font-size: 21px; font-weight: 650; }
p.note, p.foot, .muted { color: var(--muted); margin: 2px 0 6px; font-size: 13px; }
.numbers { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr));
           gap: 10px; margin: 14px 0; }
.kn { background: var(--panel); border: 1px solid var(--line); border-left: 4px solid var(--accent);
      padding: 8px 12px; border-radius: 4px; break-inside: avoid; }
.kl { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
.kv { font-size: 22px; font-weight: 700; font-variant-numeric: tabular-nums; }
.ki { font-size: 13px; color: var(--muted); }
.asides { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
.aside h2 { border: 0; margin: 6px 0 2px; padding: 0; font-size: 15px; }
.aside ul { margin: 2px 0 6px; padding-left: 18px; font-size: 14px; }
table { border-collapse: collapse; margin: 6px 0 12px; font-variant-numeric: tabular-nums;
        width: 100%; table-layout: auto; font-size: 13px; }
th, td { padding: 3px 8px; border-bottom: 1px solid var(--line); vertical-align: top;
         word-break: normal; }
th { background: var(--head); text-align: left; font-weight: 600;
     overflow-wrap: normal; hyphens: manual; }
td { overflow-wrap: break-word; }
table.long td { overflow-wrap: anywhere; }
td.n { text-align: right; white-space: nowrap; }
.wrap { overflow: visible; }
figure { margin: 10px 0 18px; }
figure svg { max-width: 100%; height: auto; display: block; }
.charts figure svg { max-width: 1100px; margin: 0 auto; }
details { margin: 10px 0; border: 1px solid var(--line); border-radius: 4px; padding: 6px 10px; }
summary { cursor: pointer; font-weight: 600; }
@page { size: auto; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  p.lead { font-size: 13pt; }
  p.lead:first-of-type { font-size: 15pt; }
  .kv { font-size: 15pt; }
  section.charts, section.detail { break-before: page; }
  h3 { break-after: avoid; }
  figure, .kn, tr { break-inside: avoid; }
  figure svg { width: 100% !important; max-width: 100%; height: auto; }
  table { font-size: 8pt; }
  th, td { padding: 2px 4px; }
  table.wide { font-size: 6.5pt; }
  table.wide th, table.wide td { padding: 1px 2px; }
  thead { display: table-header-group; }
  details:not([open]) > :not(summary) { display: none; }
  summary { list-style: none; }
}
"""
