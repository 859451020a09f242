"""CLI: ``toolkit compare entities|claims|quotes|stances|profiles|links|merge`` and
``toolkit report``.

This module only imports argparse at load time; pandas and matplotlib load when a command runs.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from toolkit.errors import ToolkitError

VIEWS = ("entities", "claims", "quotes", "stances", "profiles", "links")


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layer", metavar="NAMES",
                   help="whose annotations: an annotator, 'gold', 'model', 'human', 'all', or a "
                        "comma-separated list (default: gold if present, else all humans)")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``compare`` and ``report`` to the toolkit CLI."""
    p = subparsers.add_parser(
        "compare", help="compare sources: entities, claims, quotations, stances, profiles",
        description="Cross-source tables. 'quotes' lists each matched quotation pair with both "
                    "sources, both texts, similarity and attributions.")
    p.add_argument("view", choices=[*VIEWS, "merge"],
                   help="what to compare ('merge ALIAS CANONICAL' records an entity merge)")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="for 'merge': ALIAS CANONICAL (e.g. \"Doe\" \"Jane Doe\")")
    p.add_argument("--format", choices=["table", "csv"], default="table",
                   help="table (readable, default) or csv")
    p.add_argument("--labels", metavar="LABELS",
                   help="entities: comma-separated entity labels (default: all)")
    p.add_argument("--threshold", type=float, default=0.75,
                   help="quotes: minimum similarity 0..1 (default 0.75)")
    p.add_argument("--level", choices=["all", "document", "claim"], default="all",
                   help="stances: document-level, claim-level or all stances")
    _add_common(p)
    p.set_defaults(func=run)

    r = subparsers.add_parser("report", help="write one self-contained HTML comparison report")
    r.add_argument("--output", "-o", default="report.html", metavar="FILE",
                   help="HTML file to write (default: report.html)")
    r.add_argument("--title", help="report title")
    _add_common(r)
    r.set_defaults(func=run_report)


def _emit(frame: Any, fmt: str, index: bool = True) -> None:
    import pandas as pd

    if fmt == "csv":
        frame.to_csv(sys.stdout, index=index)
        return
    if frame.empty:
        print("(nothing to show)")
        return
    with pd.option_context("display.max_rows", None, "display.max_columns", None,
                           "display.width", 200, "display.max_colwidth", 70):
        print(frame.to_string(index=index))


def _comparison(args: argparse.Namespace, **kwargs: Any) -> Any:
    from pathlib import Path

    from toolkit.compare._layers import parse_layer_arg
    from toolkit.compare.report import Comparison

    if not Path(args.project).is_dir():
        raise ToolkitError(f"{args.project}: project folder not found (use --project DIR)")
    return Comparison.from_project(args.project, layer=parse_layer_arg(args.layer), **kwargs)


def run(args: argparse.Namespace) -> int:
    """``toolkit compare VIEW``."""
    from toolkit.compare import claims, entities, stances

    if args.view == "merge":
        if len(args.names) != 2:
            raise ToolkitError("compare merge: give exactly two names: ALIAS CANONICAL")
        merges = entities.add_merge(args.project, args.names[0], args.names[1])
        print(f"recorded: {args.names[0]!r} -> {args.names[1]!r} "
              f"({len(merges)} merges in {entities.merges_path(args.project)})")
        return 0
    if args.names:
        raise ToolkitError(f"compare {args.view}: unexpected arguments {args.names}")
    labels = tuple(x.strip() for x in args.labels.split(",")) if args.labels else None
    cmp = _comparison(args, entity_labels=labels, quote_threshold=args.threshold)
    if args.view == "entities":
        _emit(cmp.entity_matrix, args.format)
    elif args.view == "claims":
        table = cmp.cluster_matrix.copy()
        attr = cmp.attributions
        if not table.empty:
            table.index = [i.split(":")[0] for i in table.index]
            table.index.name = "cluster"
            speakers = attr.apply(lambda r: "; ".join(f"{s}: {v}" for s, v in r.items() if v),
                                  axis=1)
            table["text"] = claims.cluster_labels(cmp.clusters).str.split(": ", n=1).str[1]
            table["attributed to"] = speakers
        _emit(table, args.format)
    elif args.view == "links":
        cols = ["score", "source_a", "text_a", "source_b", "text_b", "a", "b"]
        _emit(cmp.suggested_links[cols] if not cmp.suggested_links.empty
              else cmp.suggested_links, args.format, index=False)
    elif args.view == "quotes":
        cols = ["similarity", "source_a", "speaker_a", "text_a", "source_b", "speaker_b",
                "text_b", "diff"]
        qm = cmp.quote_matches
        _emit(qm[cols] if not qm.empty else qm, args.format, index=False)
    elif args.view == "stances":
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            _emit(stances.stance_table(cmp.stance_frame, cmp.layer, level=args.level),
                  args.format)
    elif args.view == "profiles":
        _emit(cmp.profiles, args.format)
    return 0


def run_report(args: argparse.Namespace) -> int:
    """``toolkit report``."""
    from toolkit.compare.report import write_report

    cmp = _comparison(args)
    out = write_report(cmp, args.output, title=args.title)
    print(f"wrote {out} ({out.stat().st_size:,} bytes): open it in a web browser")
    return 0
