"""Batch review: a table of cases in, every row decided or rejected, results written atomically.

Every input row ends in exactly one of `recommendations.csv` and `errors.csv`. Rows are checked
column by column (helpers.batch_read, equal to `parse_case` row by row); a case_id seen on an
earlier valid row sends the later rows to errors.csv ("appears more than once"), so the first
one is decided. Valid rows are decided in chunks by the same `decide` as `recommend()` and laid
out by helpers.batch_table (equal to `build()`); each chunk is appended to a partial file and a
manifest records how far the file is complete, so `--resume` after a kill truncates the partial
file to the last finished chunk and goes on. Only finished files ever carry their final names.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import shutil
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .read import read_table  # noqa: F401  (the batch's reader; kept importable from here)
from ..core.exceptions import UsageError
from ..iorw.atomic import atomic_write, write_json_atomic
from ..iorw.mapping import resolve as resolve_mapping
from .outdir import STATE_DIR  # noqa: F401  (the state folder inside OUT)
from .write import CsvPart, csv_bytes, neutralise, neutralise_column, safe_frame, safe_table, to_arrow, write_csv, write_xlsx  # noqa: F401
CHUNK_ROWS = 200_000
XLSX_MAX_ROWS = 200_000  # openpyxl writes ~20k rows/s; Excel itself stops at 1,048,576


class StateMismatch(UsageError):
    """--resume found the state of a run of another input or with other options."""


@dataclass
class Options:
    cases: str
    out: str
    as_of: _dt.date | None = None
    playbook: str | None = None
    params: dict = field(default_factory=dict)
    lang: str = "en"
    columns: str | None = None       # mapping file
    render: bool = True
    explain: bool = True
    chunk_rows: int = CHUNK_ROWS
    resume: bool = False
    xlsx_max_rows: int = XLSX_MAX_ROWS
    report: bool = True
    per_case_notebooks: bool = False
    workers: int = 2
    progress: bool | None = None     # None: only when stderr is a terminal
    durable: bool = False            # fsync every chunk, not only each finished file
    orders: str | None = None        # --orders N or an orders file (dispute rates in the summary)


def _fingerprint(path: Path) -> dict:
    st = path.stat()
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read(1 << 20))
        if st.st_size > 1 << 20:
            f.seek(max(0, st.st_size - (1 << 20)))
            h.update(f.read())
    return {"path": str(path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256_ends": h.hexdigest()}


def load_cases(opts: Options, notes: dict | None = None):
    """The input table with the mapping applied (a platform export's headers and values).

    The mapping is checked before the file is read; `notes` receives the mapping's explanations
    of cells it could not convert ({(row index, field): message})."""
    from ..iorw.mapping import apply_mapping, closest_preset, load_mapping, preset_headers
    from ..iorw.tables import refuse_repeated_headers, require_contract_columns
    from ..core.fields import FIELD_BY_NAME
    mapping = load_mapping(opts.columns) if opts.columns else None
    # the header line: the one naming the most contract fields and mapped headers; without a
    # mapping, the headers any preset knows count too (a title line above them is skipped)
    expected = set(FIELD_BY_NAME) | (set(mapping.columns) if mapping else set().union(*preset_headers().values()))
    # contract columns of few distinct texts come dictionary-encoded; a mapping works on the texts as read
    from .read import repeated_fields
    frame = read_table(opts.cases, encoding=mapping.encoding if mapping else None,
                       header_row=mapping.header_row if mapping else None, expected=expected,
                       sep=mapping.delimiter if mapping else None, repeated=() if mapping else repeated_fields())
    refuse_repeated_headers(frame, opts.cases, set(mapping.columns) if mapping else set(FIELD_BY_NAME))
    if mapping is not None:
        frame = apply_mapping(frame, mapping, notes)
    preset = None if mapping else closest_preset(frame.attrs.get("headers", frame.columns))
    require_contract_columns(frame, opts.cases, mapped=mapping is not None, preset=preset)
    return frame


def misspelt_columns(headers, lang: str = "en") -> list:
    """A note per column the batch does not read that is one letter or two from a contract field the
    file lacks (`buyer_photo`): the run goes on without it, and every case is decided as if that
    fact were unknown. Other extra columns (an export's own) are left unread without a word."""
    from ..core.fields import FIELD_BY_NAME, closest_field
    from ..iorw.tables import ROW_PROBLEM
    from ..playbook.labels import ui
    present = set(headers)
    notes = []
    for header in headers:
        field = None if header in FIELD_BY_NAME or header == ROW_PROBLEM else closest_field(header, cutoff=0.8)
        if field and field not in present:
            notes.append(ui("note_misspelt_column", lang).format(header=header, field=field))
    return notes


def true_rows(frame, v, notes: dict) -> None:
    """Each problem's row as the file numbers it (title rows, blank lines, multi-line cells), and
    the mapping's note in place of the contract's message where the mapping explains the cell."""
    from .read import FIRST_ROW, duplicate_error
    rows = frame.attrs.get("rows")
    if rows is not None and len(rows) == v.n and not np.array_equal(rows, np.arange(v.n) + FIRST_ROW):
        for i, exc in v.problems.items():
            for p in exc.problems:
                p.row = int(rows[i])
        for i, first in v.first_of.items():
            v.problems[i] = duplicate_error(v.cols["case_id"][i], int(rows[i]), int(rows[first]))
    for i, exc in v.problems.items():
        for p in exc.problems:
            note = notes.get((i, p.field))
            if note:  # the mapping's words (a Reason) replace the contract's
                p.message, p.reason = str(note), note


class _Manifest:
    """What a run has finished, kept beside the partial files; replaced atomically after each chunk."""

    def __init__(self, out: Path, identity: dict, resume: bool):
        self.dir = out / STATE_DIR
        self.path = self.dir / "manifest.json"
        self.identity = identity
        self.data = None
        if resume and self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                damaged = not (isinstance(data, dict) and isinstance(data.get("chunks"), list)
                               and all(isinstance(c, dict) and isinstance(c.get("bytes"), dict) for c in data["chunks"]))
            except (OSError, ValueError):
                damaged = True
            if damaged:
                raise StateMismatch(f"{self.path} is damaged (not a record this toolkit wrote); run without --resume "
                                    "to start again")
            if data.get("identity") != identity:
                raise StateMismatch(f"{self.dir} belongs to another input, other options or another version of "
                                    "the playbook; run without --resume to start again")
            self.data = data
        if self.data is None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir.mkdir(parents=True)
            self.data = {"identity": identity, "chunks": []}
            self.save()

    @property
    def done(self) -> int:
        return len(self.data["chunks"])

    def offset(self, name) -> int:
        return self.data["chunks"][-1]["bytes"][name] if self.data["chunks"] else 0

    def finish_chunk(self, record: dict) -> None:
        self.data["chunks"].append(record)
        self.save()

    def save(self):
        write_json_atomic(self.path, self.data)


def _identity(opts: Options, as_of: _dt.date) -> dict:
    return {"input": _fingerprint(Path(opts.cases)), "as_of": as_of.isoformat(), "params": opts.params,
            "playbook": str(opts.playbook or ""), "playbook_files": playbook_fingerprint(opts.playbook), "lang": opts.lang, "columns": opts.columns and _fingerprint(resolve_mapping(opts.columns)),
            "render": opts.render, "explain": opts.explain, "chunk_rows": opts.chunk_rows, "chunk_plan": CHUNK_PLAN}


def playbook_fingerprint(path) -> str | None:
    """The playbook's files as they are now (a digest): a run resumed after a trainer's edit would
    decide its first chunks by one policy and the rest by another."""
    from ..core.paths import playbook_dir
    from ..playbook.validate import content_digest
    return content_digest(playbook_dir(path).resolve())


@dataclass
class BatchResult:
    rows: int
    decided: int
    rejected: int
    resolutions: Counter
    out: Path
    whatif: dict | None = None
    notes: list = field(default_factory=list)
    said: list = field(default_factory=list)   # notes for the terminal only (summary.json holds `notes`)
    seconds: dict = field(default_factory=dict)
    report_error: str = ""
    validated: object = None  # the run's checked cases (read.Validated), kept for --per-case-notebooks


def run(opts: Options, then=None) -> BatchResult:
    """Read, validate, decide and write one batch (pandas engine), holding the output folder.

    Every output is written into the folder's staging area and replaces the previous run's files
    as one set (helpers.batch.outdir); the review report, when asked for, is part of the set."""
    from .outdir import locked
    from ..iorw.arrow_memory import use_reusing_pool
    from ..playbook.validate import load_checked
    check_input(opts.cases)
    use_reusing_pool()
    with_params(load_checked(opts.playbook), opts.params)  # refused before the folder is touched
    with locked(opts.out, str(opts.cases)) as out:
        result = _run(opts, out)
        if then is not None:  # more work on the folder while the run still holds it (per-case notebooks)
            then(result)
    return result


def check_input(path) -> None:
    """The input exists and is a file: said before anything is written."""
    from ..core.exceptions import InputFileError
    path = Path(path)
    if path.is_dir():
        raise InputFileError(path, "is a folder, not a file", "give a .csv, .xlsx, .xls, .parquet or .jsonl file "
                             "(a folder of Parquet parts needs --engine dask)",
                             zh=("是文件夹，不是文件", "请给出 .csv、.xlsx、.xls、.parquet 或 .jsonl 文件"
                                 "（Parquet 分片文件夹需要 --engine dask）"))
    if not path.exists():
        raise InputFileError.missing(path)


def _run(opts: Options, out: Path) -> BatchResult:
    from .outdir import publish, publish_dir, seal
    from .read import error_table, validate_frame
    from .table import counts, recommendation_table
    from ..core.engine import RATE, UNIT, decide
    from ..playbook.validate import load_checked
    clock = {"start": time.perf_counter()}
    as_of = opts.as_of
    identity_as_of = as_of or _dt.date.today()
    manifest = _Manifest(out, _identity(opts, identity_as_of), opts.resume)
    as_of_run = _dt.date.fromisoformat(manifest.data["identity"]["as_of"])

    notes = {}
    frame = load_cases(opts, notes)
    from ..playbook.labels import ui
    column_notes = [] if opts.columns else misspelt_columns(list(frame.columns), opts.lang)
    if frame.attrs.get("sheet") is not None:
        column_notes.insert(0, ui("note_sheet", opts.lang).format(sheet=frame.attrs["sheet"]))
    clock["read"] = time.perf_counter()
    v = validate_frame(frame, as_of=as_of, today=as_of_run)
    clock["validate"] = time.perf_counter()
    pb_base = load_checked(opts.playbook)
    pb = with_params(pb_base, opts.params)
    from .currency import reject_unrated
    from .read import FIRST_ROW
    rate, unit = reject_unrated(pb, v, FIRST_ROW)  # the exchange rates come from the playbook's files, never from --set
    true_rows(frame, v, notes)  # row numbers as the file shows them, the mapping's notes as messages
    rows = np.flatnonzero(v.valid)
    dates = v.own_as_of[rows]  # each row's own review date, for the weekly counts
    del frame  # the cells as read are no longer needed: the validated columns are

    chunks = [rows[a:b] for a, b in chunk_bounds(len(rows), opts.chunk_rows)] or [rows]
    said = []  # printed, not written: a resumed run's files are the uninterrupted run's, summary.json too
    if manifest.done:  # --resume found finished chunks: say how far the stopped run had come
        done_rows = sum(len(c) for c in chunks[:manifest.done])
        said.append(ui("note_resumed", opts.lang).format(done=done_rows, total=len(rows), chunks_done=manifest.done,
                                                         chunks=len(chunks)))
    state = manifest.dir
    recs = CsvPart(state / "recommendations.csv.partial", manifest.offset("recommendations"), opts.durable)
    changes = CsvPart(state / "whatif_changes.csv.partial", manifest.offset("whatif_changes"), opts.durable) if opts.params else None
    bar = progress_bar(opts, len(rows))
    bar.update(sum(len(c) for c in chunks[:manifest.done]))
    # Three chunks at once, each on its own thread (numpy and Arrow work without the GIL): chunk k+1 is
    # decided while chunk k is laid out and chunk k-1 written; a chunk enters the manifest only once
    # all its bytes are in the files (--resume)
    ahead = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dispute-playbook-decide")
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dispute-playbook-write")
    pending = []
    # the health figures need no decision: worked out beside the deciding, on a thread of their own
    from .health import health_figures, write_products
    beside = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dispute-playbook-health")
    health = beside.submit(health_figures, v.cols, rows, dates, opts.orders, pb)

    def decided(k):
        idx = chunks[k]
        cols = {name: a[_rows_of(idx)] for name, a in v.cols.items()}
        cols[RATE], cols[UNIT] = rate[_rows_of(idx)], unit[_rows_of(idx)]
        base = decide(pb_base, cols, explain=False) if changes is not None else None
        return idx, cols, decide(pb, cols, explain=opts.explain), base

    def settle():
        for record, files, n in pending:
            record["bytes"] = {name: future.result() for name, future in files.items()}
            manifest.finish_chunk(record)
            bar.update(n)
        pending.clear()
    try:
        coming = ahead.submit(decided, manifest.done) if manifest.done < len(chunks) else None
        for k in range(manifest.done, len(chunks)):
            idx, cols, d, base = coming.result()
            coming = ahead.submit(decided, k + 1) if k + 1 < len(chunks) else None
            table = recommendation_table(pb, cols, d, opts.lang, opts.render)
            record = {"rows": int(len(idx)), "resolutions": counts(table["resolution"])}
            # made inert here, so the writer thread (the slowest of the three with messages) only writes
            files = {"recommendations": writer.submit(recs.append, safe_table(table, ("case_id", "message")), k == 0)}
            if changes is not None:
                from .whatif import compare_chunk
                stats, changed = compare_chunk(table.assign(row=idx + 2), base, cols)  # never changes `table`: the writer's table shares its buffers
                record["whatif"] = stats
                files["whatif_changes"] = writer.submit(changes.append, safe_table(changed, ("case_id",)), k == 0)
            settle()
            pending.append((record, files, len(idx)))
        settle()
    finally:
        ahead.shutdown(wait=True, cancel_futures=True)
        writer.shutdown(wait=True)  # a write under way ends before its file is left (or truncated on resume)
        beside.shutdown(wait=True)
        bar.close()
        recs.close()
        if changes is not None:
            changes.close()
    clock["decide_write"] = time.perf_counter()

    stage = publish_dir(out)
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    errors = error_table(v.problems, lang=opts.lang)
    atomic_write(stage / "errors.csv", lambda p: write_csv(safe_table(errors, ("case_id", "field", "message")), p, durable=True))
    recs.finish()
    os.link(recs.path, stage / "recommendations.csv")  # the partial stays until the set is published (resume)
    result = BatchResult(v.n, int(len(rows)), len(v.problems), Counter(), out,
                         validated=v if opts.per_case_notebooks else None, notes=column_notes, said=said)
    for c in manifest.data["chunks"]:
        result.resolutions.update(c["resolutions"])
    if changes is not None:
        from .whatif import summarise
        changes.finish()
        os.link(changes.path, stage / "whatif_changes.csv")
        result.whatif = summarise(opts.params, [c["whatif"] for c in manifest.data["chunks"]], len(rows))
        write_json_atomic(stage / "whatif.json", result.whatif)
    # Excel shows a UTF-8 CSV's Chinese as mojibake; a workbook as written (up to --xlsx-max-rows rows)
    for name, n, sheet, numeric in (("errors", len(v.problems), "errors", ("row",)),
                                    ("recommendations", len(rows), "recommendations", None)):
        if n <= opts.xlsx_max_rows:
            write_xlsx(stage / f"{name}.csv", stage / f"{name}.xlsx", sheet, numeric=numeric)
        else:
            result.notes.append(ui("note_no_xlsx", opts.lang).format(file=f"{name}.xlsx", rows=n,
                                                                     most=opts.xlsx_max_rows, csv=f"{name}.csv"))
    clock["files"] = time.perf_counter()
    summary, products = health.result()
    write_products(stage, products)
    write_json_atomic(stage / "summary.json", {**summary_dict(opts, result, as_of_run), **summary})
    if opts.report:
        result.report_error = render_into(stage)
        clock["report"] = time.perf_counter()
    seal(out)
    publish(out)
    result.seconds = {k: round(clock[k] - clock["start"], 3) for k in clock if k != "start"}
    return result


TAPER_MIN_ROWS = 20_000  # a last chunk smaller than this is written quickly enough as it is
CHUNK_PLAN = "last chunk in 1/2, 1/4, 1/8, 1/8"  # in the run's identity: --resume never mixes two plans


def chunk_bounds(n: int, size: int) -> list:
    """(start, stop) of each chunk of n rows: `size` rows each, the last chunk cut into a half, a
    quarter and two eighths. Each chunk is written while the next is decided, so the writing left
    when the last decision is made is the last chunk's: a small one."""
    starts = list(range(0, n, size))
    bounds = [(a, min(a + size, n)) for a in starts]
    if bounds and bounds[-1][1] - bounds[-1][0] >= TAPER_MIN_ROWS:
        a, b = bounds.pop()
        cuts = [a, a + (b - a) // 2, a + 3 * (b - a) // 4, a + 7 * (b - a) // 8, b]
        bounds += list(zip(cuts, cuts[1:]))
    return bounds


def _rows_of(idx: np.ndarray):
    """A slice (views, no copy) when the chunk's rows follow each other (no rejected row among them)."""
    if len(idx) and idx[-1] - idx[0] + 1 == len(idx):
        return slice(int(idx[0]), int(idx[-1]) + 1)
    return idx


def with_params(pb, params):
    """The playbook under --set overrides; an unknown name or a value out of range is an option error naming --set."""
    from ..core.exceptions import ParameterValueError, UnknownParameterError, UsageError
    if not params:
        return pb
    try:
        return pb.with_params(params)
    except (UnknownParameterError, ParameterValueError) as exc:
        raise UsageError(f"--set: {exc}") from None


def render_into(folder: Path) -> str:
    """Render the review report into the run's set; '' or what failed (the results stand without it).
    A report process started with the batch (helpers.batch.report_process) renders it when there is one."""
    from .report_process import render
    return render(folder)


def summary_dict(opts, result: BatchResult, as_of) -> dict:
    # the playbook as an absolute path: the report reads it from inside the output folder
    return {"input": str(opts.cases), "columns": opts.columns,
            "playbook": str(Path(opts.playbook).resolve()) if opts.playbook else None,
            "as_of": as_of.isoformat(), "params": opts.params,
            "rows": result.rows, "decided": result.decided, "rejected": result.rejected,
            "resolutions": dict(result.resolutions.most_common()), "lang": opts.lang, "notes": result.notes}


def progress_bar(opts: Options, total: int):
    """A tqdm bar on stderr, shown only on a terminal unless opts.progress says otherwise."""
    from tqdm import tqdm
    show = sys.stderr.isatty() if opts.progress is None else opts.progress
    return tqdm(total=total, disable=not show, unit="case", unit_scale=True, desc="deciding", file=sys.stderr)
