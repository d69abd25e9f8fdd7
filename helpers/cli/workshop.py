"""`dispute-playbook workshop`: trainer commands (arguments only; the work is in helpers.workshop)."""
from __future__ import annotations

from ..core.names import DISPUTE_TYPES

LEVELS = ("basic", "intermediate", "advanced")  # helpers.scenarios.LEVELS, kept import-free here


def cmd_deck(args) -> int:
    from ..workshop.training import run_deck_cli
    return run_deck_cli(args)


def cmd_grade(args) -> int:
    from ..workshop.grading import run_grade_cli
    return run_grade_cli(args)


def register(sub) -> None:
    """Add this area's subcommands to the `dispute-playbook` parser."""
    w = sub.add_parser("workshop", help="trainer commands: make scenario decks, grade trainees' answers")
    wsub = w.add_subparsers(dest="workshop_command", required=True)

    d = wsub.add_parser("deck", help="draw a reproducible deck of scenarios (same seed, same deck)")
    d.add_argument("--size", type=int, required=True, help="how many scenarios")
    d.add_argument("--seed", type=int, required=True, help="the same seed gives the same deck")
    d.add_argument("--types", nargs="+", choices=DISPUTE_TYPES, metavar="TYPE",
                   help=f"only these dispute types ({', '.join(DISPUTE_TYPES)})")
    d.add_argument("--level", nargs="+", choices=LEVELS, metavar="LEVEL", help=f"only these levels ({', '.join(LEVELS)})")
    d.add_argument("--out", help="write the deck JSON here (default: print it)")
    d.add_argument("--playbook", help="playbook folder (default: the bundled playbook/)")
    d.set_defaults(func=cmd_deck)

    g = wsub.add_parser("grade", help="leaderboard, hardest scenarios and an HTML report from a folder of answer files")
    g.add_argument("answers_dir", metavar="ANSWERS_DIR", nargs="?",
                   help="folder of trainees' answer files (*.json); default: $DISPUTE_WORKSHOP_ANSWERS, else "
                        "workshop_answers in your data folder (where the workshop app saves them)")
    g.add_argument("--out", help="report folder (default: ANSWERS_DIR/report)")
    g.add_argument("--playbook", help="playbook folder (default: the bundled playbook/)")
    g.add_argument("--no-report", action="store_true", help="write the CSV tables only, skip the report notebook")
    g.add_argument("--lang", default="en", choices=("en", "zh"),
                   help="language of the resolution names, scenario titles and report headings")
    g.set_defaults(func=cmd_grade)
