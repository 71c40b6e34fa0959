"""Every protocol and variant in protocols/, discovered, at its ``small_instance``: the cases the
cross-engine tests share (a new protocol is compared by every engine without editing a test)."""

from __future__ import annotations

import pytest

from checker.cli.discovery import all_protocols

CASES = [(cls, variant) for cls in all_protocols() for variant in (cls.variants() or [None])]
IDS = [f"{c.__name__}-{v}" if v else c.__name__ for c, v in CASES]


def build(cls, variant):
    """The protocol at its small instance, with the variant (None: the protocol has none)."""
    params = dict(cls.small_instance)
    if variant is not None:
        params["variant"] = variant
    return cls(**params)


#: Protocols that cost seconds per engine and variant at their small instance: compared in the slow
#: suite (raft_log's sequences and bags are covered in the default one by the toys of
#: tests/differential/test_sequences_engines.py).
HEAVY = {"RaftLog"}
PARAMS = [
    pytest.param(c, v, id=i, marks=pytest.mark.slow) if c.__name__ in HEAVY else pytest.param(c, v, id=i)
    for (c, v), i in zip(CASES, IDS, strict=True)
]
