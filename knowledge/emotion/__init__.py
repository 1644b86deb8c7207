"""Caller emotion (issue 20): a small calibrated classifier on embedding + lexicon features.

==================================  ==================================================
``knowledge.emotion.lexicon``       the cue lexicon (``emotion_scores``)
``knowledge.emotion.data``          training lines (validated), their checksum
``knowledge.emotion.features``      embedding + lexicon feature rows
``knowledge.emotion.model``         :class:`EmotionModel` (numpy-only inference, npz weights)
``knowledge.emotion.train``         ``python -m knowledge.emotion.train`` rebuilds the weights
``knowledge.emotion.evaluate``      accuracy / precision / recall / confusion; dev halves
``knowledge.emotion.track``         :class:`CallEmotion`, the caller's emotion over a call
==================================  ==================================================
"""

from __future__ import annotations

from knowledge.emotion.evaluate import EmotionReport, emotion_report
from knowledge.emotion.model import EmotionModel, default_model
from knowledge.emotion.track import CallEmotion

__all__ = ["CallEmotion", "EmotionModel", "EmotionReport", "default_model", "emotion_report"]
