"""Where the bundled data lives: the one place that knows the repository's layout."""
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PLAYBOOK_DIR = REPO / "playbook"
NOTEBOOKS_DIR = REPO / "notebooks"
SAMPLES_DIR = REPO / "samples"
