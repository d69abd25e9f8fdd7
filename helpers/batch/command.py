"""`dispute-playbook batch` as one call: options checked, the engine run, per-case notebooks, the
summary and the report. It sits above the engines (runner, dask_engine, per_case, report), which
never import it; errors are raised (PlaybookToolError) for `cli.main` to turn into exit codes.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..core.exceptions import InputFileError, OutputError, UsageError
from ..iorw.atomic import writable_folder
from ..playbook.params import parse_params, parse_review_date
from .runner import BatchResult, Options


def options_from_args(args) -> Options:
    """The parsed command line as Options; a value that cannot be used is a UsageError (exit 2)."""
    if args.chunk_rows < 1:
        raise UsageError(f"--chunk-rows must be at least 1, not {args.chunk_rows}")
    if args.workers < 1:
        raise UsageError(f"--workers must be at least 1, not {args.workers}")
    if args.xlsx_max_rows < 0:
        raise UsageError(f"--xlsx-max-rows must be 0 or more, not {args.xlsx_max_rows} — give the most rows "
                         "recommendations.xlsx may have, e.g. --xlsx-max-rows 200000")
    from .outdir import refuse_a_file  # here: outdir imports pandas, which a batch imports beside Arrow's parse
    refuse_a_file(args.out)  # before the report's process starts, which would find the folder unwritable (exit 4)
    if args.engine == "dask" and args.per_case_notebooks:
        raise UsageError("--per-case-notebooks runs with --engine pandas only (one notebook per case is "
                         "an audit of a batch that fits one machine); drop one of the two options")
    as_of = parse_review_date(args.as_of)
    return Options(cases=args.cases, out=args.out, as_of=as_of,
                   playbook=args.playbook, params=parse_params(args.set), lang=args.lang, columns=args.columns,
                   render=not args.no_messages, explain=not args.no_explain, chunk_rows=args.chunk_rows,
                   resume=args.resume, xlsx_max_rows=args.xlsx_max_rows, report=not args.no_report,
                   per_case_notebooks=args.per_case_notebooks, workers=args.workers,
                   durable=getattr(args, "durable", False), orders=getattr(args, "orders", None))


def print_summary(result: BatchResult, out=None, labels: dict | None = None, lang: str = "en",
                  whole_units=frozenset()) -> None:
    """The run in a few lines, in the run's language: rows in, decided and rejected, then cases per
    resolution, most first — its label (`labels`: resolution -> words in the run's language) and, in
    brackets, the value the `resolution` column of recommendations.csv holds, to filter on. Amounts
    of a currency in `whole_units` (the playbook's: JPY) are written without decimals."""
    from ..playbook.labels import ui
    out = out or sys.stdout
    labels = labels or {}
    print(ui("run_summary", lang).format(rows=result.rows, decided=result.decided, rejected=result.rejected,
                                         out=result.out), file=out)
    width = len(str(max(result.resolutions.values(), default=0)))
    for res, n in result.resolutions.most_common():
        label = labels.get(res)
        print(f"  {n:>{width}}  {label} [{res}]" if label else f"  {n:>{width}}  {res}", file=out)
    if result.whatif:
        from .whatif import summary_lines
        for line in summary_lines(result.whatif, labels, lang, whole_units):
            print(line, file=out)
    for note in [*result.notes, *result.said]:
        print(ui("note", lang).format(note), file=out)


def run_batch_cli(args) -> int:
    """0, or 1 with --strict when rows were rejected; every failure is raised, never printed here."""
    opts = options_from_args(args)
    if not Path(opts.cases).exists():
        raise InputFileError.missing(opts.cases, folder=args.engine == "dask")
    if opts.report:  # the report's imports happen in their own process while the checks and the batch run
        from . import report_process
        report_process.start()
    try:
        check_before_work(args, opts)
        result = _run_engine(args, opts)
    finally:
        if opts.report:
            report_process.stop()
    pb = run_playbook(opts)  # compiled once for the summary (its labels and the currencies without cents)
    print_summary(result, labels=resolution_labels(opts, pb), lang=opts.lang, whole_units=pb.whole_units)
    if opts.report:
        if result.report_error:
            raise OutputError(f"the review report failed ({result.report_error}); the results are complete in "
                              f"{opts.out}; run the batch again to retry the report")
        from ..playbook.labels import ui
        print(ui("report_at", opts.lang).format(path=Path(opts.out) / "report.html"))
    return 1 if args.strict and result.rejected else 0


def resolution_labels(opts, pb=None) -> dict:
    """resolution -> its label in the run's language, from the playbook the run used (`pb`, if made)."""
    from ..advice.recommend import localised
    pb = pb or run_playbook(opts)
    return {res: localised(pb, texts, opts.lang) for res, texts in pb.resolutions.items()}


def run_playbook(opts):
    """The playbook the run used, under its --set values."""
    from ..playbook.validate import load_checked
    from .runner import with_params
    return with_params(load_checked(opts.playbook), opts.params)


def check_before_work(args, opts) -> None:
    """What can be refused before any work: a playbook `validate` rejects, an unknown --set name, a
    bad mapping or orders file, an option the engine lacks, an output folder that cannot be written."""
    from ..playbook.validate import load_checked
    from .runner import with_params
    with_params(load_checked(opts.playbook), opts.params)
    if opts.columns:
        from ..iorw.mapping import load_mapping
        load_mapping(opts.columns)  # so does a bad mapping (the Dask engine reads it on its workers)
    if opts.orders is not None:
        if args.engine == "dask":
            raise UsageError("--orders works with --engine pandas only (the Dask engine does not count products "
                             "and weeks yet); drop one of the two options")
        from .orders import load_orders
        load_orders(opts.orders)  # a bad orders file fails before any work
    writable_folder(opts.out)
    if opts.per_case_notebooks:  # they go into OUT/cases: a folder of the user's there is refused now, not after the batch
        from .outdir import refuse_foreign_folders
        refuse_foreign_folders(opts.out, ("cases",))


def _run_engine(args, opts):
    if args.engine == "dask":
        from .dask_engine import run_dask
        from .outdir import locked
        from .runner import render_into
        with locked(opts.out, str(opts.cases)):
            result = run_dask(opts, scheduler=args.scheduler)
            if opts.report:
                result.report_error = render_into(Path(opts.out))
    else:
        from .runner import run
        then = None
        if opts.per_case_notebooks:
            from .per_case import run_for_batch

            def then(result):
                result.notes.extend(run_for_batch(opts, result.validated))
        result = run(opts, then)  # holds the folder; the report is part of its set, the notebooks follow under the lock
    return result

