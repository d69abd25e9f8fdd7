"""The app server's default limits, in a module of their own so `dispute-playbook app --help` can
show them without importing the server (and its HTTP and process machinery)."""
from __future__ import annotations

MAX_KERNELS = 40  # a class of 30 with a spare tab each for a few; each page's kernel is ~100 MB
CULL_IDLE_SECONDS = 1800
# Warming a kernel takes a core for about a second; started at once (Voila's default, 1 s) it slows the
# page that has just opened, and that page's first Recommend, on a 2-core laptop.
REFILL_DELAY = 5.0
