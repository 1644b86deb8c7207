"""Trainee scoring (练习评分): a trainee's ticket against the recording's reference ticket.

Fields and weights (points of 100; a field the reference leaves empty is not scored and
the total is rescaled over the scored fields):

* ``name`` 姓名 (10): same name after removing 先生/女士/… titles = 1; same surname only = 0.5.
* ``phone`` 电话 (20): digits only (``+86`` dropped), exact = 1.
* ``address`` 地址 (15): same normalised address (:func:`assistant.extract.normalize_address`)
  = 1; one contains the other (less or more detail) = 0.7; similar (rapidfuzz ratio >= 0.8) =
  0.5.
* ``category`` 分类 (25): same catalogue leaf = 1; same department = 1 when the reference
  only names the department, else 0.5; wrong = 0.
* ``verdict`` 受理结论 (20): same verdict and (for refer) channel / (for decline) reason = 1;
  same verdict but another channel / reason = 0.5.
* ``summary`` 诉求摘要 (10): character overlap with the reference summary (share of the
  reference's characters found in the trainee's, punctuation, "来电人反映" and each ticket's
  own address removed); >= 0.6 counts as 1, less is scaled (reference summaries are
  paraphrases, so even a good summary rarely shares more).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from asr.text.phone import phone_key
from assistant.labels import TICKET_FIELD_LABELS, VERDICT_LABELS

WEIGHTS: dict[str, float] = {
    "name": 10.0,
    "phone": 20.0,
    "address": 15.0,
    "category": 25.0,
    "verdict": 20.0,
    "summary": 10.0,
}
SUMMARY_FULL = 0.6
_TITLES = re.compile(r"(先生|女士|小姐|阿姨|大爷|大妈|师傅|老师|同志)$")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class FieldScore:
    field: str
    label: str
    score: float  # 0..1
    weight: float
    trainee: str
    reference: str
    note: str = ""
    applicable: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "label": self.label, "score": self.score,
                "weight": self.weight, "trainee": self.trainee, "reference": self.reference,
                "note": self.note, "applicable": self.applicable}  # fmt: skip


@dataclass(frozen=True, slots=True)
class TicketScore:
    fields: tuple[FieldScore, ...]  # the scored fields
    total: float  # 0..100
    category_ok: bool | None
    improvements: tuple[str, ...]  # Chinese sentences, most costly miss first
    skipped: tuple[FieldScore, ...] = ()  # fields the reference leaves empty (not scored)

    def field(self, name: str) -> FieldScore:
        for f in (*self.fields, *self.skipped):
            if f.field == name:
                return f
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "category_ok": self.category_ok,
                "fields": [f.to_dict() for f in self.fields],
                "skipped": [f.to_dict() for f in self.skipped],
                "improvements": list(self.improvements)}  # fmt: skip


# --------------------------------------------------------------------------- normalisers


def _s(v: Any) -> str:
    return "" if v is None else str(v).strip()


def digits(phone: str) -> str:
    """The phone key (:func:`asr.text.phone.phone_key`) of the NFKC form (full-width digits)."""
    return phone_key(unicodedata.normalize("NFKC", phone))


def clean_name(name: str) -> str:
    n = _PUNCT.sub("", unicodedata.normalize("NFKC", name))
    return _TITLES.sub("", n)


def norm_address(address: str) -> str:
    if not address.strip():
        return ""
    from assistant.extract import normalize_address

    key = normalize_address(address)
    return _PUNCT.sub("", unicodedata.normalize("NFKC", key)).casefold()


def _summary_chars(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"^来电人(反映|表示|称)[：:]?", "", t.strip())
    return _PUNCT.sub("", t)


def summary_overlap(got: str, ref: str, *, got_address: str = "", ref_address: str = "") -> float:
    """:func:`char_overlap` with each ticket's own address removed from its summary (the
    address is a field of its own; reference summaries usually repeat it)."""
    if ref_address:
        ref = ref.replace(ref_address, "")
    if got_address:
        got = got.replace(got_address, "")
    return char_overlap(got, ref)


def char_overlap(got: str, ref: str) -> float:
    """Share of the reference's characters (with multiplicity) found in ``got``."""
    r, g = Counter(_summary_chars(ref)), Counter(_summary_chars(got))
    total = sum(r.values())
    if not total:
        return 1.0 if not g else 0.0
    return sum(min(n, g[c]) for c, n in r.items()) / total


