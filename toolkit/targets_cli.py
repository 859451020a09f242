"""``toolkit targets``: list, add, rename and remove stance targets (see :mod:`toolkit.targets`)."""

from __future__ import annotations

import argparse

EXAMPLES = """examples:
  toolkit targets                          list targets and how many stances use each
  toolkit targets add "Corran Dam deal"
  toolkit targets rename "dam deal" "Corran Dam deal"   (existing stances move with it)
  toolkit targets remove "old target" [--drop-stances]
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "targets", help="list, add, rename or remove stance targets", epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    sub = p.add_subparsers(dest="targets_action", metavar="ACTION")
    a = sub.add_parser("add", help="add a stance target")
    a.add_argument("name")
    r = sub.add_parser("rename", help="rename a target; its stances keep their values")
    r.add_argument("old")
    r.add_argument("new")
    d = sub.add_parser("remove", help="remove an unused target")
    d.add_argument("name")
    d.add_argument("--drop-stances", action="store_true", help="also delete the stances that use it")
    sub.add_parser("list", help="targets and how many stances use each (the default)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from . import targets as t
    from .store import Project

    project = Project.open(args.project)
    action = args.targets_action or "list"
    if action == "add":
        print(f"added stance target {t.add_target(project, args.name)!r}")
    elif action == "rename":
        moved = t.rename_target(project, args.old, args.new)
        print(f"renamed {args.old!r} -> {args.new!r}; {moved} stance(s) moved")
    elif action == "remove":
        dropped = t.remove_target(project, args.name, drop_stances=args.drop_stances)
        print(f"removed stance target {args.name!r}" + (f"; {dropped} stance(s) deleted" if dropped else ""))
    else:
        rows = t.list_targets(project)
        if not rows:
            print('no stance targets yet; add one with: toolkit targets add "NAME"')
            return 0
        width = max(len(name) for name, _ in rows)
        for name, n in rows:
            note = "" if name in project.schema.stance_targets else "   (not in schema.json)"
            print(f"{name:<{width}}  {n:>5} stance(s){note}")
    return 0
