"""CLI: ``toolkit compare entities|claims|quotes|stances|profiles|links|merge|merges`` and
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
    p.add_argument("view", choices=[*VIEWS, "merge", "merges"],
                   help="what to compare ('merge ALIAS CANONICAL' records an entity merge; 'merges' lists "
                        "merge proposals for review)")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="for 'merge': ALIAS CANONICAL (e.g. \"Doe\" \"Jane Doe\")")
    p.add_argument("--format", choices=["table", "csv"], default="table",
                   help="table (readable, default) or csv")
    p.add_argument("--labels", metavar="LABELS",
                   help="entities, merges: comma-separated entity labels (default: all but dates and numbers)")
    p.add_argument("--all-labels", action="store_true",
                   help="entities, merges: keep DATE, TIME, CARDINAL, ORDINAL, PERCENT, MONEY, QUANTITY too")
    p.add_argument("--accept", action="append", default=[], metavar="ALIAS",
                   help="merges: accept the proposal for ALIAS (repeatable; 'ALIAS=CANONICAL' when "
                        "ALIAS has several)")
    p.add_argument("--reject", action="append", default=[], metavar="ALIAS",
                   help="merges: reject the proposal for ALIAS: never proposed again (repeatable)")
    p.add_argument("--accept-all", action="store_true", help="merges: accept every open proposal")
    p.add_argument("--status", choices=["proposed", "accepted", "rejected", "all"], default="proposed",
                   help="merges: which proposals to list (default: proposed)")
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
    if (args.accept or args.reject or args.accept_all) and args.view != "merges":
        raise ToolkitError(f"compare {args.view}: --accept/--reject/--accept-all belong to 'compare merges'")
    labels = tuple(x.strip() for x in args.labels.split(",")) if args.labels else None
    if args.view == "merges":
        return _run_merges(args, labels)
    cmp = _comparison(args, entity_labels=labels, quote_threshold=args.threshold)
    if args.all_labels and labels is None and not cmp.spans.empty:
        cmp.entity_labels = tuple(sorted(cmp.spans["label"].dropna().astype(str).unique()))
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


def _split_alias(value: str) -> tuple[str, str | None]:
    alias, _, canonical = value.partition("=")
    return alias.strip(), (canonical.strip() or None)


def _run_merges(args: argparse.Namespace, labels: tuple[str, ...] | None) -> int:
    """``toolkit compare merges``: refresh the stored proposals, apply decisions, list them."""
    from pathlib import Path

    from toolkit.compare import entities
    from toolkit.compare._layers import parse_layer_arg

    if not Path(args.project).is_dir():
        raise ToolkitError(f"{args.project}: project folder not found (use --project DIR)")
    layer = parse_layer_arg(args.layer)
    status = None if args.status == "all" else args.status
    frame = entities.merge_proposals(args.project, layer, labels, all_labels=args.all_labels, status=status)
    for value in args.reject:
        p = entities.reject_proposal(args.project, *_split_alias(value))
        print(f"rejected: {p['alias']!r} -> {p['canonical']!r}")
    for value in args.accept:
        p = entities.accept_proposal(args.project, *_split_alias(value))
        print(f"accepted: {p['alias']!r} -> {p['canonical']!r}")
    if args.accept_all:
        done = entities.accept_all_proposals(args.project)
        print(f"accepted {len(done)} proposal(s)")
    if args.accept or args.reject or args.accept_all:
        # Decisions change the groups, and so the proposals: list the fresh state.
        frame = entities.merge_proposals(args.project, layer, labels, all_labels=args.all_labels, status=status)
    if frame.empty and args.format == "table":
        which = "" if status is None else f" with status {status!r}"
        print(f"no merge proposals{which} ({entities.merges_path(args.project)})")
        return 0
    if args.format == "table":
        frame = frame.rename(columns={"alias_mentions": "n_alias", "canonical_mentions": "n_canonical"})
    _emit(frame, args.format, index=False)
    return 0


def run_report(args: argparse.Namespace) -> int:
    """``toolkit report``."""
    from toolkit.compare.report import write_report

    cmp = _comparison(args)
    out = write_report(cmp, args.output, title=args.title)
    print(f"wrote {out} ({out.stat().st_size:,} bytes): open it in a web browser")
    return 0
