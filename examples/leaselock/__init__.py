"""A small in-process lease lock with fencing tokens, and its adapter to ``protocols.lease:LeaseLock``.

``lock.py`` is the implementation (clock, lock server, storage, clients); ``adapter.py`` maps each
protocol action to calls on it and its state back to protocol variables. ``OffByOneStorage`` is a
planted bug that ``checker.mbt.check_conformance`` finds.
"""
