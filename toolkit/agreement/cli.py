"""``toolkit agreement``: agreement report of a project on the command line."""

from __future__ import annotations

import argparse
import sys

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``agreement`` subcommand."""
    p = subparsers.add_parser(
        "agreement",
        help="inter-annotator agreement report (stances per target, spans per annotator pair and label)",
        description="Print inter-annotator agreement of the human annotators (models and gold are left out).",
    )
    p.add_argument("--task", choices=["stances", "spans"], default="stances", help="what to compare (default stances)")
    p.add_argument("--format", choices=["table", "csv"], default="table", help="output format (default table)")
    p.add_argument(
        "--match",
        choices=["exact", "overlap", "token"],
        action="append",
        help="span matching (repeatable; default exact and overlap)",
    )
    p.add_argument("--disagreements", action="store_true", help="list disputed units instead of coefficients")
    p.add_argument("--bootstrap", type=int, default=0, metavar="N", help="bootstrap replicates for alpha CIs (stances)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compute and print the report; returns the exit code."""
    import pandas as pd

    from toolkit import Project
    from toolkit.hints import agreement_hint

    from .reports import disagreements, span_report, stance_agreement

    proj = Project.open(args.project)
    frames = proj.load(include_models=False)  # agreement is between people: model logs are not read
    frame = frames.stances if args.task == "stances" else frames.spans
    hint = agreement_hint(frame, args.task)
    if hint is not None and frame.empty:  # say what the model layers hold, as the hint does for a full load
        full = proj.load()
        hint = agreement_hint(full.stances if args.task == "stances" else full.spans, args.task)
    if hint is not None:
        # not an error: the project is fine, it just has nothing to compare yet
        print(hint, file=sys.stderr)
        return 0
    if args.disagreements:
        table = disagreements(frames, args.task)
    elif args.task == "stances":
        table = stance_agreement(frames, n_boot=args.bootstrap, seed=args.seed)
    else:
        table = span_report(frames.spans, frames.documents, match=args.match or ("exact", "overlap"))
    if args.format == "csv":
        table.to_csv(sys.stdout, index=False)
    elif not len(table):
        what = "disputed units" if args.disagreements else "units annotated by two or more annotators"
        print(f"No {what} for {args.task}: every unit was annotated by one person only, or all agree.",
              file=sys.stderr)
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200):
            print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0
