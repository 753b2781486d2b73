"""3D Reconstruction: answers re-derived from the voxel list in `state`: numpy projections, and the minimum
number of added voxels by brute force over subsets of the allowed empty positions."""
import itertools
import json

import numpy as np
import pytest

import gameqa
from gameqa_testing import gold

SEEDS = range(100)




def grid(voxels):
    g = np.zeros((3, 3, 3), dtype=int)  # indexed [x-1, y-1, z-1]
    for x, y, z in voxels:
        g[x - 1, y - 1, z - 1] = 1
    return g


def projections(g):
    """(X-Z, Y-Z) as 3×3 lists, rows z = 3..1."""
    xz = g.max(axis=1).T[::-1]  # (z, x), flipped so z = 3 comes first
    yz = g.max(axis=0).T[::-1]
    return xz.tolist(), yz.tolist()


@pytest.mark.parametrize("level", gameqa.LEVELS)
def test_count_and_structure(level):
    lo, hi = {"Easy": (3, 5), "Medium": (6, 10), "Hard": (11, 15)}[level]
    for seed in range(100 if level == "Easy" else 20):
        s = gameqa.sample_task("3d_reconstruction", 1, seed, level, render=False)
        voxels = [tuple(v) for v in s["state"]["voxels"]]
        g = grid(voxels)
        assert int(gold(s)) == g.sum() == len(voxels) and lo <= len(voxels) <= hi
        assert all(z == 1 or g[x - 1, y - 1, z - 2] for x, y, z in voxels)  # the drawn structure stands up
        xz, yz = projections(g)  # the targets contain the structure's own projections
        assert all(a <= b for ra, rb in zip(xz, s["state"]["target_xz"]) for a, b in zip(ra, rb))
        assert all(a <= b for ra, rb in zip(yz, s["state"]["target_yz"]) for a, b in zip(ra, rb))


def test_projection_after_adding():
    for seed in SEEDS:
        s = gameqa.sample_task("3d_reconstruction", 2, seed, "Medium", render=False)
        g = grid(s["state"]["voxels"]) | grid(s["state"]["added"])
        xz, yz = projections(g)
        assert json.loads(gold(s)) == (xz if s["state"]["axis"] == "xz" else yz)


@pytest.mark.parametrize("level", ["Easy", "Medium"])
def test_min_voxels_to_add(level):
    for seed in SEEDS:
        s = gameqa.sample_task("3d_reconstruction", 3, seed, level, render=False)
        st = s["state"]
        g = grid(st["voxels"])
        targets = (st["target_xz"], st["target_yz"])
        empty = [tuple(int(i) + 1 for i in p) for p in zip(*np.nonzero(g == 0))]
        best = None
        for k in range(0, 10):
            for extra in itertools.combinations(empty, k):
                if projections(g | grid(extra)) == targets:
                    best = k
                    break
            if best is not None:
                break
        assert best is not None and int(gold(s)) == best >= 1


def test_which_position_holds_a_voxel():
    for seed in SEEDS:
        s = gameqa.sample_task("3d_reconstruction", 4, seed, "Medium", render=False)
        g = grid(s["state"]["voxels"])
        holding = [p for p in s["state"]["positions"] if g[p[0] - 1, p[1] - 1, p[2] - 1]]
        assert len(holding) == 1 and gold(s) == "({}, {}, {})".format(*holding[0])
        assert sorted(s["options"]) == sorted("({}, {}, {})".format(*p) for p in s["state"]["positions"])
