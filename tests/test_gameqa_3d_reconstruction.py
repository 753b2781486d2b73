"""3D Reconstruction: every task's gold re-derived from the record's `state` by code written here, never the
module's: projections with numpy, connectivity by union-find, and the fewest voxels to add by a breadth-first
search that grows the structure one touching voxel at a time (the module enumerates sets by size instead)."""
import io
import json
import re
from collections import Counter

import numpy as np
import pytest

import gameqa
import rewards
from gameqa_testing import gold

GAME = "3d_reconstruction"
LEVELS = ("Easy", "Medium", "Hard")
SEEDS = range(120)  # 40 per plot level


def sample(qid, seed, render=False):
    return gameqa.sample_task(GAME, qid, seed, LEVELS[seed % 3], render=render)


def voxels(listed):
    return {tuple(p) for p in listed}


def grid(vox):
    g = np.zeros((3, 3, 3), dtype=int)  # indexed [x-1, y-1, z-1]
    for x, y, z in vox:
        g[x - 1, y - 1, z - 1] = 1
    return g


def projections(vox):
    """{"yz": ..., "xz": ...} as nested lists with rows z = 3..1, columns y (or x) = 1..3."""
    g = grid(vox)
    return {"yz": g.max(axis=0).T[::-1].tolist(), "xz": g.max(axis=1).T[::-1].tolist()}


def one_piece(vox):
    """Union-find over face-sharing pairs."""
    vox = sorted(vox)
    parent = {p: p for p in vox}

    def root(p):
        while parent[p] != p:
            p = parent[p]
        return p
    for a in vox:
        for b in vox:
            if sum(abs(i - j) for i, j in zip(a, b)) == 1:
                parent[root(a)] = root(b)
    return len({root(p) for p in vox}) <= 1


def touching(vox):
    cells = [(x, y, z) for x in (1, 2, 3) for y in (1, 2, 3) for z in (1, 2, 3)]
    return {c for c in cells if c not in vox and any(sum(abs(i - j) for i, j in zip(c, p)) == 1 for p in vox)}


def fewest_to_add(st):
    """Breadth-first over structures grown one face-touching voxel at a time, up to the budget. A voxel outside
    either target projection would leave a cell the target lacks, so only voxels inside both are tried."""
    current = voxels(st["current"])
    want = {"yz": st["target_yz"], "xz": st["target_xz"]}
    inside = lambda p: want["yz"][3 - p[2]][p[1] - 1] and want["xz"][3 - p[2]][p[0] - 1]
    layer = {frozenset()}
    for depth in range(st["budget"] + 1):
        if any(projections(current | added) == want for added in layer):
            return depth
        layer = {added | {p} for added in layer for p in touching(current | added) if inside(p)}
    return None


def legal(st, added, planes):
    """The rules as the question prints them: distinct empty positions, at most the budget, one piece, and the
    asked projection(s) equal to the target(s)."""
    current, added = voxels(st["current"]), list(added)
    union = current | set(added)
    proj = projections(union)
    return (len(set(added)) == len(added) <= st["budget"] and not current & set(added) and one_piece(union)
            and all(proj[plane] == st[f"target_{plane}"] for plane in planes))


def check_generator(st, level):
    lo, hi = {"Easy": (3, 5), "Medium": (6, 10), "Hard": (11, 15)}[level]
    target, current, shown = voxels(st["target"]), voxels(st["current"]), voxels(st["shown"])
    t, c = len(target), len(current)
    assert lo <= t <= hi and st["target_count"] == t and st["budget"] == t - c
    low, gap = {"Easy": (1, 3), "Medium": (2, 4), "Hard": (3, 5)}[level]
    assert c == min(max(low, t - gap), t - 1)
    assert one_piece(target) and any(z == 1 for _, _, z in target)
    assert current < target and one_piece(current)
    assert projections(target) == {"yz": st["target_yz"], "xz": st["target_xz"]}
    assert all(z == 1 or (x, y, z - 1) in shown for x, y, z in shown)  # what is drawn stands
    assert one_piece(shown)


# ---------------------------------------------------------------------------------------------------------
# The task table and the levels, as Game-RL's 3DReconstruction defines them

def test_task_table_and_levels():
    table = {t.question_id: (t.qa_type, t.qa_level) for t in gameqa.REGISTRY[GAME].tasks}
    assert table == {0: ("Target Perception", "Easy"), 1: ("Target Perception", "Easy"),
                     2: ("Target Perception", "Medium"), 3: ("State Prediction", "Medium"),
                     4: ("State Prediction", "Hard"), 5: ("Strategy Optimization", "Hard")}
    forms = {0: None, 1: 6, 2: 4, 3: None, 4: 8, 5: None}  # option count, None for fill-in
    for qid, n in forms.items():
        for seed in range(6):
            s = sample(qid, seed)
            assert len(s.get("options", [])) == (n or 0), (qid, seed)
    fixed = sample(2, 0)["options"]
    assert fixed == ["Neither projection matches its target", "Only the Y-Z projection matches its target",
                     "Only the X-Z projection matches its target", "Both projections match their targets"]
    sizes = {level: Counter() for level in LEVELS}
    for seed in range(90):
        st = sample(5, seed)["state"]
        sizes[LEVELS[seed % 3]][(st["target_count"], len(st["current"]))] += 1
    for level, (t_range, c_range, most) in {"Easy": ((3, 5), (1, 2), 3), "Medium": ((6, 10), (2, 6), 4),
                                           "Hard": ((11, 15), (6, 10), 5)}.items():
        assert all(t_range[0] <= t <= t_range[1] and c_range[0] <= c <= c_range[1] and t - c <= most
                   for t, c in sizes[level]), (level, sizes[level])


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

