"""The batch QA report: ONE self-contained HTML page (inline CSS and SVG, no scripts, no
external resources) for a set of saved sessions: score histogram, most frequent misses,
a table of the calls with links to each call's scorecard (moments with time and quote).

``write_report(sessions, out_html)``; from the command line
``hotline review --report OUT.html [SESSIONS...]``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from assistant.errors import SessionFileError
from assistant.files.session_reader import SavedSession, load_session
from assistant.qa.items import LABELS, POINTS, SPEAKER_LABELS, STATUS_LABELS, fmt_time
from assistant.qa.scorecard import PASS_MARK, Scorecard, score_session

HIST_COLOUR = "#2f6fdf"
MISS_COLOUR = "#d9534f"
BINS = 10


@dataclass(frozen=True, slots=True)
class ReportRow:
    session: SavedSession
    card: Scorecard
    anchor: str


_CSS = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;
margin:24px;color:#222;background:#fff;max-width:1100px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:2px solid #eee}
h3{font-size:16px;margin:20px 0 6px}.meta{color:#666;font-size:13px}
.charts{display:flex;gap:24px;flex-wrap:wrap}.chart{border:1px solid #ddd;border-radius:6px;
padding:8px}table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border:1px solid #ddd;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f5f7fa}.pass{color:#1a7f37;font-weight:bold}.fail{color:#c62828;font-weight:bold}
.na{color:#888}.num{text-align:right}.quote{color:#444;font-size:13px}
.card{border:1px solid #ddd;border-radius:6px;padding:4px 14px 14px;margin:18px 0}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:13px}
.badge.ok{background:#1a7f37}.badge.bad{background:#c62828}
"""


def _anchor(i: int, call_id: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in call_id)
    return f"call-{i + 1}-{safe}"


