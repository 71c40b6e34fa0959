"""Ray, started or joined for one run, and always left as it was found.

``session(workers, address)`` starts a local Ray instance with ``workers`` CPUs, or joins the
cluster at ``address`` (``ray start --head`` prints it); the instance it started is shut down on
every exit path — a verdict, an error, a dead worker, Ctrl-C — so no Ray process outlives the
command. Joining leaves the cluster running and only disconnects.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from checker.errors import QuorumError

#: What a lost worker looks like to the driver (any of Ray's ways of saying an actor is gone).
LOST = ("RayActorError", "ActorDiedError", "ActorUnavailableError", "WorkerCrashedError", "ObjectLostError",
        "OwnerDiedError", "NodeDiedError")


def load() -> Any:
    try:
        import ray  # noqa: PLC0415 - only runs that distribute need it
    except ImportError:
        raise QuorumError("--workers and --ray-address need Ray: pip install 'ray>=2.9'") from None
    return ray


@contextmanager
def session(workers: int, address: str | None) -> Iterator[Any]:
    """Ray, ready for ``workers`` actors; shut down afterwards if this call started it."""
    ray = load()
    started = False
    if not ray.is_initialized():
        # Workers import protocols the way this process does (on a real cluster, install the project
        # on every node). A local instance is always a new one, never one another program started.
        env = {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        try:
            if address:
                ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False,
                         runtime_env={"env_vars": env})
            else:
                ray.init(address="local", num_cpus=workers, include_dashboard=False, logging_level=logging.ERROR,
                         log_to_driver=False, runtime_env={"env_vars": env})
        except ConnectionError as err:
            cause = str(err.__cause__ or "")
            hint = (" — it asks for an authentication token: make the cluster's token available (RAY_AUTH_TOKEN, or "
                    "~/.ray/auth_token; see Ray's token authentication)") if "uthentication" in cause else ""
            raise QuorumError(f"--ray-address {address}: no Ray cluster answers there ({err}){hint}; start one "
                              "with `ray start --head` and pass the address it prints") from None
        started = True
    try:
        yield ray
    finally:
        if started:
            ray.shutdown()


def lost(err: BaseException) -> bool:
    """Whether ``err`` says a worker (or what it held) is gone."""
    return any(cls.__name__ in LOST for cls in type(err).__mro__)