def _as_dict(ticket: Any) -> dict[str, Any]:
    if isinstance(ticket, Mapping):
        return dict(ticket)
    to_dict = getattr(ticket, "to_dict", None)
    if callable(to_dict):
        d = to_dict()
        if isinstance(d, dict):
            return d
    raise TypeError("a ticket must be a dict or have to_dict() (TicketDraft, Ticket)")


def _category_of(t: Mapping[str, Any], catalogue: Any) -> tuple[str, str, str]:
    """(leaf id, path, department) of a ticket dict; department looked up when missing."""
    leaf_id = _s(t.get("category_id") or t.get("category"))
    path = _s(t.get("category_path"))
    dept = _s(t.get("department"))
    if leaf_id and catalogue is not None and (not dept or not path):
        getter = getattr(catalogue, "get", None)
        leaf = getter(leaf_id) if getter is not None else None
        if leaf is not None:
            dept = dept or leaf.department
            path = path or leaf.path_text
    return leaf_id, path, dept


# --------------------------------------------------------------------------- fields


def _score_name(got: str, ref: str) -> tuple[float, str]:
    g, r = clean_name(got), clean_name(ref)
    if not g:
        return 0.0, "没有记录来电人姓名：请询问“请问您怎么称呼？”。"
    if g == r:
        return 1.0, ""
    if len(r) == 1 and g.startswith(r):  # the reference only knows the surname
        return 1.0, ""
    if g[0] == r[0]:
        return 0.5, f"姓氏正确，名字与参考不同（参考：{ref}）：请让来电人确认名字怎么写。"
    return 0.0, f"姓名记错了（参考：{ref}）：请让来电人说明是哪个字，如“木子李”。"


def _score_phone(got: str, ref: str) -> tuple[float, str]:
    g, r = digits(got), digits(ref)
    if not g:
        return 0.0, "没有记录联系电话：请询问并复述核对。"
    if g == r:
        return 1.0, ""
    wrong = sum(1 for a, b in zip(g, r, strict=False) if a != b) + abs(len(g) - len(r))
    return 0.0, (f"电话号码有 {wrong} 位不对（参考：{r}）：记录后请逐位复述核对；"
                 "来电人更正号码时以最后一次为准。")  # fmt: skip


def _score_address(got: str, ref: str) -> tuple[float, str]:
    g, r = norm_address(got), norm_address(ref)
    if not g:
        return 0.0, "没有记录地址：请询问区、街道、小区和楼栋号。"
    if g == r:
        return 1.0, ""
    if r in g:
        return 0.7, f"地址比参考多了内容（参考：{ref}）：请只记录问题发生的位置。"
    if g in r:
        return 0.7, f"地址不够具体（参考：{ref}）：请补全区、街道、小区和楼栋号。"
    from rapidfuzz import fuzz

    if fuzz.ratio(g, r) >= 80:
        return 0.5, f"地址有出入（参考：{ref}）：请向来电人复述核对地址。"
    return 0.0, f"地址记错了（参考：{ref}）：请向来电人复述核对地址。"


def _score_category(
    got: Mapping[str, Any], ref: Mapping[str, Any], catalogue: Any
) -> tuple[float, str, str, str]:
    g_id, g_path, g_dept = _category_of(got, catalogue)
    r_id, r_path, r_dept = _category_of(ref, catalogue)
    shown_g = g_path or g_id or g_dept
    shown_r = r_path or r_id or r_dept
    if not (g_id or g_dept):
        return 0.0, shown_g, shown_r, "没有选择分类：请根据诉求从派单目录中选择。"
    if r_id and g_id == r_id:
        return 1.0, shown_g, shown_r, ""
    if g_dept and r_dept and g_dept == r_dept:
        if not r_id:
            return 1.0, shown_g, shown_r, ""
        return 0.5, shown_g, shown_r, (f"承办部门正确，但具体分类不同（参考：{shown_r}）："
                                       "请选到最贴切的三级分类。")  # fmt: skip
    return 0.0, shown_g, shown_r, (f"分类错误，工单会派到错误的部门（参考：{shown_r}，"
                                   f"{r_dept or '—'}）：请抓住诉求的核心问题再选择。")  # fmt: skip


