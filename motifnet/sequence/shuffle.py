"""Dinucleotide-preserving shuffles (Altschul & Erickson 1985), seeded.

A sequence is an Eulerian path through the multigraph whose vertices are letters and whose
edges are its dinucleotides. A uniformly random Eulerian path with the same first letter uses
each edge once, so it keeps every dinucleotide count, the first and the last letter. Following
Altschul & Erickson, draw for every vertex but the last letter a final out-edge so that those
edges form a spanning tree rooted at the last letter (here by Wilson's loop-erased random walk,
which always terminates), shuffle the remaining out-edges of each vertex, and walk.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RandomLike = np.random.Generator | int | None


def dinucleotide_shuffle(seqs: str | Sequence[str], *, rng: RandomLike = None) -> str | list[str]:
    """Shuffle a sequence (or each of a list) keeping its dinucleotide counts exactly.

    Characters are kept as they are (case included). ``rng`` is a numpy Generator or a seed.
    """
    generator = np.random.default_rng(rng)
    if isinstance(seqs, str):
        return _shuffle_one(seqs, generator)
    return [_shuffle_one(s, generator) for s in seqs]


def _shuffle_one(seq: str, rng: np.random.Generator) -> str:
    if len(seq) <= 2:
        return seq
    letters, codes = np.unique(np.frombuffer(seq.encode("latin-1"), np.uint8), return_inverse=True)
    n_letters = len(letters)
    sources, targets = codes[:-1], codes[1:]
    order = np.argsort(sources, kind="stable")
    bounds = np.searchsorted(sources[order], np.arange(n_letters + 1))
    out_edges = [targets[order[bounds[v] : bounds[v + 1]]].copy() for v in range(n_letters)]

    last = int(codes[-1])
    final_choice = _random_arborescence(out_edges, last, rng)
    for vertex, edges in enumerate(out_edges):
        if len(edges) == 0:
            continue
        if vertex == last:
            rng.shuffle(edges)
            continue
        chosen = final_choice[vertex]
        edges[chosen], edges[-1] = edges[-1], edges[chosen]
        rng.shuffle(edges[:-1])

    lists = [edges.tolist() for edges in out_edges]
    position = [0] * n_letters
    walk = [int(codes[0])]
    current = walk[0]
    for _ in range(len(seq) - 1):
        following = lists[current][position[current]]
        position[current] += 1
        walk.append(following)
        current = following
    return letters[np.array(walk)].tobytes().decode("latin-1")


def _random_arborescence(
    out_edges: list[np.ndarray], root: int, rng: np.random.Generator
) -> dict[int, int]:
    """Wilson's algorithm: for each vertex with edges, the index of its edge towards ``root``."""
    in_tree = [len(edges) == 0 for edges in out_edges]
    in_tree[root] = True
    choice: dict[int, int] = {}
    for start in range(len(out_edges)):
        vertex = start
        while not in_tree[vertex]:
            choice[vertex] = int(rng.integers(len(out_edges[vertex])))
            vertex = int(out_edges[vertex][choice[vertex]])
        vertex = start
        while not in_tree[vertex]:
            in_tree[vertex] = True
            vertex = int(out_edges[vertex][choice[vertex]])
    return choice
