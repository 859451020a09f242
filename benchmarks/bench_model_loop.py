"""Model in the loop on the news evaluation set: a simulated annotator, three recommenders.

The 14 articles of ``tests/data/news_eval`` with their hand-checked entity gold
(``entities_gold.jsonl``, PERSON/ORG/GPE/NORP/LOC/FAC) are split by document (seeded,
:func:`toolkit.exporters.split_documents`) into training documents and held-out dev documents.

1. **Annotating the training documents.**  The toolkit proposes the documents in the order of the
   stock pipeline's uncertainty (:func:`toolkit.nlp.recommend.most_uncertain` logic: expected wrong
   suggestions first).  For each document, before the annotator sees it, we record what each
   recommender suggests there -- the string matcher built from the documents annotated so far and
   the stock pipeline -- against the gold held back.  Then the annotator accepts the correct
   suggestions and adds the missing names: the document's gold becomes its annotation.
2. **Trained pipeline.**  After 25, 50 and 100% of the training documents (in that order),
   ``toolkit train``'s pipeline is trained on them and scored on the dev documents, side by side
   with the stock pipeline and the string matcher built from the same documents.

Precision is the share of suggestions that are correct (exact span and label), recall the share of
gold spans suggested.  Only the gold's labels count (other labels a pipeline suggests -- DATE,
MONEY, ... -- are not judged).  Run: ``.venv/bin/python benchmarks/bench_model_loop.py [--epochs N]``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.news_eval import build_project, load_articles  # noqa: E402
from toolkit.exporters import split_documents  # noqa: E402
from toolkit.nlp import train as T  # noqa: E402
from toolkit.nlp.pipeline import DEFAULT_MODEL, load_pipeline  # noqa: E402
from toolkit.nlp.recommend import StringMatcher, entity_scores  # noqa: E402

GOLD_FILE = ROOT / "tests" / "data" / "news_eval" / "entities_gold.jsonl"


def load_gold() -> dict[str, list[tuple[int, int, str]]]:
    """``{doc id: [(start, end, label)]}`` from ``entities_gold.jsonl``."""
    out = {}
    for line in GOLD_FILE.read_text("utf-8").splitlines():
        rec = json.loads(line)
        out[rec["id"]] = [(e["start"], e["end"], e["label"]) for e in rec["entities"]]
    return out


class Tally:
    """Correct / suggested / gold counts."""

    def __init__(self) -> None:
        self.tp = self.pred = self.gold = 0

    def add(self, gold: set, pred: set) -> None:
        self.tp += len(gold & pred)
        self.pred += len(pred)
        self.gold += len(gold)

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / self.pred if self.pred else 0.0
        r = self.tp / self.gold if self.gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def row(self, name: str) -> str:
        p, r, f = self.prf()
        return f"  {name:<44}{p:>8.1%}{r:>8.1%}{f:>8.1%}{self.tp:>6}{self.pred:>6}{self.gold:>6}"


HEADER = f"  {'recommender':<44}{'P':>8}{'R':>8}{'F':>8}{'ok':>6}{'sugg':>6}{'gold':>6}"


def pipeline_spans(nlp, texts: dict[str, str], labels: set[str]) -> dict[str, set]:
    """Entity spans (gold labels only) a pipeline predicts, per document."""
    ids = list(texts)
    docs = T.predict_docs(nlp, [texts[i] for i in ids])
    out = {}
    for doc_id, doc in zip(ids, docs, strict=True):
        spans = set()
        for ent in doc.ents:
            s, e = ent.start_char, ent.end_char
            if doc.text[s:e].lower().startswith("the "):
                s += 4  # the toolkit's suggestions drop a leading "the" and a trailing 's
            if doc.text[s:e].endswith(("'s", "’s")):
                e -= 2
            if ent.label_ in labels:
                spans.add((s, e, ent.label_))
        out[doc_id] = spans
    return out


def matcher_from(gold: dict[str, list], texts: dict[str, str], doc_ids) -> StringMatcher:
    """The string matcher the team's annotations of ``doc_ids`` make."""
    m = StringMatcher()
    for d in doc_ids:
        for s, e, label in gold[d]:
            m.add(texts[d][s:e], label)
    for d in doc_ids:
        m.count(texts[d], [(s, e) for s, e, _ in gold[d]])
    return m


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dev-share", type=float, default=0.3)
    args = ap.parse_args(argv)

    articles = load_articles()
    texts = {a["id"]: a["text"] for a in articles}
    gold = load_gold()
    labels = {lab for spans in gold.values() for _, _, lab in spans}
    train_ids, dev_ids = split_documents(sorted(texts), args.dev_share, args.seed)
    stock = load_pipeline(DEFAULT_MODEL)
    print(f"news_eval: {len(texts)} articles, {sum(map(len, gold.values()))} gold entities "
          f"({', '.join(sorted(labels))}); train {len(train_ids)} / dev {len(dev_ids)} documents (seed {args.seed})")  # fmt: skip

    # --- the order the toolkit proposes: the stock pipeline's expected wrong suggestions, most first
    uncertainty = {}
    for d in train_ids:
        doc = stock(texts[d])
        uncertainty[d] = sum(1 - p for (_, _, lab), p in entity_scores(stock, doc).items() if lab in labels)
    order = sorted(train_ids, key=lambda d: (-uncertainty[d], d))
    print("proposal order (stock uncertainty): " + ", ".join(f"{d} {uncertainty[d]:.1f}" for d in order))

    # --- 1. the annotator works through the training documents
    stock_spans = pipeline_spans(stock, {d: texts[d] for d in texts}, labels)
    strings, strings_seen, stock_loop = Tally(), Tally(), Tally()
    t_match = 0.0
    for k, d in enumerate(order):
        g = set(gold[d])
        t0 = time.perf_counter()
        m = matcher_from(gold, texts, order[:k])
        sugg = {(s, e, lab) for s, e, lab, _ in m.suggest(texts[d])}
        t_match += time.perf_counter() - t0
        strings.add(g, sugg)
        known = {x for x in g if m.entry(texts[d][x[0] : x[1]]) is not None}
        strings_seen.add(known, sugg)
        stock_loop.add(g, stock_spans[d])
    print(f"\n1. while annotating the {len(order)} training documents in that order "
          f"(each document judged before it is annotated)")  # fmt: skip
    print(HEADER)
    print(strings.row("strings (names tagged in earlier documents)"))
    print(strings_seen.row("strings, on names already tagged"))
    print(stock_loop.row(f"stock {DEFAULT_MODEL}"))
    print(f"  string matcher rebuilt and run {len(order)} times in {t_match * 1000:.0f} ms")

    # --- 2. trained pipeline after 25/50/100% of the training documents, on dev
    with tempfile.TemporaryDirectory() as tmp:
        proj = build_project(tmp, articles)
        items = {d: T.TrainDoc(d, texts[d], ents=list(gold[d]), source="gold") for d in texts}
        data = T.TrainingData(
            [items[d] for d in order],
            tuple(lab.name for lab in proj.schema.entity_labels),
            tuple(lab.name for lab in proj.schema.claim_labels),
            (),
            tuple(proj.schema.stance_values),
        )
        dev_texts = {d: texts[d] for d in sorted(dev_ids)}
        dev_gold = {(d, *x) for d in dev_ids for x in gold[d]}
        base = Tally()
        base.add(dev_gold, {(d, *x) for d in dev_ids for x in stock_spans[d]})
        print(f"\n2. on the {len(dev_ids)} dev documents ({', '.join(sorted(dev_ids))}); "
              f"training with {args.epochs} epochs on 2 cores")  # fmt: skip
        print(HEADER)
        print(base.row(f"stock {DEFAULT_MODEL}"))
        for share in (0.25, 0.5, 1.0):
            n = max(1, math.ceil(len(order) * share))
            t0 = time.perf_counter()
            nlp, _, _ = T._train_on(data, [items[d] for d in order[:n]], args.epochs, args.seed, DEFAULT_MODEL)
            secs = time.perf_counter() - t0
            pred = pipeline_spans(nlp, dev_texts, labels)
            tr = Tally()
            tr.add(dev_gold, {(d, *x) for d, spans in pred.items() for x in spans})
            m = matcher_from(gold, texts, order[:n])
            st = Tally()
            st.add(dev_gold, {(d, s, e, lab) for d in dev_ids for s, e, lab, _ in m.suggest(texts[d])})
            print(tr.row(f"trained on {n:>2} docs ({share:.0%}), {secs:5.1f} s"))
            print(st.row(f"strings from the same {n:>2} docs"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
