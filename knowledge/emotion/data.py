"""Labelled caller lines for the emotion model (``knowledge/data/emotion/train.jsonl``).

A line is ``{"id", "text", "emotion": "calm"|"distressed"|"angry", "department": str|null,
"kind": "accept"|"refer"|"decline"|"emergency"|"turn"}``. Every line is validated; a bad
line raises :class:`~knowledge.errors.CatalogueError` naming file, line and field.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from knowledge.errors import CatalogueError
from knowledge.types import DEPARTMENTS

__all__ = ["DATA_DIR", "EMOTIONS", "TRAIN_PATH", "TrainLine", "data_checksum", "load_train"]

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "emotion"
TRAIN_PATH = DATA_DIR / "train.jsonl"
EMOTIONS: tuple[str, ...] = ("calm", "distressed", "angry")  # class order of the model
KINDS = ("accept", "refer", "decline", "emergency", "turn")


@dataclass(frozen=True, slots=True)
class TrainLine:
    id: str
    text: str
    emotion: str
    department: str | None
    kind: str


def data_checksum(path: Path = TRAIN_PATH) -> str:
    """SHA-256 of the training file's bytes (stored with the weights)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_train(path: Path = TRAIN_PATH) -> list[TrainLine]:
    """Read and validate the training lines."""
    out: list[TrainLine] = []
    seen: set[str] = set()
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue

        def bad(msg: str, field: str | None = None, n: int = n) -> CatalogueError:
            return CatalogueError(msg, path=str(path), line=n, column=field)

        try:
            row = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise bad(f"not valid JSON: {exc.msg}") from exc
        if not isinstance(row, dict):
            raise bad("a line must be a JSON object")
        for key in ("id", "text", "emotion"):
            if not isinstance(row.get(key), str) or not row[key].strip():
                raise bad("missing or empty", key)
        if row["id"] in seen:
            raise bad(f"duplicate id {row['id']!r}", "id")
        seen.add(row["id"])
        if row["emotion"] not in EMOTIONS:
            raise bad(f"{row['emotion']!r} is not one of {', '.join(EMOTIONS)}", "emotion")
        dept = row.get("department")
        if dept is not None and dept not in DEPARTMENTS:
            raise bad(f"unknown department {dept!r}", "department")
        kind = row.get("kind", "accept")
        if kind not in KINDS:
            raise bad(f"{kind!r} is not one of {', '.join(KINDS)}", "kind")
        out.append(TrainLine(row["id"], row["text"].strip(), row["emotion"], dept, kind))
    if not out:
        raise CatalogueError("no training lines", path=str(path))
    return out
