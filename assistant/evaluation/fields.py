"""Single-sentence field scoring on ``tests/data/fields_devset`` (issue 16).

Each line is one caller sentence with its gold name / phone / address ("" = no value, a
negative). Run: ``python -m assistant.evaluation.fields FILE.jsonl`` — prints exact-match
accuracy per field and split, and for address negatives how many gave a (wrong) address.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from assistant.extract import extract_address, extract_name, extract_phone

__all__ = ["predict", "score_file"]


def predict(row: dict[str, Any]) -> str:
    """The extractor's value for one dev row ("" when it found nothing)."""
    text, field = row["text"], row["field"]
    if field == "name":
        fv = extract_name(text, asked=bool(row.get("asked")))
    elif field == "phone":
        fv = extract_phone(text)
    else:
        fv = extract_address(text)
    return fv.value if fv is not None else ""


def score_file(path: Path | str) -> dict[tuple[str, str], tuple[int, int]]:
    """(field, split) -> (right, total); address negatives are field ``address-neg``."""
    out: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        for key in ("id", "split", "field", "text", "gold"):
            if key not in row:
                raise ValueError(f"{path}:{n}: field {key!r} is missing")
        field = row["field"] + ("-neg" if row["gold"] == "" else "")
        cell = out[(field, row["split"])]
        cell[0] += predict(row) == row["gold"]
        cell[1] += 1
    return {k: (v[0], v[1]) for k, v in sorted(out.items())}


if __name__ == "__main__":  # pragma: no cover - CLI
    for (fld, split), (ok, tot) in score_file(sys.argv[1]).items():
        print(f"{fld:12s} {split:7s} {ok}/{tot} = {ok / tot:.2f}")
