"""Shared test setup. The review date is fixed so every expectation reproduces."""
from __future__ import annotations

import time

import pytest

from support import ARTIFACTS

SESSION_START = time.time()


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
