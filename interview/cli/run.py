"""`spine-interview run`: replay an answers file headless with the interview's own engine.

Never imports Textual: a headless run must not pay for (or depend on) the terminal UI.
"""

from __future__ import annotations

import argparse
from typing import Any

from interview.cli.common import add_command, print_result, replay_file
from interview.errors import DB_ENV, EXIT_OK


def register(sub: Any) -> None:
    """Add `run` to the CLI's subparsers."""
    run = add_command(sub, "run", cmd_run, help="replay an answers file headless and print the result",
                      description="Replay an answers file with the interview's own logic (CONTRACT.md §1–2). "
                                  "Exit 0 on a recommendation, 2 on a bad file or value, 3 on a missing answer.")
    run.add_argument("--answers", metavar="FILE", required=True, help="YAML or JSON mapping of field id to value")
    run.add_argument("--flow", metavar="FLOW", help="flow id or path (default: spinal_metastases)")
    run.add_argument("--format", choices=("json", "markdown", "summary", "handover", "fhir"), default="json",
                     help="json (default), markdown (the report: summary first), summary (the one-screen summary "
                          "as plain text), handover (SBAR for the MSCC coordinator, with what it still lacks) or "
                          "fhir (a validated FHIR Bundle: the form, the answers, the scores and the recommendation)")
    run.add_argument("--fhir-version", choices=("R4B", "R5"), default="R4B", help="with --format fhir: the FHIR "
                                                                                  "release (default R4B)")
    run.add_argument("--fhir-type", choices=("collection", "document", "transaction"), default="collection",
                     help="with --format fhir: collection (default), document (a Composition first) or transaction "
                          "(conditional creates keyed on the answers, for a FHIR server)")
    run.add_argument("--now", metavar="TIME", help="the time the answers count as given and clock items are shown "
                                                   "against (ISO; default: now); reports say 'as of' it")
    run.add_argument("--save", action="store_true", help="also store the replayed case in the case database")
    run.add_argument("--label", metavar="TEXT", help="with --save: the case's label (default: a pseudonym)")
    run.add_argument("--db", metavar="PATH", help=f"case database for --save (default: ${DB_ENV} or the user data directory)")



def cmd_run(args: argparse.Namespace) -> int:
    """`spine-interview run`: replay an answers file and print the result."""
    if getattr(args, "save", False):
        from interview.cli.cases import check_label_arg

        check_label_arg(getattr(args, "label", None))  # refused before anything is run or written
    extras: dict[str, Any] = {}
    flow, outcome = replay_file(args.answers, args.flow, extras=extras)
    if args.format == "fhir":
        text = _fhir(args, flow, outcome.result)
    elif args.format != "json":
        from interview.cli.clinic import run_text

        text = run_text(flow, outcome.result, args.format, extras, args.now)
    else:
        import json

        text = json.dumps(outcome.result.to_json_dict(), indent=2, ensure_ascii=False) + "\n"
    if getattr(args, "save", False):
        from interview.cli.cases import save_replayed
        from interview.cli.clinic import now_arg, save_extras

        now = now_arg(args.now)
        # saves the case, then its clock entries and handover answers (if any), then prints
        save_replayed(args, flow, outcome, text,
                      after_save=lambda store, case_id: save_extras(store, case_id, flow, extras, now))
    else:
        print_result(text, "the result could not be printed")
    return EXIT_OK


def _fhir(args: argparse.Namespace, flow: Any, result: Any) -> str:
    """The replayed case as a validated FHIR Bundle (exit 1 if it cannot be built, as `cases export`)."""
    from interview.cli.clinic import now_arg
    from interview.cli.common import CliError
    from interview.errors import EXIT_FAILED
    from interview.export.fhir import FhirExportError, ReplayedCase, export_fhir

    when = now_arg(args.now).isoformat(timespec="seconds")
    try:
        return export_fhir(ReplayedCase(result.to_json_dict(), when, getattr(args, "label", None) or ""), flow,
                           args.fhir_version, bundle_type=args.fhir_type)
    except FhirExportError as err:
        raise CliError(err.message, EXIT_FAILED) from None
