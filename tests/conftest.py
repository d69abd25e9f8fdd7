"""Shared test setup. The review date is fixed so every expectation reproduces."""
from __future__ import annotations

import pytest

from support import ARTIFACTS


@pytest.fixture(scope="session")
def playbook():
    from helpers import load_playbook
    return load_playbook()


def pytest_terminal_summary(terminalreporter):
    report = ARTIFACTS / "rule-coverage.txt"
    if report.exists():
        terminalreporter.section("playbook rule coverage")
        terminalreporter.write(report.read_text(encoding="utf-8"))
