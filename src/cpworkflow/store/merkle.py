"""The Merkle tree of RFC 9162 (Certificate Transparency 2.0, §2.1), over the log's events.

Each leaf is one event's 32-byte hash, in position order. Hashing is RFC 9162's:
leaf `SHA-256(0x00 ‖ leaf)`, node `SHA-256(0x01 ‖ left ‖ right)`, the empty tree `SHA-256()`,
and a tree of n > 1 leaves split at the largest power of two smaller than n. The proofs are
the RFC's PATH (inclusion, §2.1.3) and PROOF (consistency, §2.1.4), and the verifiers follow
its algorithms step by step, so any other implementation of the RFC agrees with them (the
RFC's test vectors are in tests/unit/test_merkle.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY = hashlib.sha256(b"").digest()


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


class Tree:
    """The tree over a sequence of leaf hashes (already `leaf_hash`ed). Every aligned
    perfect subtree is kept, level by level, so a root, an inclusion proof or a
    consistency proof for any size up to the whole costs O(log n) once built (about 2n
    hashes, built once)."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.levels: list[list[bytes]] = [list(leaves)]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append(
                [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            )

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def _hash(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]); start is always aligned to the subtree's split in the RFC's
        recursion, so perfect subtrees are looked up."""
        n = end - start
        if n == 0:
            return EMPTY
        if n & (n - 1) == 0:
            level = n.bit_length() - 1
            return self.levels[level][start >> level]
        k = _split(n)
        return node_hash(self._hash(start, start + k), self._hash(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        return self._hash(0, self._size(size))

    def inclusion(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]): the hashes that lead from leaf `index` to the root."""
        n = self._size(size)
        if not 0 <= index < n:
            raise ValueError(f"leaf {index} is not in a tree of {n}")
        path: list[bytes] = []
        start, end = 0, n
        while end - start > 1:
            k = _split(end - start)
            if index < start + k:
                path.append(self._hash(start + k, end))
                end = start + k
            else:
                path.append(self._hash(start, start + k))
                start += k
        return path[::-1]

    def consistency(self, first: int, size: int | None = None) -> list[bytes]:
        """PROOF(first, D[0:size]): that the tree of `first` leaves is a prefix."""
        n = self._size(size)
        if not 0 <= first <= n:
            raise ValueError(f"a tree of {first} is not a prefix of one of {n}")
        if first in (0, n):
            return []
        proof: list[bytes] = []
        start, end, whole = 0, n, True
        while first != end - start:
            k = _split(end - start)
            if first <= k:  # the old tree lies in the left subtree
                proof.append(self._hash(start + k, end))
                end = start + k
            else:
                proof.append(self._hash(start, start + k))
                first -= k
                start += k
                whole = False
        if not whole:
            proof.append(self._hash(start, end))
        return proof[::-1]

    def _size(self, size: int | None) -> int:
        n = self.size if size is None else size
        if not 0 <= n <= self.size:
            raise ValueError(f"a tree of {n} is larger than the {self.size} leaves there are")
        return n


def verify_inclusion(
    leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does `path` lead from leaf hash `leaf` at `index` to `root`?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: is the tree of `first` leaves with `first_root` a prefix of the
    tree of `second` leaves with `second_root`?"""
    if not 0 <= first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0
