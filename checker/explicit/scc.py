"""Strongly connected components of an explicit state graph: the liveness checker's fair cycles
and the extremes query's cycles of cost are both found in them."""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from typing import Protocol


class Csr(Protocol):
    """A graph in CSR form: state ``v``'s edges are ``dst[offsets[v]:offsets[v + 1]]``."""

    states: list
    dst: array
    offsets: array


def components(graph: Csr, nodes: Iterable[int], member: bytearray) -> list[list[int]]:
    """Strongly connected components of the subgraph on ``member`` (iterative Tarjan), each after
    every component it reaches (reverse topological order)."""
    n = len(graph.states)
    low, order = array("l", [-1]) * n, array("l", [-1]) * n
    on_stack = bytearray(n)
    stack: list[int] = []
    comps: list[list[int]] = []
    counter = 0
    dst, offsets = graph.dst, graph.offsets
    for root in nodes:
        if order[root] >= 0:
            continue
        work = [(root, offsets[root])]
        order[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = 1
        while work:
            v, e = work[-1]
            end = offsets[v + 1]
            while e < end:
                w = dst[e]
                e += 1
                if not member[w]:
                    continue
                if order[w] < 0:
                    work[-1] = (v, e)
                    order[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = 1
                    work.append((w, offsets[w]))
                    break
                if on_stack[w] and order[w] < low[v]:
                    low[v] = order[w]
            else:
                work.pop()
                if work and low[v] < low[work[-1][0]]:
                    low[work[-1][0]] = low[v]
                if low[v] == order[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack[w] = 0
                        comp.append(w)
                        if w == v:
                            break
                    comps.append(comp)
    return comps
