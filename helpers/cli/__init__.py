"""`dispute-playbook`: the command line, on top of every other layer; it parses and calls the API."""
from .commands import main

__all__ = ["main"]