def _score_verdict(got: Mapping[str, Any], ref: Mapping[str, Any]) -> tuple[float, str, str, str]:
    gv, rv = _s(got.get("verdict")) or "accept", _s(ref.get("verdict"))
    g_extra = _s(got.get("channel") if gv == "refer" else got.get("reason") if gv == "decline"
                 else "")  # fmt: skip
    r_extra = _s(ref.get("channel") if rv == "refer" else ref.get("reason") if rv == "decline"
                 else "")  # fmt: skip
    shown_g = VERDICT_LABELS.get(gv, gv) + (f"（{g_extra}）" if g_extra else "")
    shown_r = VERDICT_LABELS.get(rv, rv) + (f"（{r_extra}）" if r_extra else "")
    if gv != rv:
        return 0.0, shown_g, shown_r, (f"受理结论错误（参考：{shown_r}）：请对照受理范围规定，"
                                       "紧急情况立即转接，不属于热线的事项说明原因并告知途径。")  # fmt: skip
    if r_extra and g_extra != r_extra:
        what = "转办渠道" if rv == "refer" else "不予受理原因"
        return 0.5, shown_g, shown_r, f"受理结论正确，但{what}不对（参考：{r_extra}）。"
    return 1.0, shown_g, shown_r, ""


def _score_summary(got: str, ref: str, got_address: str, ref_address: str) -> tuple[float, str]:
    if not got.strip():
        return 0.0, "没有填写诉求摘要：请用一两句话写清谁、在哪里、遇到什么问题、有什么诉求。"
    ratio = summary_overlap(got, ref, got_address=got_address, ref_address=ref_address)
    score = 1.0 if ratio >= SUMMARY_FULL else round(ratio / SUMMARY_FULL, 2)
    if score >= 1.0:
        return 1.0, ""
    return score, (f"诉求摘要只覆盖了参考内容的 {ratio:.0%}：请写清地点、问题、持续时间和"
                   "来电人的诉求。")  # fmt: skip


# --------------------------------------------------------------------------- public


def score_ticket(trainee: Any, reference: Mapping[str, Any], catalogue: Any = None) -> TicketScore:
    """Score a trainee's ticket (dict or :class:`~assistant.store.TicketDraft`) against a
    reference ticket (dict; may give ``department`` without a ``category_id``)."""
    got = _as_dict(trainee)
    ref = dict(reference)
    rows: list[FieldScore] = []

    def add(name: str, score: float, g: str, r: str, note: str, applicable: bool = True) -> None:
        label = TICKET_FIELD_LABELS[name]
        rows.append(FieldScore(name, label, round(score, 2), WEIGHTS[name], g, r, note,
                               applicable))  # fmt: skip

    for name, fn in (("name", _score_name), ("phone", _score_phone),
                     ("address", _score_address)):  # fmt: skip
        g = _s(got.get(name) if name != "name" else got.get("name") or got.get("caller_name"))
        r = _s(ref.get(name))
        if not r:
            add(name, 0.0, g, "", "参考工单没有此项，不计分。", applicable=False)
            continue
        score, note = fn(g, r)
        add(name, score, g, r, note)

    r_id, _, r_dept = _category_of(ref, catalogue)
    category_ok: bool | None = None
    if r_id or r_dept:
        score, g, r, note = _score_category(got, ref, catalogue)
        add("category", score, g, r, note)
        category_ok = score >= 1.0
    else:
        add("category", 0.0, _category_of(got, catalogue)[1] or _s(got.get("department")), "",
            "本次来电不派单（参考工单没有分类），不计分。", applicable=False)  # fmt: skip

    if _s(ref.get("verdict")):
        score, g, r, note = _score_verdict(got, ref)
        add("verdict", score, g, r, note)
    else:
        add("verdict", 0.0, _s(got.get("verdict")), "", "参考工单没有受理结论，不计分。",
            applicable=False)  # fmt: skip

    r_sum = _s(ref.get("summary"))
    if r_sum:
        score, note = _score_summary(
            _s(got.get("summary")), r_sum, _s(got.get("address")), _s(ref.get("address"))
        )
        add("summary", score, _s(got.get("summary")), r_sum, note)
    else:
        add("summary", 0.0, _s(got.get("summary")), "", "参考工单没有摘要，不计分。",
            applicable=False)  # fmt: skip

    scored = [r for r in rows if r.applicable]
    base = sum(r.weight for r in scored)
    total = round(100.0 * sum(r.weight * r.score for r in scored) / base, 1) if base else 0.0
    improvements = tuple(r.note for r in sorted(scored, key=lambda r: -r.weight * (1 - r.score))
                         if r.score < 1.0 and r.note)  # fmt: skip
    return TicketScore(
        tuple(scored), total, category_ok, improvements, tuple(r for r in rows if not r.applicable)
    )
