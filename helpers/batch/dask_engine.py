"""`--engine dask`: the same validation, decisions and table as the pandas engine, one Parquet
row group (or a slice of one) per task, on a Dask cluster; results as partitioned Parquet.

Row numbers are global (part offsets come from the Parquet footers), so errors read as in the
pandas engine. A case_id repeated across parts is found in two passes: each part reports the
64-bit hashes of its valid case_ids; the few hashes seen twice are checked against the real ids,
and the later rows are rejected exactly as the pandas engine rejects them. Each part's results
are written under a temporary name and renamed, so a part file that exists is complete; with
`--resume` the parts already written are kept.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import json
import shutil
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PART_ROWS = 50_000  # rows per task: two tasks at once stay well inside a 1.5 GB budget


@dataclass(frozen=True)
class Part:
    index: int
    path: str
    row_group: int
    offset: int      # first row within the row group
    rows: int
    start: int       # global position of the first row (0-based)
    partition: tuple = ()  # (column, text) from the folders above the file: platform=ebay/part-0.parquet


@dataclass(frozen=True)
class LoadedPart(Part):
    """A part whose rows were already read (by the task reading its row group once)."""
    frame: object = None


def plan_parts(source, part_rows: int = PART_ROWS) -> list:
    """Parts of a Parquet file or folder of files: row groups, sliced to at most part_rows rows."""
    import pyarrow.parquet as pq

    from ..core.exceptions import InputFileError
    source = Path(source)
    if not source.exists():
        raise InputFileError.missing(source, folder=True)
    files = sorted(p for p in source.rglob("*.parquet")) if source.is_dir() else [source]
    if not files:
        raise InputFileError(source, "holds no .parquet files", "point at a Parquet file or a folder of parts")
    parts, start = [], 0
    for f in files:
        try:
            meta = pq.ParquetFile(f).metadata
        except Exception as exc:  # noqa: BLE001 — Arrow reports a bad file as one of several error types
            raise InputFileError(f, f"cannot be read as Parquet: {type(exc).__name__}: {exc}",
                                 "check that the file is complete") from None
        partition = hive_partition(f.relative_to(source).parent) if source.is_dir() else ()
        for g in range(meta.num_row_groups):
            n = meta.row_group(g).num_rows
            for off in range(0, n, part_rows):
                size = min(part_rows, n - off)
                parts.append(Part(len(parts), str(f), g, off, size, start, partition))
                start += size
    return parts


def _require_contract_columns(source: Path, parts) -> None:
    """InputFileError naming the required fields the first part's file (and its folder's partition
    keys) has no column for, with the preset that knows most of its headers, as the pandas engine says."""
    import pandas as pd
    import pyarrow.parquet as pq

    from ..iorw.mapping import closest_preset
    from ..iorw.tables import require_contract_columns
    names = list(pq.ParquetFile(parts[0].path).schema_arrow.names) + [k for k, _ in parts[0].partition]
    require_contract_columns(pd.DataFrame(columns=names), source, mapped=False, preset=closest_preset(names))


HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"  # the folder of rows whose value was missing


def hive_partition(folder: Path) -> tuple:
    """(column, text) for each `column=value` folder on the way to a file, as Spark, pandas'
    `to_parquet(partition_cols=...)` and Dask write a table split by a column: the column is in the
    folder names, not in the files. Values are %-decoded; the missing value's folder gives ''."""
    from urllib.parse import unquote
    pairs = []
    for name in folder.parts:
        key, eq, value = name.partition("=")
        if eq and key:
            pairs.append((unquote(key), "" if value == HIVE_NULL else unquote(value)))
    return tuple(pairs)


def _with_partition(frame, part: Part):
    """The part's rows with the columns its folders name (a column the file has itself stays as it is)."""
    for column, value in part.partition:
        if column not in frame.columns:
            frame[column] = value
    return frame


def read_part(part: Part, columns=None, repeated=()):
    from ..iorw.tables import arrow_frame, parquet_file
    table = parquet_file(part.path, repeated).read_row_group(part.row_group, columns=columns)
    return _with_partition(arrow_frame(table.slice(part.offset, part.rows)), part)


