"""Where the bundled data lives: the one place that knows the repository's layout."""
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PLAYBOOK_DIR = REPO / "playbook"
NOTEBOOKS_DIR = REPO / "notebooks"
SAMPLES_DIR = REPO / "samples"


def playbook_dir(path=None) -> Path:
    """The playbook folder in use: `path`, else $DISPUTE_PLAYBOOK_DIR, else the bundled playbook/."""
    return Path(path or os.environ.get("DISPUTE_PLAYBOOK_DIR") or PLAYBOOK_DIR)
