"""`spine-interview check | schema | graph`: the tools for the people who write flows."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from interview.cli.common import add_command, load_flow_or_fail
from interview.errors import EXIT_OK


def register(sub: Any) -> None:
    """Add `check`, `schema` and `graph` to the CLI's subparsers."""
    check = add_command(sub, "check", cmd_check, help="lint flow files; exit 0 only when clean",
                        description="Check flows: schema, names, reachability, dead ends, references and the "
                                    "case contract's fields.")
    check.add_argument("flows", nargs="*", metavar="FLOW", help="flow ids or paths (default: every flow in flows/)")
    check.add_argument("--contract", metavar="FILE", help="case_fields.yaml to check against (default: the copy the package carries)")

    add_command(sub, "schema", cmd_schema, help="print the JSON Schema of flow files",
                description="Print the JSON Schema of flow files, for editors.")

    graph = add_command(sub, "graph", cmd_graph, help="print a flow as a Mermaid state diagram",
                        description="Print a flow as a Mermaid state diagram (paste into any Markdown viewer).")
    graph.add_argument("flow", nargs="?", metavar="FLOW", help="flow id or path (default: spinal_metastases)")


def cmd_check(args: argparse.Namespace) -> int:
    """`spine-interview check`: lint flows; exit 0 only when clean."""
    from interview.check.lint import lint_main

    return lint_main(args.flows, contract=args.contract)


def cmd_schema(args: argparse.Namespace) -> int:
    """`spine-interview schema`: the JSON Schema of flow files."""
    import json

    from interview.flow.schema import json_schema

    json.dump(json_schema(), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return EXIT_OK


def cmd_graph(args: argparse.Namespace) -> int:
    """`spine-interview graph`: the flow as a Mermaid state diagram."""
    from interview.check.graph import mermaid

    flow = load_flow_or_fail(args.flow)
    sys.stdout.write(mermaid(flow))
    return EXIT_OK