def read_group_parts(parts: list, repeated=()):
    """(part, frame) for consecutive parts of one row group, reading the group once, batch by batch
    (a row group larger than a part is never decoded more than once, nor held whole). Batches before
    the first part (another task's parts of the same group) are decoded and dropped. `repeated`: the
    text columns read as dictionaries (helpers.iorw.tables.parquet_file)."""
    import pyarrow as pa

    from ..iorw.tables import arrow_frame, parquet_file
    first = parts[0]
    batches = parquet_file(first.path, repeated).iter_batches(batch_size=min(p.rows for p in parts),
                                                               row_groups=[first.row_group], use_threads=False)
    pending, have, position = [], 0, 0  # pending holds `have` rows from the group's row `position` on
    for part in parts:
        while position + have < part.offset + part.rows:
            batch = next(batches)
            if not pending and position + batch.num_rows <= part.offset:
                position += batch.num_rows  # wholly before this part
                continue
            pending.append(batch)
            have += batch.num_rows
        table = pa.Table.from_batches(pending).slice(part.offset - position, part.rows)
        yield part, _with_partition(arrow_frame(table), part)
        rest = pa.Table.from_batches(pending).slice(part.offset - position + part.rows)
        position, pending, have = part.offset + part.rows, rest.to_batches(), rest.num_rows


def _prepared(frame, part: Part, opts: dict):
    from .read import FIRST_ROW, validate_frame
    if opts["columns"]:
        from ..iorw.mapping import apply_mapping, load_mapping
        frame = apply_mapping(frame, load_mapping(opts["columns"]))
    as_of = _dt.date.fromisoformat(opts["as_of"]) if opts["as_of"] else None
    return frame, validate_frame(frame, as_of=as_of, today=_dt.date.fromisoformat(opts["today"]),
                                 first_row=FIRST_ROW + part.start, dedupe=False)


def _repeated(opts: dict):
    """The columns read as dictionaries: the contract's repeated fields, unless a mapping works on
    the texts as read (as the pandas engine reads a batch)."""
    from .read import repeated_fields
    return () if opts["columns"] else repeated_fields()


def _validated(part: Part, opts: dict):
    return _prepared(read_part(part, repeated=_repeated(opts)), part, opts)


def _hash_ids(ids) -> np.ndarray:
    """text_hashes of case ids: Arrow texts, or validated ids (Arrow-backed or Python texts)."""
    import pyarrow as pa

    from ..iorw.textcols import text_hashes
    if not isinstance(ids, (pa.Array, pa.ChunkedArray)):
        ids = pa.array(ids, type=pa.large_string())
    return text_hashes(ids)


def _id_keys(part: Part, opts: dict):
    """The part's case_id cells as text with Python's whitespace trimmed, or None when they are not all
    text (then the cells are validated to know the ids). Two rows whose keys differ can never carry
    the same case_id after validation (which strips text), so only equal keys need a closer look."""
    import pyarrow as pa
    import pyarrow.compute as pc
    if opts["columns"]:
        return None  # a mapping may rename or rewrite the id column
    table = _read_columns(part, ["case_id"])
    if table is None or not pa.types.is_string(table.column(0).type) and not pa.types.is_large_string(table.column(0).type):
        return None
    return pc.replace_substring_regex(table.column(0), _trim_pattern(), "")


def _read_columns(part: Part, columns):
    import pyarrow.parquet as pq
    f = pq.ParquetFile(part.path)
    if any(c not in f.schema_arrow.names for c in columns):
        return None
    return f.read_row_group(part.row_group, columns=columns).slice(part.offset, part.rows)


_SPACE = None


def _trim_pattern() -> str:
    """A regex (RE2) trimming what Python's str.strip() trims: every character with isspace()."""
    global _SPACE
    if _SPACE is None:
        import sys
        space = "".join(f"\\x{{{c:x}}}" for c in range(sys.maxunicode + 1) if chr(c).isspace())
        _SPACE = f"^[{space}]+|[{space}]+$"
    return _SPACE


class Failed:
    """A deliberate error (PlaybookToolError) a task hands back as its result: the client raises it,
    and no worker logs a "Compute Failed" traceback for a user's typo."""

    def __init__(self, error):
        self.error = error


def reported(task):
    """`task` for a Dask worker: a PlaybookToolError comes back as a Failed result instead of raised."""
    import functools

    @functools.wraps(task)
    def run(*args, **kwargs):
        from ..core.exceptions import PlaybookToolError
        try:
            return task(*args, **kwargs)
        except PlaybookToolError as exc:
            return Failed(exc)
    return run


