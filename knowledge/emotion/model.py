"""The trained caller-emotion model: calibrated logistic regression on embedding + lexicon.

Weights live in ``knowledge/data/emotion/model.npz`` (built by ``python -m
knowledge.emotion.train``) and are evaluated with numpy only — scikit-learn is needed to
train, not to run. The file stores, per cross-validation fold of
``CalibratedClassifierCV(LogisticRegression, method="sigmoid")``, the regression weights and
the per-class sigmoid calibrators; the probability is their average, exactly as scikit-learn
computes it. It also stores the feature scaling, the two decision thresholds tuned on the
tune half of the dev set, the embedding model it was trained with and the SHA-256 of the
training data.

Decision (the "neutral default"): the lexicon of :mod:`knowledge.classify` proposes angry /
distressed; the label stands only when the model's calibrated probability of it clears that
class's threshold, otherwise the caller is calm — a calm caller must not be told to calm
down.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.emotion.data import DATA_DIR, EMOTIONS, TRAIN_PATH, data_checksum
from knowledge.errors import KnowledgeError

if TYPE_CHECKING:
    import numpy as np

__all__ = ["MODEL_PATH", "EmotionModel", "default_model"]

MODEL_PATH = DATA_DIR / "model.npz"


@dataclass(frozen=True)
class EmotionModel:
    mean: np.ndarray  # (d,) feature scaling
    scale: np.ndarray  # (d,)
    coef: np.ndarray  # (folds, 3, d)
    intercept: np.ndarray  # (folds, 3)
    cal_a: np.ndarray  # (folds, 3) sigmoid calibrators: p = 1 / (1 + exp(a * f + b))
    cal_b: np.ndarray  # (folds, 3)
    threshold_distressed: float
    threshold_angry: float
    embedding_model: str
    data_sha256: str

    @property
    def dim(self) -> int:
        return int(self.mean.shape[0])

    def proba(self, feats: np.ndarray) -> np.ndarray:
        """Calibrated (n, 3) probabilities in :data:`EMOTIONS` order (calm, distressed, angry)."""
        import numpy as np

        x = (np.asarray(feats, dtype=np.float64).reshape(-1, self.dim) - self.mean) / self.scale
        total = np.zeros((x.shape[0], len(EMOTIONS)))
        for f in range(self.coef.shape[0]):
            dec = x @ self.coef[f].T + self.intercept[f]
            p = 1.0 / (1.0 + np.exp(self.cal_a[f] * dec + self.cal_b[f]))
            den = p.sum(axis=1, keepdims=True)
            p = np.divide(p, den, out=np.full_like(p, 1 / len(EMOTIONS)), where=den != 0)
            total += p
        out: np.ndarray = total / self.coef.shape[0]
        return out

    def decide(self, p: np.ndarray, proposal: str) -> str:
        """Emotion for one probability row, with the neutral (calm) default.

        ``proposal`` is the lexicon's label. A non-calm label stands only when the model's
        calibrated probability of it clears that class's threshold; otherwise calm. (On the
        tune half, letting the model *add* labels the lexicon did not propose never helped.)"""
        if proposal == "distressed" and float(p[1]) >= self.threshold_distressed:
            return "distressed"
        if proposal == "angry" and float(p[2]) >= self.threshold_angry:
            return "angry"
        return "calm"

    # ------------------------------------------------------------------ files
    def save(self, path: Path = MODEL_PATH) -> None:
        import numpy as np

        with path.open("wb") as fh:
            np.savez_compressed(
                fh,
                mean=self.mean.astype(np.float32),
                scale=self.scale.astype(np.float32),
                coef=self.coef.astype(np.float32),
                intercept=self.intercept.astype(np.float32),
                cal_a=self.cal_a,
                cal_b=self.cal_b,
                thresholds=np.asarray([self.threshold_distressed, self.threshold_angry]),
                embedding_model=np.asarray(self.embedding_model),
                data_sha256=np.asarray(self.data_sha256),
            )

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> EmotionModel:
        import numpy as np

        try:
            with np.load(path, allow_pickle=False) as z:
                thr = z["thresholds"]
                model = cls(
                    mean=z["mean"].astype(np.float64),
                    scale=z["scale"].astype(np.float64),
                    coef=z["coef"].astype(np.float64),
                    intercept=z["intercept"].astype(np.float64),
                    cal_a=z["cal_a"].astype(np.float64),
                    cal_b=z["cal_b"].astype(np.float64),
                    threshold_distressed=float(thr[0]),
                    threshold_angry=float(thr[1]),
                    embedding_model=str(z["embedding_model"]),
                    data_sha256=str(z["data_sha256"]),
                )
        except (OSError, KeyError, ValueError, IndexError) as exc:
            raise KnowledgeError(
                f"{path}: unreadable emotion model ({exc}); rebuild it with "
                "`python -m knowledge.emotion.train`"
            ) from exc
        if model.coef.shape[1:] != (len(EMOTIONS), model.dim):
            raise KnowledgeError(f"{path}: emotion weights have the wrong shape")
        return model

    def is_current(self, train_path: Path = TRAIN_PATH) -> bool:
        """True when the weights were trained on the current training file."""
        return self.data_sha256 == data_checksum(train_path)


_LOCK = threading.Lock()
_CACHE: dict[Path, EmotionModel | None] = {}


def default_model(path: Path = MODEL_PATH) -> EmotionModel | None:
    """The shipped model, loaded once per process; ``None`` when the file is missing."""
    with _LOCK:
        if path not in _CACHE:
            _CACHE[path] = EmotionModel.load(path) if path.is_file() else None
        return _CACHE[path]
