"""One playbook gate: `batch`, `recommend` and the app refuse a playbook `validate` rejects; each
playbook mistake gives one clear file:line error, found by `validate`, never mid-batch."""
from __future__ import annotations

import json

import pytest

from helpers.cli import main
from helpers.core.exceptions import PlaybookError
from helpers.playbook.validate import load_checked, validate

from support import copy_playbook, edit_file

CASE = {"case_id": "G1", "dispute_type": "not_received", "order_value": 30, "as_of_date": "2026-11-01"}


@pytest.fixture
def pb(tmp_path):
    return copy_playbook(tmp_path)


edit = edit_file


def line_of(path, needle):
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_a_parameter_typo_in_a_rationale_is_one_validate_error_with_file_and_line(pb):
    table = pb / "not_received.yaml"
    edit(table, "en: The order was never shipped,", "en: Wait {{ params.wait_grace_dys }} days. The order was never shipped,")
    errors, _ = validate(pb)
    assert len(errors) == 1, [str(e) for e in errors]
    assert str(errors[0]).startswith(f"{table}:{line_of(table, 'en: Wait {{ params.wait_grace_dys }}')}: ")
    assert "unknown parameter {{ params.wait_grace_dys }} — did you mean {{ params.wait_grace_days }}?" in str(errors[0])


def test_a_jinja_syntax_error_in_a_template_names_file_and_line_without_a_traceback(pb, capsys):
    path = pb / "messages" / "request_photos.yaml"
    edit(path, "Dear {{ buyer_name }},", "Dear {{ buyer_name ,")
    assert main(["validate", str(pb)]) == 1
    out = capsys.readouterr().out
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, out
    broken = line_of(path, "Dear {{ buyer_name ,")
    assert any(f"{path}:{n}: en: Jinja syntax error" in errors[0] for n in (broken, broken + 1)), errors[0]


def test_one_unknown_field_gives_one_error_not_a_cascade(pb):
    edit(pb / "not_received.yaml", "      - shipped: false", "      - shiped: false")
    errors, _ = validate(pb)
    assert len(errors) == 1 and "shiped" in str(errors[0]), [str(e) for e in errors]


@pytest.mark.parametrize("name,used_by", [("wait_grace_days", "rule conditions and rationales"),
                                           ("extend_protection_days", "an action's text")])
def test_a_parameter_without_a_number_gives_one_error_not_a_cascade(pb, name, used_by):
    """A trainer writes a word where a number goes: the rules and texts that name the parameter are
    not reported as naming an unknown one, nor as rules that can never fire."""
    text = (pb / "parameters.yaml").read_text(encoding="utf-8")
    start = text.index(f"{name}:\n  value: ")
    value_line = text[start:text.index("\n", text.index("value:", start))]
    edit(pb / "parameters.yaml", value_line, f"{name}:\n  value: soon")
    errors, _ = validate(pb)
    assert len(errors) == 1 and name in str(errors[0]) and "numeric" in str(errors[0]), \
        (used_by, [str(e) for e in errors])


