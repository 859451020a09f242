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
    from toolkit.errors import ToolkitError

    from .reports import disagreements, span_report, stance_agreement

    proj = Project.open(args.project)
    frames = proj.load()
    if args.disagreements:
        table = disagreements(frames, args.task)
    elif args.task == "stances":
        if len(frames.stances) == 0:
            raise ToolkitError(f"no stances in project {args.project}")
        table = stance_agreement(frames, n_boot=args.bootstrap, seed=args.seed)
    else:
        if len(frames.spans) == 0:
            raise ToolkitError(f"no spans in project {args.project}")
        table = span_report(frames.spans, frames.documents, match=args.match or ("exact", "overlap"))
    if args.format == "csv":
        table.to_csv(sys.stdout, index=False)
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200):
            print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}") if len(table) else "(nothing)")
    return 0
