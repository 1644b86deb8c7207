"""Session commands: `hotline replay SESSION`, `hotline qa SESSION...`, `hotline sessions [DIR]`.

Saved sessions are read with :mod:`assistant.files.session_reader` (no speech model needed).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.cli.display import echo
from assistant.labels import (
    EMOTION_LABELS,
    FIELD_LABELS,
    SPEAKER_LABELS,
    URGENCY_LABELS,
    VERDICT_LABELS,
)

if TYPE_CHECKING:
    from assistant.files.session_reader import SavedSession
    from assistant.files.suggestions import SuggestionRecord

# The form fields that a replay prints as they change (the category has its own line).
REPLAY_FIELDS = ("name", "phone", "address", "incident_time", "summary")


def _ts(t: float) -> str:
    m, s = divmod(max(0.0, t), 60.0)
    return f"{int(m):02d}:{s:04.1f}"


def _changes(prev: SuggestionRecord | None, cur: SuggestionRecord) -> list[str]:
    """What changed in the assistant's output, as Chinese lines."""
    out: list[str] = []
    top, ptop = cur.top, prev.top if prev else None
    if top is not None and (ptop is None or ptop.id != top.id):
        out.append(f"建议分类：{top.path}（{top.department}，时限 {top.deadline}，"
                   f"得分 {top.score:.2f}）")  # fmt: skip
        others = "；".join(f"{c.path}" for c in cur.categories[1:3])
        if others:
            out.append(f"其他候选：{others}")
    verdict_now = (cur.verdict, cur.channel, cur.reason)
    verdict_before = (prev.verdict, prev.channel, prev.reason) if prev else ("accept", None, None)
    if verdict_now != verdict_before:
        extra = cur.channel or cur.reason
        out.append(f"受理结论：{VERDICT_LABELS.get(cur.verdict, cur.verdict)}"
                   + (f"（{extra}）" if extra else ""))  # fmt: skip
    if cur.urgency != (prev.urgency if prev else "normal"):
        out.append(f"紧急程度：{URGENCY_LABELS.get(cur.urgency, cur.urgency)}")
    if cur.emotion != (prev.emotion if prev else "calm"):
        out.append(f"情绪：{EMOTION_LABELS.get(cur.emotion, cur.emotion)}")
    seen = {(a.kind, a.channel, a.rule_id) for a in (prev.alerts if prev else ())}
    for a in cur.alerts:
        if (a.kind, a.channel, a.rule_id) not in seen:
            out.append(f"⚠ 提醒：{a.title}")
    pf = prev.fields if prev else {}
    for name in REPLAY_FIELDS:
        v = cur.fields.get(name)
        if v and v != pf.get(name):
            out.append(f"{FIELD_LABELS[name]}：{v}")
    return out


Item = tuple[float, int, str, Any]


def timeline(s: SavedSession) -> Iterator[Item]:
    """(call time, order, kind, payload) of the final events and the suggestion changes."""
    items: list[Item] = []
    for i, (ev, at) in enumerate(zip(s.events, s.emitted_at, strict=False)):
        if ev.final:
            items.append((at if at > 0 else ev.end, 2 * i, "event", ev))
    prev: SuggestionRecord | None = None
    for j, rec in enumerate(s.suggestions):
        lines = _changes(prev, rec)
        if lines:
            # after the event emitted at the same time
            items.append((rec.t, 2 * len(s.events) + j, "changes", lines))
        prev = rec
    items.sort(key=lambda x: (x[0], 0 if x[2] == "event" else 1, x[1]))
    yield from items


