"""Shared test setup. The review date is fixed so every expectation reproduces."""
from __future__ import annotations

import os
import time

import pytest
from hypothesis import settings

from support import ARTIFACTS

SESSION_START = time.time()

# The property tests draw the same examples on every run of the README's test command, so a run
# fails for the code, not for the dice; `HYPOTHESIS_PROFILE=explore` draws new ones (a random seed
# each run) to hunt for cases nobody has thought of -- add each one found as an @example.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(scope="session")
def playbook():
    from helpers import load_playbook
    return load_playbook()


def pytest_terminal_summary(terminalreporter):
    """Show the rule-coverage table written by tests/test_rule_coverage.py during this run."""
    report = ARTIFACTS / "rule-coverage.txt"
    if report.exists() and report.stat().st_mtime >= SESSION_START:
        terminalreporter.section("playbook rule coverage")
        terminalreporter.write(report.read_text(encoding="utf-8"))
