"""Features of one caller text: the sentence embedding plus a few lexicon scores.

The embedding is the engine's own E5 query vector of the normalised text (``query: ``
prefix added by the backend), so a live analysis costs no extra model call. The lexicon part
is :func:`knowledge.emotion.lexicon.emotion_scores` (anger / distress cue sums) squashed to [0, 1),
plus whether the text has "!" / "?" — cues an embedding of 384 numbers can dilute.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from knowledge.embedding import Embedder

__all__ = ["LEXICON_DIM", "embed_texts", "features", "lexicon_features", "strip_punctuation"]

LEXICON_DIM = 4
_PUNCT = re.compile(r"[，。！？、；：,.!?;:…~～\"'“”‘’（）()\s]+")


def strip_punctuation(text: str) -> str:
    """What a recogniser without punctuation would give (training augmentation)."""
    return _PUNCT.sub(" ", text).strip()


def lexicon_features(texts: Sequence[str]) -> np.ndarray:
    import numpy as np

    from knowledge.emotion.lexicon import emotion_scores

    rows = []
    for t in texts:
        angry, distressed = emotion_scores(t)
        bang = float("!" in t or "！" in t)
        quest = float("?" in t or "？" in t)
        rows.append([np.tanh(angry / 2.0), np.tanh(distressed / 2.0), bang, quest])
    return np.asarray(rows, dtype=np.float32).reshape(len(texts), LEXICON_DIM)


def embed_texts(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """E5 query vectors of the normalised texts (what the engine computes for a query)."""
    from knowledge.tokenizer import normalize_text

    return embedder.encode_queries([normalize_text(t) for t in texts])


def features(vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """[embedding | lexicon] rows for texts whose query vectors are ``vectors``."""
    import numpy as np

    vecs = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
    return np.hstack([vecs, lexicon_features(texts)])