def replay_session(
    s: SavedSession,
    echo: Callable[[str], None] = echo,
    *,
    realtime: bool = False,
    speed: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Print the session as it happened (with ``realtime``: at its pace / ``speed``)."""
    started = s.started_at.strftime("%Y-%m-%d %H:%M:%S") if s.started_at else "—"
    echo(f"通话 {s.call_id}：{s.title}")
    echo(f"开始 {started} · 时长 {_ts(s.duration)} · 来源 {s.source} · 识别 {s.engine or '—'}"
         + (f"（{s.model}）" if s.model else ""))  # fmt: skip
    if not s.events_complete:
        echo("注意：事件文件没有结束标记（录制中断），以下为中断前的内容。")
    echo("")
    from asr.audio.pacing import paced

    items = timeline(s)
    if realtime:
        items = paced(items, lambda item: item[0], speed=speed, sleep=sleep)
    for _t, _, kind, payload in items:
        if kind == "event":
            ev = payload
            echo(f"[{_ts(ev.start)}] {SPEAKER_LABELS.get(ev.speaker, ev.speaker)}：{ev.text}")
        else:
            for line in payload:
                echo(f"          → {line}")
    echo("")
    ticket = s.ticket
    if ticket:
        echo("工单：")
        rows = [("姓名", ticket.get("name")), ("电话", ticket.get("phone")),
                ("地址", ticket.get("address")), ("发生时间", ticket.get("incident_time")),
                ("分类", ticket.get("category_path") or ticket.get("category_id")),
                ("承办部门", ticket.get("department")), ("办理时限", ticket.get("deadline")),
                ("受理结论", VERDICT_LABELS.get(str(ticket.get("verdict")), ticket.get("verdict"))),
                ("转办渠道", ticket.get("channel")), ("不予受理原因", ticket.get("reason")),
                ("紧急程度", URGENCY_LABELS.get(str(ticket.get("urgency")), ticket.get("urgency"))),
                ("诉求摘要", ticket.get("summary"))]  # fmt: skip
        for label, value in rows:
            if value:
                echo(f"  {label}：{value}")
    else:
        echo("（此会话没有提交工单）")


def _sessions_or_exit(paths: list[Path]) -> list[SavedSession]:
    from assistant.errors import SessionFileError
    from assistant.files.session_reader import load_session

    out = []
    for p in paths:
        try:
            out.append(load_session(p))
        except SessionFileError as exc:
            echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
    return out


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""

    @app.command("replay")
    def replay(
        session: Annotated[
            Path,
            typer.Argument(
                help="A saved session folder (e.g. audio_samples/01_rural_road/session)."
            ),
        ],
        realtime: Annotated[
            bool, typer.Option("--realtime", help="Print at the pace of the call.")
        ] = False,
        speed: Annotated[
            float, typer.Option("--speed", min=0.1, help="Speed factor with --realtime.")
        ] = 1.0,
    ) -> None:
        """Print a saved call as it happened: who said what, when the suggestions, verdict
        and alerts changed, and the ticket. No speech model needed."""
        (s,) = _sessions_or_exit([session])
        replay_session(s, realtime=realtime, speed=speed)

    @app.command("qa")
    def qa(
        sessions: Annotated[list[Path], typer.Argument(help="Saved session folders.")],
    ) -> None:
        """Print the QA scorecard of saved calls (for the HTML report: hotline review --report)."""
        from assistant.qa import STATUS_LABELS, score_session

        for s in _sessions_or_exit(sessions):
            card = score_session(s)
            verdict = "合格" if card.passed else "不合格"
            echo(f"{card.title}（{card.call_id}）：{card.total:.0f} 分，{verdict}")
            for it in card.items:
                pts = "—" if it.status == "na" else f"{it.points:.0f}/{it.max_points:.0f}"
                echo(f"  {it.name}  {STATUS_LABELS[it.status]}  {pts}  {it.detail}")
                for m in it.moments[:3]:
                    echo(f"      {m.label()}")

    @app.command("sessions")
    def sessions_list(
        directory: Annotated[
            Path | None,
            typer.Argument(
                help="Folder to list (default: the recordings folder and the sample calls)."
            ),
        ] = None,
    ) -> None:
        """List saved call sessions."""
        from assistant.files.samples import SAMPLES_DIR
        from assistant.files.session_reader import list_sessions
        from assistant.settings import load_settings

        dirs = [directory] if directory else [load_settings().effective_recordings_dir,
                                              SAMPLES_DIR]  # fmt: skip
        found = [s for d in dirs for s in list_sessions(d)]
        if not found:
            echo("没有找到保存的通话会话")
            return
        for s in found:
            when = s.started_at.strftime("%Y-%m-%d %H:%M") if s.started_at else "—"
            flags = ("工单" if s.has_ticket else "") + (" 已质检" if s.has_review else "")
            echo(f"{when}  {s.source:<8} {s.call_id:<28} {s.title}  {flags}  {s.path}")
