"""The report as one standalone HTML file: charts inline, each beside its table.

It is handed round at a 庁内連携会議 or opened on a phone from an e-mail, offline: so no
external file (charts are ``data:`` URIs, the CSS is inline, no script), ``lang="ja"``, tables
with ``<caption>`` and ``<th scope>`` for screen readers, alt text that says what the chart
shows, and a layout that puts the chart above its table below 900px wide. Jinja2 escapes
every value (autoescape): labels come from city files that anyone editing them controls.
"""

from __future__ import annotations

import base64

from jinja2 import Environment, select_autoescape

from bot.analytics.report import Cell, Report

__all__ = ["render_html"]

_TEMPLATE = """<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ report.title }} {{ report.period }}</title>
<style>
  :root { color-scheme: light; }
  body { font-family: "IPAGothic", "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", sans-serif;
         margin: 0 auto; max-width: 1280px; padding: 1rem; color: #1a1a1a; line-height: 1.6; }
  h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
  h2 { font-size: 1.2rem; border-left: .4rem solid #0072B2; padding-left: .5rem;
       margin: 2rem 0 .5rem; }
  .note { margin: 0 0 .75rem; color: #333; }
  .pair { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1rem;
          align-items: start; }
  .pair.wide { grid-template-columns: minmax(0, 1fr); }
  figure { margin: 0; }
  img { max-width: 100%; height: auto; border: 1px solid #ddd; }
  .scroll { overflow-x: auto; max-width: 100%; }
  table { border-collapse: collapse; font-size: .9rem; font-variant-numeric: tabular-nums; }
  caption { text-align: left; font-weight: bold; padding: .25rem 0; }
  th, td { border: 1px solid #bbb; padding: .2rem .45rem; white-space: nowrap; }
  thead th { background: #eef4fa; }
  tbody th { text-align: left; font-weight: normal; background: #fafafa; white-space: nowrap; }
  td.n { text-align: right; }
  dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem;
               margin: .75rem 0; }
  dl.summary dt { font-weight: bold; }
  dl.summary dd { margin: 0; }
  footer { margin-top: 2rem; font-size: .85rem; color: #444; }
  @media (max-width: 900px) {
    .pair { grid-template-columns: minmax(0, 1fr); }
    dl.summary { grid-template-columns: minmax(0, 1fr); }
    dl.summary dd { margin: 0 0 .3rem 1rem; }
  }
</style>
</head>
<body>
<header>
  <h1>{{ report.title }}</h1>
  <p>{{ report.period }}</p>
  <dl class="summary">
  {% for label, value in report.summary %}<dt>{{ label }}</dt><dd>{{ value }}</dd>
  {% endfor %}</dl>
</header>
<main>
{% for s in report.sections %}
<section id="{{ s.key }}" aria-labelledby="h-{{ s.key }}">
  <h2 id="h-{{ s.key }}">{{ s.title }}</h2>
  <p class="note">{{ s.note }}</p>
  <div class="pair{% if not s.chart or s.columns|length > 8 %} wide{% endif %}">
    {% if s.chart %}<figure><img src="{{ uri(s.chart) }}" alt="{{ s.alt }}"></figure>{% endif %}
    <div class="scroll">
    <table>
      <caption>{{ s.title }}（表）</caption>
      <thead><tr>{% for c in s.columns %}<th scope="col">{{ c }}</th>{% endfor %}</tr></thead>
      <tbody>
      {% for row in s.rows %}<tr>
        {% for value in row %}{% if loop.first and s.row_headers %}<th scope="row">{{ value }}</th>
        {% else %}<td{% if is_number(value) %} class="n"{% endif %}>{{ show(value) }}</td>
        {% endif %}{% endfor %}</tr>
      {% else %}<tr><td colspan="{{ s.columns|length }}">この期間のデータはありません</td></tr>
      {% endfor %}</tbody>
    </table>
    </div>
  </div>
</section>
{% endfor %}
</main>
<footer>
  <p>数値は相談ボットの分析用データ（個人を特定できる情報を除いたもの）から集計しています。
  住民が書いた文章そのものは載せていません。</p>
</footer>
</body>
</html>
"""

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def _uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _is_number(value: Cell) -> bool:
    """Numbers and rates (``12.3%``, ``―``) are right-aligned so columns compare at a glance."""
    if isinstance(value, str):
        return value == "―" or (value.endswith("%") and value[:-1].replace(".", "").isdigit())
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _show(value: Cell) -> str:
    if value is None:
        return "―"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


_TEMPLATE_OBJ = _ENV.from_string(_TEMPLATE)


def render_html(report: Report) -> str:
    """The whole report as one HTML document (UTF-8 text)."""
    return _TEMPLATE_OBJ.render(report=report, uri=_uri, is_number=_is_number, show=_show)
