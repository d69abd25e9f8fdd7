"""`dispute-playbook`: a thin command line over the Python API; it parses arguments and calls it."""
from __future__ import annotations

import argparse
import sys

from . import app as cli_app
from . import backtest as cli_backtest
from . import batch as cli_batch
from . import workshop as cli_workshop


def cmd_recommend(args) -> int:
    from ..advice.recommend import recommend
    from ..iorw.atomic import dumps, read_case_file
    from ..playbook.params import parse_params, parse_review_date
    parse_review_date(args.as_of)  # said as an option error (exit 2), not as the case's as_of_date
    rec = recommend(read_case_file(args.case), as_of=args.as_of, playbook=args.playbook,
                    params=parse_params(args.set), lang=args.lang)
    print(dumps(rec.to_dict()))
    return 0


def cmd_validate(args) -> int:
    from ..workshop.scenarios import validate_folder
    errors, warnings = validate_folder(args.playbook or args.playbook_option)
    for w in warnings:
        print(f"warning: {w}")
    for e in errors:
        print(f"error: {e}")
    print(f"{len(errors)} error(s), {len(warnings)} warning(s)")
    return 1 if errors else 0


def cmd_samples(args) -> int:
    if args.history:
        from ..batch.history import write_history
        path = write_history(args.out, count=args.count, seed=args.seed)
        print(f"wrote a history of {args.count} generated closed cases to {path}")
        return 0
    from ..batch.samples import write_samples
    path = write_samples(args.out, count=args.count, seed=args.seed)
    print(f"wrote {args.count} generated cases to {path}")
    return 0


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, the width found as shutil.get_terminal_size finds it but without
    importing shutil (which imports bz2, lzma and zlib: a tenth of `--help`)."""

    def __init__(self, prog, **kwargs):
        kwargs.setdefault("width", _columns() - 2)
        super().__init__(prog, **kwargs)


def _columns() -> int:
    import os
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class _Parser(argparse.ArgumentParser):
    """Every parser of the CLI (subcommands take the class of their parent)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        """An option that cannot be parsed, in the one-line form of every other error (argparse
        printed its usage block above the error), pointing to the command's help; exit 2."""
        command = self.prog.removeprefix("dispute-playbook").strip()
        print(f"dispute-playbook: {command + ': ' if command else ''}{message} — see `{self.prog} --help`",
              file=sys.stderr)
        self.exit(2)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="dispute-playbook", description="Decide buyer disputes with the playbook.")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("recommend", help="decide one case from a JSON file and print the recommendation")
    r.add_argument("case", help="case JSON (or YAML) file, or - for standard input")
    r.add_argument("--as-of", help="review date YYYY-MM-DD (default: the case's as_of_date, else today)")
    r.add_argument("--lang", default="en", choices=("en", "zh"), help="language of rationale and actions")
    r.add_argument("--playbook", help="playbook folder (default: the bundled playbook/)")
    r.add_argument("--set", action="append", metavar="PARAM=VALUE", help="override a playbook parameter")
    r.set_defaults(func=cmd_recommend)

    v = sub.add_parser("validate", help="check a playbook folder; errors name file and line")
    v.add_argument("playbook", nargs="?", help="playbook folder (default: the bundled playbook/)")
    v.add_argument("--playbook", dest="playbook_option", metavar="DIR",
                   help="the same folder, named as every other command names it")
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("samples", help="write generated synthetic cases (fixed seed) as CSV or Parquet")
    s.add_argument("--out", required=True, help="output file (.csv, .parquet or .jsonl)")
    s.add_argument("--count", type=int, default=1000)
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--history", action="store_true",
                   help="closed cases with what was done and how it ended, with planted truths (for backtest)")
    s.set_defaults(func=cmd_samples)

    # Each area declares its own subcommands (arguments only; heavy imports stay inside commands).
    for area in (cli_batch, cli_backtest, cli_app, cli_workshop):
        area.register(sub)
    return p


EXIT_CLOSED_PIPE = 141