def test_q0_voxel_count():
    views = Counter()
    for seed in SEEDS:
        s = sample(0, seed)
        st = s["state"]
        check_generator(st, LEVELS[seed % 3])
        shown, current = voxels(st["shown"]), voxels(st["current"])
        assert gold(s) == str(int(grid(shown).sum()))
        assert rewards.score_gameqa(f"... The answer is {gold(s)}", s)["accuracy"] == 1
        views[st["view"]] += 1
        if st["view"] == "current":
            assert shown == current
        elif st["view"] == "solution":  # a fewest-voxel addition that makes both projections match
            assert current < shown and legal(st, shown - current, ("yz", "xz"))
            assert len(shown - current) == fewest_to_add(st)
        else:
            assert current < shown and len(shown - current) <= st["budget"]
    assert all(views[v] >= 15 for v in ("current", "solution", "custom")), views


def test_q1_which_position_holds_a_voxel():
    for seed in SEEDS:
        s = sample(1, seed)
        st = s["state"]
        check_generator(st, LEVELS[seed % 3])
        g = grid(voxels(st["shown"]))
        options = [tuple(int(v) for v in re.findall(r"\d", o)) for o in s["options"]]
        holding = [p for p in options if g[p[0] - 1, p[1] - 1, p[2] - 1]]
        assert len(options) == len(set(options)) == 6 and len(holding) == 1
        assert gold(s) == "({}, {}, {})".format(*holding[0])


def test_q2_projections_match():
    answers = Counter()
    for seed in range(150):
        s = sample(2, seed)
        st = s["state"]
        check_generator(st, LEVELS[seed % 3])
        proj = projections(voxels(st["shown"]))
        yz, xz = proj["yz"] == st["target_yz"], proj["xz"] == st["target_xz"]
        expected = {(False, False): "Neither", (True, False): "Only the Y-Z", (False, True): "Only the X-Z",
                    (True, True): "Both"}[(yz, xz)]
        assert gold(s).startswith(expected), (seed, gold(s), expected)
        answers[expected] += 1
    # the answer is drawn before the picture, so no option dominates (Game-RL's solution view is always "Both")
    assert all(n >= 20 for n in answers.values()) and len(answers) == 4, answers


def test_q3_projection_after_adding():
    for seed in SEEDS:
        s = sample(3, seed)
        st = s["state"]
        check_generator(st, LEVELS[seed % 3])
        current, added = voxels(st["current"]), [tuple(p) for p in st["added"]]
        assert voxels(st["shown"]) == current and st["budget_shown"]
        assert len(set(added)) == len(added) and set(added) <= touching(current)
        assert 1 <= len(added) <= min(3, fewest_to_add(st))
        assert json.loads(gold(s)) == projections(current | set(added))[st["plane"]]
        assert rewards.score_gameqa(f"... The answer is {gold(s)}", s)["accuracy"] == 1
        assert re.search(r"at " + re.escape(", ".join("({}, {}, {})".format(*p) for p in sorted(added))), s["prompt"])


def test_q4_which_addition():
    modes = Counter()
    for seed in SEEDS:
        s = sample(4, seed)
        st = s["state"]
        check_generator(st, LEVELS[seed % 3])
        planes = {"both": ("yz", "xz"), "yz": ("yz",), "xz": ("xz",)}[st["mode"]]
        modes[st["mode"]] += 1
        assert f"at most {st['budget']} voxels" in s["prompt"]
        right = []
        for option in s["options"]:
            assert option.startswith("Add voxels at positions: [")
            added = [tuple(int(v) for v in t) for t in re.findall(r"\((\d), (\d), (\d)\)", option)]
            if legal(st, added, planes):
                right.append(option)
        assert right == [gold(s)], (seed, right, gold(s))  # the gold is the one option that follows the rules
        best = [tuple(int(v) for v in t) for t in re.findall(r"\((\d), (\d), (\d)\)", gold(s))]
        assert legal(st, best, ("yz", "xz")) and len(best) == fewest_to_add(st) >= 1
    assert modes["both"] >= 40 and modes["yz"] >= 15 and modes["xz"] >= 15, modes


def test_q5_fewest_voxels_to_add():
    for seed in SEEDS:
        s = sample(5, seed)
        st = s["state"]
        check_generator(st, LEVELS[seed % 3])
        assert voxels(st["shown"]) == voxels(st["current"])
        assert f"At most {st['budget']} voxels" in s["prompt"]
        assert gold(s) == str(fewest_to_add(st))
        assert rewards.score_gameqa(f"... The answer is {gold(s)}", s)["accuracy"] == 1


# ---------------------------------------------------------------------------------------------------------
# Pictures and determinism

def test_picture_shows_the_budget_only_where_a_question_uses_it():
    for qid in range(6):
        st = sample(qid, 1)["state"]
        assert st["budget_shown"] == (qid >= 3)


@pytest.mark.parametrize("qid", range(6))
def test_same_seed_same_bytes(qid):
    def png(s):
        buffer = io.BytesIO()
        s["images"][0].save(buffer, format="PNG")
        return buffer.getvalue()
    a, b = sample(qid, 4, render=True), sample(qid, 4, render=True)
    assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []}) and png(a) == png(b)
    assert a["images"][0].size[0] <= 900 and a["images"][0].size[1] <= 900
