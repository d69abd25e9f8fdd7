"""Every error the toolkit raises on purpose, each with a message that says what to do next."""
from __future__ import annotations


# Exit codes of `dispute-playbook`, one per kind of error (README "Exit codes"). 1 is kept for
# "ran, but found problems" (--strict's rejected rows, validate's errors).
EXIT_OK = 0
EXIT_FOUND_PROBLEMS = 1
EXIT_INPUT = 2      # a bad case, input file, mapping, option or a busy output folder: fix the input
EXIT_PLAYBOOK = 3   # the playbook (rules, parameters, templates) cannot be used: fix the playbook
EXIT_IO = 4         # a file cannot be written or a resource is unavailable: fix the environment
EXIT_INTERNAL = 70  # a bug in the toolkit (EX_SOFTWARE): report it


class PlaybookToolError(Exception):
    """Root of every error the toolkit raises on purpose; `cli.main` turns each into a message
    and its `exit_code`. Catch this to handle any of them."""

    exit_code = EXIT_INPUT
    kind = ""  # what the one line calls the error before its message ("bad case: ")

    def one_line(self, lang: str = "en") -> str:
        """The error as people read it, from the command line and in a notebook alike. `lang`: the
        command's --lang; an error without Chinese words says it in English."""
        return f"dispute-playbook: {self.kind}{self}"

    def _render_traceback_(self):
        # IPython (a notebook run by papermill, Jupyter, Voila) shows these lines in place of a traceback
        return [self.one_line()]

    def __reduce__(self):
        # the same message and attributes after pickling (Dask workers, process pools), whatever
        # the subclass's constructor takes
        return _rebuild, (self.__class__, str(self), dict(self.__dict__))


def _rebuild(cls, message, attributes):
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(attributes)
    return error


class UsageError(PlaybookToolError):
    """A command-line option or API argument that cannot be used (`--set`, `--as-of`, …)."""


class InputFileError(PlaybookToolError):
    """An input file that cannot be read as a table of cases (missing, undecodable, malformed)."""

    def __init__(self, path, problem: str, fix: str = "", zh: tuple | None = None):
        """`zh`: (problem, fix) in Chinese, for `--lang zh` (the commonest errors a seller meets)."""
        self.path, self.problem, self.zh = str(path), problem, zh
        super().__init__(f"input file {path}: {problem}" + (f" — {fix}" if fix else ""))

    @classmethod
    def missing(cls, path, folder: bool = False) -> "InputFileError":
        """The input is not there (`folder`: a folder of parts would do too), in both languages."""
        return cls(path, "no such file" + (" or folder" if folder else ""), "check the path",
                   zh=("找不到这个文件" + ("或文件夹" if folder else ""), "请检查路径"))

    def one_line(self, lang: str = "en") -> str:
        if lang != "zh" or not self.zh:
            return super().one_line()
        problem, fix = self.zh
        return f"dispute-playbook: 输入文件 {self.path}：{problem}" + (f"——{fix}" if fix else "")


class MappingError(PlaybookToolError):
    """A column mapping file that cannot be used; names the file and line."""


class OutputError(PlaybookToolError):
    """An output that cannot be written (folder not writable, disk full, busy)."""

    exit_code = EXIT_IO

    @classmethod
    def from_os_error(cls, path, exc: OSError) -> "OutputError":
        """`path` could not be written because of `exc`; says why in words (not errno names)."""
        from pathlib import Path
        why = exc.strerror or str(exc) or type(exc).__name__
        if isinstance(exc, (FileExistsError, NotADirectoryError)):
            blocker = next((p for p in Path(path).parents if p.exists() and not p.is_dir()), None)
            why = f"{blocker} is a file, not a folder" if blocker else why
        return cls(f"cannot write {path}: {why} — choose an output path in a folder you can write to")


class ResourceError(PlaybookToolError):
    """Something the command needs is unavailable (a server that does not start, an address in use)."""

    exit_code = EXIT_IO


class FieldProblem:
    """One problem with one field of one case. `message` is the English text; given a Reason (the
    contract's checks), the problem can also be told in Chinese (`text`)."""

    __slots__ = ("case_id", "field", "message", "row", "reason")

    def __init__(self, case_id, field: str, message, row: int | None = None):
        self.reason = message if hasattr(message, "text") else None
        self.case_id, self.field, self.message, self.row = case_id, field, str(message), row

    def text(self, lang: str = "en") -> str:
        """The problem in `lang` (en, zh); a problem without a Reason (the file's structure, a
        mapping's cell) is in English."""
        return self.reason.text(lang) if self.reason is not None else self.message

    def __str__(self):
        return self.text_with_place("en")

    def text_with_place(self, lang: str = "en") -> str:
        """The problem with its row (if any), case and field: `row 3, case A1: order_value: ...`."""
        if lang == "zh":
            case = self.case_id if self.case_id not in (None, "") else "（无 case_id）"
            where = f"第 {self.row} 行，" if self.row is not None else ""
            return f"{where}案例 {case}：{self.field}：{self.text('zh')}"
        case = self.case_id if self.case_id not in (None, "") else "(no case_id)"
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}case {case}: {self.field}: {self.message}"

    def __repr__(self):
        return f"FieldProblem({str(self)!r})"

    def to_dict(self):
        return {"row": self.row, "case_id": self.case_id, "field": self.field, "message": self.message}


class CaseError(PlaybookToolError, ValueError):
    """A case that breaks the contract. `problems` lists every field at fault, not just the first."""

    kind = "bad case: "

    def __init__(self, problems: list[FieldProblem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems)
                         + " — fix these fields (see the case contract in docs/contract.md) and try again")

    def one_line(self, lang: str = "en") -> str:
        if lang != "zh":
            return super().one_line()
        said = "；".join(p.text_with_place("zh") for p in self.problems)
        return f"dispute-playbook: 案例有误：{said}——请按案例约定（docs/contract.md）修正这些字段后重试"

    @property
    def case_id(self):
        return self.problems[0].case_id if self.problems else None

    @property
    def fields(self):
        return [p.field for p in self.problems]


class PlaybookProblem:
    """One problem in a playbook file, located by file and line, with how to fix it."""

    __slots__ = ("path", "line", "message", "fix")

    def __init__(self, path, line: int | None, message: str, fix: str = ""):
        self.path, self.line, self.message, self.fix = str(path), line, message, fix

    def __str__(self):
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}" + (f" — {self.fix}" if self.fix else "")

    def __repr__(self):
        return f"PlaybookProblem({str(self)!r})"


class PlaybookError(PlaybookToolError):
    """The playbook folder cannot be used; run `dispute-playbook validate` for the full list."""

    exit_code = EXIT_PLAYBOOK

    def __init__(self, problems: list[PlaybookProblem]):
        self.problems = list(problems)
        super().__init__("the playbook has errors (`dispute-playbook validate` lists them all):\n"
                         + "\n".join(f"  {p}" for p in self.problems))


class ParameterValueError(UsageError, ValueError):
    """`--set NAME=VALUE` (or `params=`) gives a parameter a value outside its range."""


class UnknownParameterError(UsageError, KeyError):
    """`--set NAME=…` (or `params=`) names a parameter the playbook does not have."""

    def __init__(self, name, known):
        from .spelling import closest
        close = closest(name, known)
        hint = f"did you mean {close!r}? " if close else ""
        super().__init__(f"unknown playbook parameter {name!r}; {hint}known parameters: {', '.join(sorted(known))} "
                         "(see playbook/parameters.yaml)")

    def __str__(self):
        return self.args[0]