def _histogram(totals: Sequence[float]) -> str:
    counts = [0] * BINS
    for t in totals:
        counts[min(BINS - 1, int(max(0.0, t) // (100 / BINS)))] += 1
    w, h, left, bottom, top = 460, 240, 36, 40, 14
    bar_w = (w - left - 10) / BINS
    peak = max(counts) or 1
    parts = [f'<svg id="score-histogram" xmlns="http://www.w3.org/2000/svg" width="{w}" '
             f'height="{h}" role="img" aria-label="得分分布">']  # fmt: skip
    parts.append(f'<line x1="{left}" y1="{h - bottom}" x2="{w - 6}" y2="{h - bottom}" '
                 'stroke="#999"/>')  # fmt: skip
    for i, n in enumerate(counts):
        bh = (h - bottom - top) * n / peak
        x = left + i * bar_w
        if n:
            parts.append(f'<rect class="bar" x="{x + 3:.1f}" y="{h - bottom - bh:.1f}" '
                         f'width="{bar_w - 6:.1f}" height="{bh:.1f}" fill="{HIST_COLOUR}">'
                         f"<title>{i * 10}–{i * 10 + 10} 分：{n} 通</title></rect>")  # fmt: skip
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{h - bottom - bh - 3:.1f}" '
                         f'font-size="11" text-anchor="middle">{n}</text>')  # fmt: skip
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{h - bottom + 14}" font-size="10" '
                     f'text-anchor="middle">{i * 10}</text>')  # fmt: skip
    parts.append(f'<text x="{w / 2:.0f}" y="{h - 6}" font-size="12" text-anchor="middle">'
                 "质检得分（每档 10 分）</text>")  # fmt: skip
    parts.append(f'<text x="12" y="{top + 4}" font-size="12">通数</text></svg>')
    return "".join(parts)


def _misses_chart(misses: Counter[str], calls: int) -> str:
    keys = [k for k in POINTS if misses.get(k)]
    keys.sort(key=lambda k: (-misses[k], list(POINTS).index(k)))
    w, row, left = 460, 26, 90
    h = max(60, 30 + row * max(1, len(keys)))
    parts = [f'<svg id="misses-chart" xmlns="http://www.w3.org/2000/svg" width="{w}" '
             f'height="{h}" role="img" aria-label="最常见的扣分项">']  # fmt: skip
    if not keys:
        parts.append('<text x="10" y="30" font-size="13">没有未通过的项目</text>')
    peak = max((misses[k] for k in keys), default=1)
    for i, k in enumerate(keys):
        y = 10 + i * row
        bw = (w - left - 60) * misses[k] / peak
        parts.append(f'<text x="{left - 6}" y="{y + 15}" font-size="13" text-anchor="end">'
                     f"{escape(LABELS[k])}</text>")  # fmt: skip
        parts.append(f'<rect class="bar" x="{left}" y="{y + 2}" width="{bw:.1f}" height="18" '
                     f'fill="{MISS_COLOUR}"><title>{escape(LABELS[k])}：{misses[k]} 通</title>'
                     "</rect>")  # fmt: skip
        parts.append(f'<text x="{left + bw + 6:.1f}" y="{y + 15}" font-size="12">'
                     f"{misses[k]} / {calls}</text>")  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def _card_html(r: ReportRow) -> str:
    c, s = r.card, r.session
    badge = ('<span class="badge ok">合格</span>' if c.passed
             else '<span class="badge bad">不合格</span>')  # fmt: skip
    started = s.started_at.strftime("%Y-%m-%d %H:%M") if s.started_at else "—"
    out = [f'<div class="card" id="{r.anchor}"><h3>{escape(c.title)} '
           f"（{escape(c.call_id)}） {badge} 得分 {c.total:.0f}</h3>",
           f'<p class="meta">开始时间 {escape(started)} · 时长 {fmt_time(c.duration)} · '
           f"来电人说话 {c.caller_seconds:.0f} 秒 · 话务员说话 {c.agent_seconds:.0f} 秒 · "
           f"识别引擎 {escape(s.engine or '—')} · 会话目录 {escape(str(s.path))}</p>",
           "<table><tr><th>项目</th><th>结果</th><th class=num>得分</th><th>说明</th>"
           "<th>时刻与原话</th></tr>"]  # fmt: skip
    for it in c.items:
        pts = "—" if it.status == "na" else f"{it.points:.0f} / {it.max_points:.0f}"
        moments = "<br>".join(
            f'<span class="quote">[{fmt_time(m.t)}] '
            f"{escape(SPEAKER_LABELS.get(m.speaker, m.speaker))}："
            f"{escape(m.quote)}</span>" for m in it.moments
        )  # fmt: skip
        out.append(f"<tr><td>{escape(it.name)}</td><td class={it.status}>"
                   f"{STATUS_LABELS[it.status]}</td><td class=num>{pts}</td>"
                   f"<td>{escape(it.detail)}</td><td>{moments or '—'}</td></tr>")  # fmt: skip
    out.append("</table>")
    notes = (s.review or {}).get("notes")
    if notes:
        out.append(f"<p><b>质检员备注：</b>{escape(str(notes))}</p>")
    out.append('<p class="meta"><a href="#calls">返回列表</a></p></div>')
    return "".join(out)


def render_report(
    rows: Sequence[ReportRow], errors: Sequence[str] = (), generated: datetime | None = None
) -> str:
    """The HTML text of the report."""
    totals = [r.card.total for r in rows]
    misses: Counter[str] = Counter(i.key for r in rows for i in r.card.misses)
    n = len(rows)
    avg = sum(totals) / n if n else 0.0
    passed = sum(1 for r in rows if r.card.passed)
    when = (generated or datetime.now(UTC)).astimezone().strftime("%Y-%m-%d %H:%M")
    html = ["<!DOCTYPE html><html lang=zh-CN><head><meta charset=utf-8>",
            "<title>12345 热线通话质检报告</title>", f"<style>{_CSS}</style></head><body>",
            "<h1>12345 热线通话质检报告</h1>",
            f'<p class="meta">生成时间 {when} · 共 {n} 通电话 · 平均分 {avg:.1f} · '
            f"合格 {passed} 通（合格线 {PASS_MARK:.0f} 分且无服务禁语）</p>"]  # fmt: skip
    if errors:
        html.append("<h2>无法读取的会话</h2><ul>")
        html.extend(f"<li>{escape(e)}</li>" for e in errors)
        html.append("</ul>")
    html.append('<h2>总览</h2><div class="charts">')
    html.append(f'<div class="chart" id="chart-histogram"><h3>得分分布</h3>{_histogram(totals)}'
                "</div>")  # fmt: skip
    html.append(f'<div class="chart" id="chart-misses"><h3>最常见的扣分项</h3>'
                f"{_misses_chart(misses, n)}</div></div>")  # fmt: skip
    html.append('<h2 id="calls">通话列表</h2><table><tr><th>#</th><th>通话</th><th>开始时间</th>'
                "<th class=num>时长</th><th class=num>得分</th><th>结论</th><th>未通过项目</th>"
                "</tr>")  # fmt: skip
    for i, r in enumerate(rows):
        c = r.card
        started = r.session.started_at.strftime("%m-%d %H:%M") if r.session.started_at else "—"
        miss = "、".join(escape(m.name) for m in c.misses) or "—"
        verdict = ('<span class=pass>合格</span>' if c.passed
                   else '<span class=fail>不合格</span>')  # fmt: skip
        html.append(f'<tr><td>{i + 1}</td><td><a href="#{r.anchor}">{escape(c.title)}</a>'
                    f'<div class="meta">{escape(c.call_id)}</div></td><td>{started}</td>'
                    f"<td class=num>{fmt_time(c.duration)}</td><td class=num>{c.total:.0f}</td>"
                    f"<td>{verdict}</td><td>{miss}</td></tr>")  # fmt: skip
    html.append("</table><h2>逐通评分</h2>")
    html.extend(_card_html(r) for r in rows)
    html.append(
        '<p class="meta">评分项目：'
        + "；".join(f"{LABELS[k]} {v:.0f} 分" for k, v in POINTS.items())
        + "。不适用的项目不计入总分。</p>"
    )
    html.append("</body></html>")
    return "\n".join(html)


def write_report(sessions: Sequence[Path], out_html: Path) -> Path:
    """Score every session folder and write the report; unreadable sessions are listed at the
    top of the report (and do not stop it). Raises SessionFileError when none can be read."""
    from knowledge.scripts import load_scripts

    scripts = load_scripts()
    rows: list[ReportRow] = []
    errors: list[str] = []
    for p in sessions:
        try:
            s = load_session(p)
        except SessionFileError as exc:
            errors.append(str(exc))
            continue
        rows.append(ReportRow(s, score_session(s, scripts), _anchor(len(rows), s.call_id)))
    if not rows:
        raise SessionFileError("no readable session to report on: " + "; ".join(errors or
                               ["no session folders given"]))  # fmt: skip
    from asr.fileio import atomic_write

    return atomic_write(Path(out_html), render_report(rows, errors))
