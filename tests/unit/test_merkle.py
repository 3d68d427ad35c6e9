"""The Merkle tree is RFC 9162's: the published test vectors (those of the Certificate
Transparency reference implementations) give the same roots and proofs here, every proof
verifies, and a proof changed in any way does not."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpworkflow.store.merkle import (
    EMPTY,
    Tree,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

# RFC 6962 / RFC 9162 reference leaves and the root of each prefix of them (sizes 0 to 8).
LEAVES = [
    bytes.fromhex(h)
    for h in (
        *("", "00", "10", "2021", "3031", "40414243", "5051525354555657"),
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = {
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}
CONSISTENCY = {
    (2, 8): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}
TREE = Tree([leaf_hash(leaf) for leaf in LEAVES])


def test_leaves_and_nodes_are_hashed_with_the_rfc_prefixes() -> None:
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert node_hash(b"l", b"r") == hashlib.sha256(b"\x01lr").digest()
    assert EMPTY.hex() == ROOTS[0]


@pytest.mark.parametrize("size", range(9))
def test_the_root_of_each_reference_prefix_is_the_published_one(size: int) -> None:
    assert TREE.root(size).hex() == ROOTS[size]
    assert Tree([leaf_hash(leaf) for leaf in LEAVES[:size]]).root().hex() == ROOTS[size]


@pytest.mark.parametrize(("index", "size"), INCLUSION)
def test_inclusion_proofs_are_the_published_ones(index: int, size: int) -> None:
    path = TREE.inclusion(index, size)
    assert [p.hex() for p in path] == INCLUSION[(index, size)]
    leaf = leaf_hash(LEAVES[index])
    assert verify_inclusion(leaf, index, size, path, bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize(("first", "second"), CONSISTENCY)
def test_consistency_proofs_are_the_published_ones(first: int, second: int) -> None:
    proof = TREE.consistency(first, second)
    assert [p.hex() for p in proof] == CONSISTENCY[(first, second)]
    old, new = bytes.fromhex(ROOTS[first]), bytes.fromhex(ROOTS[second])
    assert verify_consistency(first, second, old, new, proof)


def _leaves(n: int) -> list[bytes]:
    return [leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(n)]


BIG = Tree(_leaves(70))


@given(st.data())
def test_every_inclusion_proof_verifies_and_no_altered_one_does(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, BIG.size))
    index = data.draw(st.integers(0, size - 1))
    leaf, root, path = BIG.levels[0][index], BIG.root(size), BIG.inclusion(index, size)
    assert verify_inclusion(leaf, index, size, path, root)
    if size > 1:
        assert not verify_inclusion(leaf, (index + 1) % size, size, path, root)
        assert not verify_inclusion(BIG.levels[0][(index + 1) % size], index, size, path, root)
        assert not verify_inclusion(leaf, index, size, path[:-1], root)
        assert not verify_inclusion(leaf, index, size, [*path, EMPTY], root)
        flipped = [bytes([path[0][0] ^ 1]) + path[0][1:], *path[1:]]
        assert not verify_inclusion(leaf, index, size, flipped, root)


@given(st.data())
def test_every_consistency_proof_verifies_and_no_altered_one_does(data: st.DataObject) -> None:
    second = data.draw(st.integers(1, BIG.size))
    first = data.draw(st.integers(0, second))
    old, new = BIG.root(first), BIG.root(second)
    proof = BIG.consistency(first, second)
    assert verify_consistency(first, second, old, new, proof)
    if 0 < first < second:
        assert not verify_consistency(first, second, new, new, proof) or old == new
        assert not verify_consistency(first, second, old, old, proof)
        assert not verify_consistency(first, second, old, new, proof[:-1])
        assert not verify_consistency(first, second, old, new, [*proof, EMPTY])
        flipped = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
        assert not verify_consistency(first, second, old, new, flipped)


def test_a_log_that_changed_a_leaf_is_not_consistent_with_its_old_root() -> None:
    leaves = _leaves(20)
    old_root = Tree(leaves[:13]).root()
    changed = [*leaves[:5], leaf_hash(b"edited"), *leaves[6:]]
    tree = Tree(changed)
    assert not verify_consistency(13, 20, old_root, tree.root(), tree.consistency(13))