def main(argv=None) -> int:
    """The one error boundary: every error the toolkit raises on purpose leaves here as one
    message on stderr and its documented exit code; anything else is a bug, reported without a
    traceback (the details go to a file the message names)."""
    if argv is None:  # the process's own command line
        _print_what_the_terminal_cannot_show()
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed its usage line and error (2), or --help (0)
        return exc.code if isinstance(exc.code, int) else 2
    from ..core.exceptions import EXIT_INTERNAL, PlaybookToolError  # not needed for --help
    from ..core.process import tune_numeric_libraries
    tune_numeric_libraries()  # before any command imports numpy or pyarrow
    try:
        with _terminate_as_interrupt():
            return args.func(args)
    except BrokenPipeError:
        # the reader closed the pipe (`| head`): its choice, not our error; silence the final flush.
        # 141 is what a shell reports for a program the closed pipe stopped (128 + SIGPIPE); 1 said
        # "rows rejected" to a script reading the code
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_CLOSED_PIPE
    except Terminated:
        print("dispute-playbook: stopped (SIGTERM)", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        if argv is None:  # deaf first: a second Ctrl-C while saying so ended the process by the signal
            _deaf_to_late_interrupts()
        print("dispute-playbook: interrupted", file=sys.stderr)
        return 130
    except PlaybookToolError as exc:
        print(exc.one_line(getattr(args, "lang", "en")), file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        full = _disk_full(exc)
        if full is None:
            return _report_bug(EXIT_INTERNAL)
        print(full.one_line(getattr(args, "lang", "en")), file=sys.stderr)
        return full.exit_code
    except Exception:  # noqa: BLE001 — the boundary: a bug must not show a user a traceback
        return _report_bug(EXIT_INTERNAL)
    finally:
        if argv is None:  # the process's own command line: only Python's teardown is left
            _deaf_to_late_interrupts()
            _exit_with_the_commands_code()


def _disk_full(exc: OSError):
    """A full disk or quota met while writing (an output file, standard output redirected to a full
    device; Arrow's writer raises plain OSErrors) as the OutputError it is, exit 4; None otherwise."""
    import errno
    if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
        return None
    from ..core.exceptions import OutputError
    where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
    return OutputError(f"cannot write{where}: no space left on the device — free some space, or write to "
                       "another disk, and run again")


def _print_what_the_terminal_cannot_show() -> None:
    """Standard output in an encoding without Chinese (a latin-1 terminal, Windows' cp1252 when
    redirected) shows a label it cannot encode as escapes (\u5148…); printing the summary of a
    finished batch with `--lang zh` raised UnicodeEncodeError, an internal error after the work was
    done. Standard error does this already (Python's default)."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None and (sys.stdout.encoding or "").lower().replace("-", "") not in ("utf8", "utf8sig"):
        reconfigure(errors="backslashreplace")


def _deaf_to_late_interrupts() -> None:
    """Once the command is done, a Ctrl-C has nothing left to stop: arriving during Python's teardown it
    printed a traceback from an exit hook (IPython's, after a report), or ended the process by the
    signal with no word. The exit code is the command's."""
    import signal
    import threading
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _exit_with_the_commands_code() -> None:
    """CPython notes a KeyboardInterrupt that leaves code compiled from a string (a dataclass builds
    its methods so, while its module is imported) and at exit ends the process by SIGINT, whatever
    the command returned: a Ctrl-C during an import exited -2 after 'interrupted', not 130. Running
    a string clears that note (CPython resets it before each); nothing can raise one after this, the
    process being deaf to Ctrl-C by now."""
    exec("None")  # noqa: S102 — a constant: the reset is the point


class Terminated(KeyboardInterrupt):
    """SIGTERM (`kill`, a scheduler or CI stopping the command) stops it the way Ctrl-C does: the
    processes it started are stopped and nothing half-written is left. Without this the command
    died at once and left its notebook workers and their kernels running."""


def _terminate_as_interrupt():
    """SIGTERM raises Terminated while a command runs (main thread only: only it can set a handler)."""
    import signal

    from ..core.process import signal_handled

    def stop(*_):
        raise Terminated
    return signal_handled(signal.SIGTERM, stop)


def _report_bug(code: int) -> int:
    import tempfile
    import traceback
    with tempfile.NamedTemporaryFile("w", prefix="dispute-playbook-crash-", suffix=".txt", delete=False) as fh:
        traceback.print_exc(file=fh)
    print(f"dispute-playbook: internal error (a bug, not your input): {sys.exc_info()[1]!r}. "
          f"The details are in {fh.name}; please report them.", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