def checked(results):
    """Task results, with the first Failed raised as its error."""
    for r in results:
        if isinstance(r, Failed):
            raise r.error
    return results


def group_id_hashes(parts: list, opts: dict) -> np.ndarray:
    """Pass 1 for the parts of one row group: its case_id column is read once (not once per part)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    first = parts[0]
    table = None if opts["columns"] else _read_columns(Part(first.index, first.path, first.row_group, 0,
                                                            sum(p.rows for p in parts) + first.offset, 0), ["case_id"])
    if table is None or not (pa.types.is_string(table.column(0).type) or pa.types.is_large_string(table.column(0).type)):
        return np.concatenate([id_hashes(p, opts) for p in parts])
    keys = pc.replace_substring_regex(table.column(0).slice(first.offset), _trim_pattern(), "")
    return _hash_ids(keys.filter(pa.array(_filled(keys))))


def id_hashes(part: Part, opts: dict) -> np.ndarray:
    """Pass 1: hashes of the part's case_ids (of its valid rows when the ids are not plain text).
    Only the case_id column is read."""
    keys = _id_keys(part, opts)
    if keys is None:
        _, v = _validated(part, opts)
        return _hash_ids(v.cols["case_id"][v.valid])
    import pyarrow as pa
    return _hash_ids(keys.filter(pa.array(_filled(keys))))


def _filled(keys) -> np.ndarray:
    """Which cells of Arrow texts are neither missing nor empty."""
    import pyarrow.compute as pc
    return pc.fill_null(pc.greater(pc.binary_length(keys), 0), False).to_numpy(zero_copy_only=False)


def ids_with_hashes(part: Part, opts: dict, hashes: np.ndarray) -> list:
    """(global row, case_id) of valid rows whose case_id hash is among `hashes` (only those rows validated)."""
    keys = _id_keys(part, opts)
    if keys is None:
        _, v = _validated(part, opts)
        rows = np.flatnonzero(v.valid)
        ids = v.cols["case_id"][rows]
        hit = np.isin(_hash_ids(ids), hashes)
        return [(int(part.start + r), str(c)) for r, c in zip(rows[hit], ids[hit])]
    rows = np.flatnonzero(np.isin(_hash_ids(keys), hashes) & _filled(keys))  # a missing cell hashes as ""
    if not len(rows):
        return []
    frame = read_part(part, repeated=_repeated(opts)).iloc[rows].reset_index(drop=True)
    _, v = _prepared(frame, part, opts)
    return [(int(part.start + rows[i]), str(v.cols["case_id"][i])) for i in np.flatnonzero(v.valid)]


def _write_parquet(frame, text_columns, path: Path):
    """A results frame as a Parquet part, its buyer-supplied `text_columns` made inert. Repeated texts
    go to the writer as the dictionaries they are (it writes them as its dictionary pages without
    hashing every cell again: 107 -> 83 ms per 50k-row part); without Arrow's own schema in the file,
    every text column reads back as text, as before."""
    import pyarrow.parquet as pq

    from .write import safe_table
    from ..iorw.atomic import atomic_write
    atomic_write(path, lambda tmp: pq.write_table(safe_table(frame, text_columns), tmp, store_schema=False))


def decide_part(part: Part, opts: dict, later: dict) -> dict:
    """Pass 2: validate, reject later duplicates, decide, write the part; returns its summary."""
    from ..iorw.atomic import write_json_atomic
    from .read import FIRST_ROW, duplicate_error, error_table
    from .table import counts, recommendation_table
    from ..core.engine import RATE, UNIT, decide
    from ..playbook.validate import load_checked
    out = Path(opts["out"])
    name = f"part-{part.index:05d}.parquet"
    frame, v = _prepared(part.frame, part, opts) if getattr(part, "frame", None) is not None else _validated(part, opts)
    for g, first in later.items():
        i = g - part.start
        if 0 <= i < part.rows and v.valid[i]:
            v.valid[i] = False
            v.problems[i] = duplicate_error(v.cols["case_id"][i], g + FIRST_ROW, first + FIRST_ROW)
    # through validate's gate, as the client: a worker runs only on a playbook validate accepts, and takes
    # the message texts a clean validation compiled (no Jinja render per group on each worker)
    pb_base = load_checked(opts["playbook"])
    pb = pb_base.with_params(opts["params"]) if opts["params"] else pb_base
    from .currency import reject_unrated
    rate, unit = reject_unrated(pb, v, FIRST_ROW + part.start)
    rows = np.flatnonzero(v.valid)
    cols = {k: a[rows] for k, a in v.cols.items()}
    cols[RATE], cols[UNIT] = rate[rows], unit[rows]  # looked up by distinct code; `decide` would look up every row's
    d = decide(pb, cols, explain=opts["explain"])
    table = recommendation_table(pb, cols, d, opts["lang"], opts["render"])
    result = {"index": part.index, "rows": part.rows, "decided": int(len(rows)),
              "resolutions": counts(table["resolution"])}
    if opts["params"]:
        from .whatif import compare_chunk
        table.insert(0, "row", rows + part.start + FIRST_ROW)
        stats, changed = compare_chunk(table, decide(pb_base, cols, explain=False), cols)
        table = table.drop(columns="row")
        result["whatif"] = stats
        _write_parquet(changed, ("case_id",), out / "whatif_changes" / name)
    errors = error_table(v.problems, FIRST_ROW + part.start, opts["lang"])
    _write_parquet(errors, ("case_id", "field", "message"), out / ".errors" / name)
    result["rejected"] = int(len(errors))
    write_json_atomic(out / "recommendations" / f"_part-{part.index:05d}.json", result)
    _write_parquet(table, ("case_id", "message"), out / "recommendations" / name)  # last: marks done
    return result


def decide_group(parts: list, opts: dict, later: dict) -> list:
    """Pass 2 for the parts of one row group: the group is read once, part by part; parts already
    written (a resumed run) are passed over."""
    import dataclasses
    out = Path(opts["out"]) / "recommendations"
    results = []
    for part, frame in read_group_parts(parts, _repeated(opts)):
        if (out / f"part-{part.index:05d}.parquet").exists():
            continue
        loaded = LoadedPart(*(getattr(part, f.name) for f in dataclasses.fields(Part)), frame=frame)
        results.append(decide_part(loaded, opts, later))
    return results


def group_parts(parts: list, runs: int | None = None) -> list:
    """Consecutive parts of the same row group, together: a task reads its row group once. `runs`: the
    tasks the cluster runs at once (default: WORKERS, the local cluster's). With fewer than
    WHOLE_GROUPS_PER_RUN row groups for each run, a group of several parts is cut into up to `runs`
    runs, so the workers share a large row group (a later run decodes the rows before its own and
    drops them); with more, the workers share the groups evenly enough."""
    groups = []
    for p in parts:
        if groups and (groups[-1][-1].path, groups[-1][-1].row_group) == (p.path, p.row_group):
            groups[-1].append(p)
        else:
            groups.append([p])
    if len(groups) >= WHOLE_GROUPS_PER_RUN * (runs or WORKERS):
        return groups
    out = []
    for g in groups:
        size = -(-len(g) // max(1, min(runs or WORKERS, len(g))))
        out += [g[i:i + size] for i in range(0, len(g), size)]
    return out


WORKERS = 2  # the default LocalCluster: two worker processes of one thread (decisions are Python-heavy)
# Row groups per worker from which each task takes whole groups: the last round leaves at most one
# worker in this many rounds idle, where cutting groups decoded half of every group twice (1M cases
# in 10 groups of 100k, whole run: 6.31-6.64 -> 6.02-6.16 s, alternating)
WHOLE_GROUPS_PER_RUN = 4


# No dashboard; the scheduler's own HTTP endpoint on any free local port: on its default (8787) Dask
# warned "Port 8787 is already in use" into the user's terminal whenever another cluster ran
_NO_DASHBOARD = {"dashboard_address": None, "scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"}}


def _client(scheduler, processes: bool = True, playbook=None):
    """A client of `scheduler`, or of a LocalCluster of WORKERS worker processes (threads in this
    process with processes=False, as tests that patch a task need).

    The local workers are forked from this process when that is safe, once it holds what every task
    needs (the decision modules imported, `playbook` checked with its message texts compiled): each
    worker starts ready instead of importing pandas, Arrow and the toolkit and loading the playbook
    again (1M cases 5.36-5.45 -> 4.26-4.43 s, alternating). Safe means Linux, and no other thread of
    ours: a fork copies a lock another thread holds (a log handler's stream, in a test run with a
    cluster of threads still closing) and the worker waits for it forever. So the command line
    forks; a notebook's kernel, a test run or a program with threads of its own gets Dask's default
    (spawn), as do macOS and Windows, which do not fork safely or at all."""
    import dask
    from dask.distributed import Client, LocalCluster

    from .dask_worker import CalmWorker
    from ..core.process import interrupt_kept_from_forks
    if scheduler:
        return _connected(scheduler), None
    if not processes:
        return Client(LocalCluster(n_workers=1, threads_per_worker=WORKERS, processes=False, **_NO_DASHBOARD)), None
    method = dask.config.get("distributed.worker.multiprocessing-method")
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        method = "fork"
        _ready_for_tasks(playbook)
    client = cluster = None
    try:
        with dask.config.set({"distributed.worker.multiprocessing-method": method}), \
                interrupt_kept_from_forks():
            cluster = LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True, **_NO_DASHBOARD)
            client = Client(cluster)
            client.register_plugin(CalmWorker())
    except BaseException:  # a Ctrl-C that waited while the workers started: they stop with this process
        for started in (client, cluster):
            if started is not None:
                started.close()
        raise
    return client, cluster


def _connected(scheduler):
    """A client of the cluster at `scheduler`; a clear error for an address that is wrong or not
    answering (Dask's own was an internal error, exit 70)."""
    from dask.distributed import Client

    from ..core.exceptions import ResourceError, UsageError
    try:
        return Client(scheduler)
    except ValueError as exc:  # no port, an unknown scheme
        raise UsageError(f"--scheduler {scheduler}: {exc} — give the address `dask scheduler` prints, "
                         "such as tcp://10.0.0.5:8786") from None
    except OSError as exc:  # refused, unknown host, timed out
        raise ResourceError(f"cannot reach the Dask scheduler at {scheduler}: {exc} — check the address and that "
                            "the scheduler is running, or leave out --scheduler to run on a local cluster") from None


def _ready_for_tasks(playbook) -> None:
    """Import what a task uses and check the playbook (its verdict and compiled texts kept in memory)."""
    import pandas  # noqa: F401
    import pyarrow.compute  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    from . import currency, read, table, write  # noqa: F401
    from ..core import engine  # noqa: F401
    from ..iorw import atomic, textcols  # noqa: F401
    from ..playbook.validate import load_checked
    load_checked(playbook)


def run_dask(opts, scheduler=None, part_rows: int = PART_ROWS, processes: bool = True):
    """The batch on Dask: OUT/recommendations/part-*.parquet, errors.csv, summary.json (and what-if)."""
    from collections import Counter

    import pandas as pd

    from .runner import BatchResult, playbook_fingerprint, progress_bar, summary_dict
    from .write import csv_bytes
    from ..iorw.atomic import atomic_write, write_json_atomic
    from ..core.exceptions import ResourceError, UsageError
    from ..iorw.arrow_memory import use_reusing_pool
    use_reusing_pool()  # the client reads and writes too (and decides, with a cluster of threads)
    source = Path(opts.cases)
    if not (source.is_dir() or source.suffix.lower() == ".parquet"):
        from ..core.exceptions import InputFileError
        raise InputFileError(source, "--engine dask reads Parquet (a file or a folder of parts)",
                             "use --engine pandas for other files")
    out = Path(opts.out)
    today = (opts.as_of or _dt.date.today()).isoformat()
    settings = {"out": str(out), "as_of": opts.as_of and opts.as_of.isoformat(), "today": today,
                "playbook": opts.playbook, "params": opts.params, "lang": opts.lang, "render": opts.render,
                "explain": opts.explain, "columns": opts.columns}
    identity = {**settings, "source": str(source.resolve()), "part_rows": part_rows,
                "playbook_files": playbook_fingerprint(opts.playbook)}  # an edited playbook starts over
    stamp = out / "recommendations" / "_run.json"
    if not (opts.resume and stamp.exists() and json.loads(stamp.read_text())["identity"] == identity):
        from .outdir import record_outputs, refuse_foreign_folders
        refuse_foreign_folders(out, ("recommendations", "whatif_changes"))  # a user's folder is not ours to clear
        record_outputs(out, ("recommendations", "whatif_changes", ".errors", "errors.csv", "whatif.json", "summary.json"),
                       add=True)
        for sub in ("recommendations", "whatif_changes", ".errors"):
            shutil.rmtree(out / sub, ignore_errors=True)
        (out / "recommendations").mkdir(parents=True)
        write_json_atomic(stamp, {"identity": identity})
    settings["today"] = json.loads(stamp.read_text())["identity"]["today"]
    parts = plan_parts(source, part_rows)
    if not opts.columns and parts:  # as the pandas engine: a file without a required field's column is refused
        _require_contract_columns(source, parts)
    from .dask_worker import cluster_logs_in_plain_words
    local = scheduler is None and processes  # its scheduler and nannies run in this process
    with cluster_logs_in_plain_words() if local else contextlib.nullcontext():
        client = cluster = None
        try:
            client, cluster = _client(scheduler, processes, opts.playbook)
            runs = _runs(client)
            # pass 1, the case_id hashes, on the workers (only the case_id columns are read)
            hashes = _joined(checked(client.gather(client.map(reported(group_id_hashes), group_parts(parts, runs),
                                                              opts=settings, pure=False))))
            values, counts = np.unique(hashes, return_counts=True)
            twice = values[counts > 1]
            later = {}
            if len(twice):
                seen = {}
                for found in checked(client.gather(client.map(reported(ids_with_hashes), parts, opts=settings, hashes=twice, pure=False))):
                    for g, cid in found:
                        if cid in seen:
                            later[g] = seen[cid]
                        else:
                            seen[cid] = g
            todo = [p for p in parts if not (out / "recommendations" / f"part-{p.index:05d}.parquet").exists()]
            bar = progress_bar(opts, len(parts))
            bar.update(len(parts) - len(todo))
            groups = [g for g in group_parts(parts, runs) if set(g) & set(todo)]
            futures = client.map(reported(decide_group), groups, opts=settings, later=later, pure=False)
            from dask.distributed import as_completed
            for fut in as_completed(futures):
                finished = checked([fut.result()])[0]
                bar.update(len(finished))
                fut.release()
            bar.close()
        except Exception as exc:
            from distributed import KilledWorker
            if not isinstance(exc, KilledWorker):
                raise
            raise ResourceError(f"Dask workers died running the same task {exc.allowed_failures + 1} times (often: "
                                "out of memory) — the parts already written are kept: run again with --resume, "
                                "with more memory for each worker") from None
        finally:
            if client is not None:
                client.close()
            if cluster is not None:
                cluster.close()
    from .read import error_table
    found = [pd.read_parquet(out / ".errors" / f"part-{p.index:05d}.parquet") for p in parts]
    errors = pd.concat(found, ignore_index=True) if found else error_table({})  # no rows: no part
    atomic_write(out / "errors.csv", lambda tmp: Path(tmp).write_bytes(csv_bytes(errors, True)))
    shutil.rmtree(out / ".errors", ignore_errors=True)
    stamp.unlink(missing_ok=True)
    rows = sum(p.rows for p in parts)
    done = _part_summaries(out, parts)
    result = BatchResult(rows, sum(r["decided"] for r in done), len(errors), Counter(), out)
    for r in done:
        result.resolutions.update(r["resolutions"])
    if opts.params:
        from .whatif import summarise
        result.whatif = summarise(opts.params, [r["whatif"] for r in done], result.decided)
        write_json_atomic(out / "whatif.json", result.whatif)
    from ..playbook.labels import ui
    result.notes.append(ui("note_parquet_parts", opts.lang).format(path=out / "recommendations", n=len(parts),
                                                                   parts="part" if len(parts) == 1 else "parts"))
    write_json_atomic(out / "summary.json", {**summary_dict(opts, result, _dt.date.fromisoformat(settings["today"])),
                                       "engine": "dask"})
    return result


def _runs(client) -> int:
    """The tasks the cluster runs at once: its worker threads (none joined yet: the local default)."""
    return sum(client.nthreads().values()) or WORKERS


def _joined(hashes: list) -> np.ndarray:
    return np.concatenate(hashes or [np.zeros(0, np.uint64)])


def _part_summaries(out: Path, parts) -> list:
    """Every part's summary, kept beside its part file (so a resumed run still counts earlier parts)."""
    folder = out / "recommendations"
    done = [json.loads((folder / f"_part-{p.index:05d}.json").read_text(encoding="utf-8")) for p in parts]
    for p in parts:
        (folder / f"_part-{p.index:05d}.json").unlink()
    return done
