"""Every rule of the shipped playbook is fired by at least one case, and by the case meant for it."""
from __future__ import annotations

from collections import defaultdict

import pytest
import yaml

from helpers import recommend
from helpers.batch.samples import teaching_cases

from support import ARTIFACTS, AS_OF, ROOT

RULE_CASES = yaml.safe_load((ROOT / "tests" / "data" / "rule_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("rule_id", sorted(RULE_CASES))
def test_rule_case_fires_its_rule(rule_id, playbook):
    assert recommend(RULE_CASES[rule_id], as_of=AS_OF, playbook=playbook).rule_id == rule_id


@pytest.mark.parametrize("teaching", teaching_cases(), ids=lambda t: t["case"]["case_id"])
def test_teaching_case_gets_the_taught_resolution(teaching, playbook):
    rec = recommend(teaching["case"], as_of=AS_OF, playbook=playbook)
    assert rec.resolution == teaching["expect"], f"{teaching['story']} -> {rec.rule_id}: {rec.rationale}"


def test_every_rule_is_fired_by_some_case(playbook):
    fired = defaultdict(list)
    for case in [t["case"] for t in teaching_cases()] + list(RULE_CASES.values()):
        fired[recommend(case, as_of=AS_OF, playbook=playbook).rule_id].append(case["case_id"])
    rules = list(playbook.all_rules())
    lines = [f"{r.id:<34} {', '.join(fired.get(r.id, [])) or 'NOT FIRED'}" for r in rules]
    covered = sum(1 for r in rules if fired.get(r.id))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "rule-coverage.txt").write_text(
        f"{covered}/{len(rules)} rules fired by a test case\n" + "\n".join(lines) + "\n", encoding="utf-8")
    missing = [r.id for r in rules if not fired.get(r.id)]
    assert not missing, f"rules no test case fires (add one to tests/data/rule_cases.yaml): {missing}"