def test_batch_recommend_and_the_gate_refuse_an_over_limit_playbook(pb, tmp_path, capsys):
    edit(pb / "platforms.yaml", "    value: 1500", "    value: 60")
    errors, _ = validate(pb)
    assert errors and all("over AliExpress's limit of 60" in str(e) for e in errors)
    with pytest.raises(PlaybookError, match=r"error\(s\) in all"):
        load_checked(pb)
    src = tmp_path / "cases.csv"
    src.write_text("case_id,dispute_type,order_value,platform\nA,not_received,30,aliexpress\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["batch", str(src), "--out", str(out), "--playbook", str(pb), "--no-report"]) == 3
    err = capsys.readouterr().err
    assert "the playbook has errors" in err and "over AliExpress's limit of 60" in err
    assert f"run `dispute-playbook validate {pb.resolve()}`" in err
    assert not out.exists() or not any(out.iterdir())              # refused before anything is written
    case = tmp_path / "case.json"
    case.write_text(json.dumps(CASE), encoding="utf-8")
    assert main(["recommend", str(case), "--playbook", str(pb)]) == 3
    assert "over AliExpress's limit of 60" in capsys.readouterr().err


def test_the_app_refuses_a_playbook_with_errors(pb, monkeypatch, capsys):
    edit(pb / "not_received.yaml", "      - shipped: false", "      - shiped: false")
    monkeypatch.setenv("DISPUTE_PLAYBOOK_DIR", str(pb))
    assert main(["app", "--port", "0"]) == 3
    assert "shiped" in capsys.readouterr().err


def test_the_bundled_playbook_passes_the_gate():
    assert load_checked().tables


def test_a_clean_verdict_is_remembered_across_runs_and_an_edit_is_validated_again(pb, tmp_path, monkeypatch):
    from helpers.playbook import validate as gate
    monkeypatch.setenv(gate.CACHE_ENV, str(tmp_path / "cache"))
    runs = []
    real = gate.validate
    monkeypatch.setattr(gate, "validate", lambda path=None: runs.append(path) or real(path))
    monkeypatch.setattr(gate, "_verdicts", {})
    assert load_checked(pb).tables and len(runs) == 1
    assert len(list((tmp_path / "cache" / "validated").iterdir())) == 1
    monkeypatch.setattr(gate, "_verdicts", {})                      # a new process: only the disk remembers
    assert load_checked(pb).tables and len(runs) == 1
    edit(pb / "platforms.yaml", "    value: 1500", "    value: 60")    # same folder, other content
    monkeypatch.setattr(gate, "_verdicts", {})
    with pytest.raises(PlaybookError, match="over AliExpress's limit of 60"):
        load_checked(pb)
    assert len(runs) == 2
    monkeypatch.setattr(gate, "_verdicts", {})
    with pytest.raises(PlaybookError):                               # errors are never remembered as clean
        load_checked(pb)
    assert len(runs) == 3 and len(list((tmp_path / "cache" / "validated").iterdir())) == 1


def test_an_unwritable_cache_folder_only_means_validating_again(pb, tmp_path, monkeypatch):
    from helpers.playbook import validate as gate
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv(gate.CACHE_ENV, str(blocker / "cache"))     # below a file: cannot be created
    monkeypatch.setattr(gate, "_verdicts", {})
    assert load_checked(pb).tables


def test_a_remembered_verdict_brings_its_messages_so_a_run_compiles_no_template(pb, tmp_path, monkeypatch):
    from helpers import recommend
    from helpers.playbook import messages
    from helpers.playbook import validate as gate
    monkeypatch.setenv(gate.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(gate, "_verdicts", {})
    messages.clear_caches()
    case = {**CASE, "buyer_name": "{{ 7*7 }} Li", "buyer_language": "zh", "platform": "aliexpress"}
    first = recommend(case, playbook=pb)
    assert "{{ 7*7 }} Li" in first.message
    compiled = []
    real = messages._compile
    monkeypatch.setattr(messages, "_compile", lambda *a: compiled.append(a[1:3]) or real(*a))
    messages.clear_caches()
    monkeypatch.setattr(gate, "_verdicts", {})                      # a new process: only the disk remembers
    again = recommend(case, playbook=pb)
    assert again.message == first.message and compiled == []
    changed = recommend(case, playbook=pb, params={"wait_grace_days": 9})  # a changed policy is another group
    assert changed.message and len(compiled) == 1


def test_an_unreadable_remembered_verdict_means_validating_again_and_old_ones_are_pruned(pb, tmp_path, monkeypatch):
    from helpers.playbook import validate as gate
    monkeypatch.setenv(gate.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(gate, "_verdicts", {})
    load_checked(pb)
    (marker,) = (tmp_path / "cache" / "validated").iterdir()
    marker.write_text('{"verdict": "no validate', encoding="utf-8")  # cut short
    runs = []
    real = gate.validate
    monkeypatch.setattr(gate, "validate", lambda path=None: runs.append(path) or real(path))
    monkeypatch.setattr(gate, "_verdicts", {})
    assert load_checked(pb).tables and len(runs) == 1
    assert json.loads(marker.read_text(encoding="utf-8"))["compiled"]["rows"]   # written whole again
    for k in range(gate.KEEP_VERDICTS + 3):
        (marker.parent / f"old{k}").write_text("{}", encoding="utf-8")
    edit(pb / "platforms.yaml", "    value: 1500", "    value: 1400")
    monkeypatch.setattr(gate, "_verdicts", {})
    load_checked(pb)
    kept = list(marker.parent.iterdir())
    assert len(kept) == gate.KEEP_VERDICTS and any(p.name == gate.content_digest(pb.resolve()) for p in kept)


def test_an_edit_to_the_playbook_is_seen_by_the_next_load_without_a_restart(pb):
    """A trainer edits a YAML file (in place, or as an editor does: a new file renamed over it) and
    the next load compiles it afresh; files that are not YAML (an editor's backup) change nothing."""
    from helpers.playbook.loader import load_playbook
    assert load_playbook(pb).params["keep_item_max_value"] == 15
    params = pb / "parameters.yaml"
    params.write_text(params.read_text(encoding="utf-8").replace(
        "keep_item_max_value:\n  value: 15", "keep_item_max_value:\n  value: 25"), encoding="utf-8")
    assert load_playbook(pb).params["keep_item_max_value"] == 25
    (pb / "parameters.yaml~").write_text("not: [yaml", encoding="utf-8")
    assert load_playbook(pb).params["keep_item_max_value"] == 25
    new = pb / "parameters.yaml.tmp"
    new.write_text(params.read_text(encoding="utf-8").replace("value: 25", "value: 40", 1), encoding="utf-8")
    new.replace(params)
    assert load_playbook(pb).params["keep_item_max_value"] == 40


def test_a_headless_notebook_refuses_a_playbook_validate_rejects(pb, tmp_path, monkeypatch):
    """The notebooks' report (papermill runs, per-case audit notebooks) goes through the same gate:
    a playbook whose only error is in another dispute type's template is refused, not used."""
    from helpers.playbook import validate as gate
    from helpers.ui.notebook_run import report
    monkeypatch.setenv(gate.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(gate, "_verdicts", {})
    case = {"case_id": "D1", "dispute_type": "damaged", "order_value": 30.0, "as_of_date": "2026-11-01"}
    assert report(case, "en", interactive=False, playbook=str(pb)).resolution  # the copy as shipped: decided
    edit(pb / "messages" / "nr_customs_wait.yaml", "{{ buyer_name }}", "{% if buyer_name %}{{ buyer_name }}{% endif %}")
    with pytest.raises(PlaybookError, match=r"nr_customs_wait\.yaml:\d+: .*may only be printed"):
        report(case, "en", interactive=False, playbook=str(pb))


def test_an_edit_in_a_long_lived_process_is_validated_as_the_files_are_now(pb, tmp_path, monkeypatch):
    """The app and a notebook's kernel live on while a trainer edits: a template mistake made after
    the texts were compiled is still found by the gate (the old compiled texts once hid it)."""
    from helpers import recommend
    from helpers.playbook import validate as gate
    monkeypatch.setenv(gate.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(gate, "_verdicts", {})
    case = {**CASE, "tracking_status": "customs_hold", "order_date": "2026-09-28", "ship_date": "2026-10-01",
            "tracking_number": "LX1"}
    assert recommend(case, playbook=pb).template_id == "nr_customs_wait"  # its texts compiled in this process
    edit(pb / "messages" / "nr_customs_wait.yaml", "{{ buyer_name }}", "{% if buyer_name %}{{ buyer_name }}{% endif %}")
    with pytest.raises(PlaybookError, match=r"nr_customs_wait\.yaml:\d+: .*may only be printed"):
        load_checked(pb)
