"""Star Battle: the task table, the layouts and the picture, and every task's gold re-derived from the record's
`state` by code written here: a rule check that compares every pair of stars (the module checks a cell against
the stars by rule), a brute force over every cell for the last star, a search over column permutations in
lexicographic order for the first solution, a breadth-first check that each region is connected, and the
picture read back pixel by pixel."""
import io
import itertools
import json
import re
from collections import Counter

import pytest

import gameqa
import rewards
from gameqa_games.common import grid_canvas
from gameqa_testing import gold

GAME = "star_battle"
SEEDS = range(120)  # 40 per plot level: seed % 3
SIZE = {"Easy": 5, "Medium": 6, "Hard": 8}
COLOURS = {0: ("light pink", (255, 182, 193)), 1: ("powder blue", (176, 224, 230)), 2: ("light green", (144, 238, 144)),
           3: ("peach", (255, 218, 185)), 4: ("red", (255, 0, 0)), 5: ("yellow", (255, 255, 0)),
           6: ("cyan", (0, 255, 255)), 7: ("orange", (255, 165, 0))}
# Game-RL's question ids, qa_type (task 4: the module docstring's deviation 5) and qa_level; options: 8 for
# multiple choice, None for fill-in
TABLE = {1: ("State Prediction", "Hard", None), 2: ("Target Perception", "Easy", 8),
         3: ("Target Perception", "Easy", 8), 4: ("State Prediction", "Medium", 8)}
CELL_TEXT = re.compile(r"\((\d+), (\d+)\)")


def sample(qid, seed, render=False):
    return gameqa.sample_task(GAME, qid, seed, gameqa.LEVELS[seed % 3], render=render)


def samples(qid):
    return [sample(qid, seed) for seed in SEEDS]


def cell_of(text):
    m = CELL_TEXT.fullmatch(text)
    assert m, text
    return int(m[1]), int(m[2])


# ---------------------------------------------------------------------------------------------------------
# The rules, written out pair by pair

def region_map(state):
    return {(r, c): k for k, region in enumerate(state["regions"]) for r, c in region}


def touching(a, b):
    return a != b and abs(a[0] - b[0]) <= 1 and abs(a[1] - b[1]) <= 1


def is_solution(stars, regions):
    """Exactly one star per row, column and region, and no two stars touching, checked over every pair."""
    n = len(regions)
    owner = {cell: k for k, region in enumerate(regions) for cell in map(tuple, region)}
    stars = [tuple(s) for s in stars]
    if len(stars) != n or len(set(stars)) != n:
        return False
    for a, b in itertools.combinations(stars, 2):
        if a[0] == b[0] or a[1] == b[1] or owner[a] == owner[b] or touching(a, b):
            return False
    return True


def may_take_star(cell, stars, owner):
    """Empty, and no star shares its row, column or region or touches it (task 4's test)."""
    return all(s != cell and s[0] != cell[0] and s[1] != cell[1] and owner[s] != owner[cell] and not touching(s, cell)
               for s in stars)


def broken(cell, stars, owner):
    """How many of the four rules a star on the empty `cell` would break."""
    return sum([any(touching(s, cell) for s in stars), any(s[0] == cell[0] for s in stars),
                any(s[1] == cell[1] for s in stars), any(owner[s] == owner[cell] for s in stars)])


def test_the_rule_check_on_a_hand_made_board():
    # 4×4 regions: the four 2×2 quadrants. Columns (1, 3, 0, 2) row by row are a solution; in (0, 2, 1, 3) the
    # stars (1, 2) and (2, 1) touch diagonally; (1, 3, 0, 3) repeats column 3.
    quads = [[(r, c) for r in rows for c in cols] for rows in ((0, 1), (2, 3)) for cols in ((0, 1), (2, 3))]
    assert is_solution([(0, 1), (1, 3), (2, 0), (3, 2)], quads)
    assert not is_solution([(0, 0), (1, 2), (2, 1), (3, 3)], quads)   # (0, 0), (1, 2) fine; (1, 2), (2, 1) touch
    assert not is_solution([(0, 1), (1, 3), (2, 0), (3, 3)], quads)   # column 3 twice
    owner = {cell: k for k, q in enumerate(quads) for cell in q}
    assert may_take_star((3, 2), [(0, 1), (1, 3), (2, 0)], owner)
    assert not may_take_star((3, 1), [(0, 1), (1, 3), (2, 0)], owner)  # column 1, and it touches (2, 0)
    assert broken((3, 1), [(0, 1), (1, 3), (2, 0)], owner) == 3         # touch, column, region (quadrant 2)


# ---------------------------------------------------------------------------------------------------------
# The table, the layouts and the picture

def test_task_table_matches_game_rl():
    row = gameqa.REGISTRY[GAME]
    assert (row.module, row.folder, row.split_group, row.category) == (
        "star_battle", "star-battle", "in-domain", "multi-step reasoning")
    tasks = {t.question_id: t for t in row.tasks}
    assert sorted(tasks) == sorted(TABLE)
    for qid, (qa_type, qa_level, n_options) in TABLE.items():
        assert (tasks[qid].qa_type, tasks[qid].qa_level) == (qa_type, qa_level)
        for seed in range(6):
            s = sample(qid, seed)
            assert len(s.get("options", [])) == (n_options or 0), (qid, seed)
            assert s["level"] == {"plot_level": gameqa.LEVELS[seed % 3], "qa_level": qa_level, "qa_type": qa_type}


def connected(cells):
    cells = set(map(tuple, cells))
    seen, todo = set(), [next(iter(cells))]
    while todo:
        r, c = todo.pop()
        if (r, c) in seen:
            continue
        seen.add((r, c))
        todo += [x for x in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)) if x in cells]
    return seen == cells


def first_solution_by_permutations(regions):
    """Star columns row by row as a permutation, in lexicographic order: the first that is a solution (the
    cheap test that neighbouring rows' stars are two columns apart goes first, to keep 8! candidates fast)."""
    n = len(regions)
    return next(([(r, c) for r, c in enumerate(p)] for p in itertools.permutations(range(n))
                 if all(abs(a - b) > 1 for a, b in zip(p, p[1:])) and is_solution(list(enumerate(p)), regions)), None)


@pytest.mark.parametrize("level", gameqa.LEVELS)
def test_layouts_are_game_rl_boards(level):
    """N connected regions tiling the N×N grid, the first solution in row-major order, and the stars shown:
    N − 1 of the solution (task 1) or the stars of 2..N whole regions (tasks 2-4)."""
    n, shown, sizes = SIZE[level], Counter(), Counter()
    for seed in range(60):
        qid = 1 + seed % 4
        state = gameqa.sample_task(GAME, qid, seed, level, render=False)["state"]
        regions = state["regions"]
        assert state["size"] == n and len(regions) == n
        assert sorted(tuple(c) for region in regions for c in region) == [(r, c) for r in range(n) for c in range(n)]
        assert all(connected(region) for region in regions), seed
        sizes.update(len(region) for region in regions)
        solution = [tuple(s) for s in state["solution"]]
        assert is_solution(solution, regions) and solution == first_solution_by_permutations(regions), seed
        stars = [tuple(s) for s in state["stars"]]
        assert set(stars) <= set(solution) and len(stars) == len(set(stars))
        if qid == 1:
            assert len(stars) == n - 1
        else:
            shown[len(stars)] += 1
    assert set(shown) == set(range(2, n + 1)), shown
    assert len(sizes) >= 4 and min(sizes) < n, sizes  # uneven sizes, as Game-RL's generator gives


def png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_same_seed_same_bytes():
    for qid in TABLE:
        for seed, level in enumerate(gameqa.LEVELS):
            a, b = (gameqa.sample_task(GAME, qid, seed, level) for _ in range(2))
            assert png(a["images"][0]) == png(b["images"][0])
            assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})


def test_image_shows_regions_and_stars():
    """Read the board back from the pixels: each cell's colour near its top-left corner is its region's colour,
    and its centre is black exactly when it holds a star; the ticks sit in the margin grid_canvas leaves."""
    for seed in range(12):
        s = sample(1 + seed % 4, seed, render=True)
        state, image = s["state"], s["images"][0]
        n = state["size"]
        reference, _, box = grid_canvas(n, n, 50)
        assert image.size == reference.size
        owner, stars = region_map(state), {tuple(x) for x in state["stars"]}
        for (r, c), k in owner.items():
            x0, y0, x1, y1 = box(r, c)
            assert image.getpixel((x0 + 10, y0 + 10)) == COLOURS[k][1], (seed, r, c)
            centre = image.getpixel(((x0 + x1) // 2, (y0 + y1) // 2))
            assert (centre == (0, 0, 0)) == ((r, c) in stars), (seed, r, c)
        x0, y0, _, _ = box(0, 0)
        ticks = [image.getpixel((x, y)) for x in range(x0 - 30, x0 - 3) for y in range(y0, y0 + 50 * n)]
        assert sum(p != (255, 255, 255) for p in ticks) > 20 * n  # a row number beside every row


def test_prompt_names_every_region_colour():
    for seed in range(6):
        s = sample(2, seed)
        for k in range(s["state"]["size"]):
            assert f"region {k}: {COLOURS[k][0]}" in s["prompt"]


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

def test_last_star():
    """The gold is the one empty cell that completes a solution, found by trying every cell; the text lists no
    cell, so the stars must be read from the image (deviation 1)."""
    for s in samples(1):
        state = s["state"]
        n, stars = state["size"], [tuple(x) for x in state["stars"]]
        completions = [(r, c) for r in range(n) for c in range(n)
                       if (r, c) not in stars and is_solution(stars + [(r, c)], state["regions"])]
        assert len(completions) == 1 and gold(s) == f"({completions[0][0]}, {completions[0][1]})"
        assert not CELL_TEXT.search(s["prompt"])
        assert rewards.score_gameqa(f"Row and column cross there.\nThe answer is {gold(s)}", s)["accuracy"] == 1
        r, c = completions[0]
        assert rewards.score_gameqa(f"The answer is ({c}, {r})", s)["accuracy"] == (1 if r == c else 0)


def test_region_cell():
    """The gold lies in the asked region; the 7 other options lie in other regions."""
    for s in samples(2):
        state, k = s["state"], s["state"]["region"]
        owner = region_map(state)
        cells = [cell_of(o) for o in s["options"]]
        assert len(set(cells)) == 8 and all(cell in owner for cell in cells)
        assert [cell for cell in cells if owner[cell] == k] == [cell_of(gold(s))]
        assert f"Region {k} is the {COLOURS[k][0]} region" in s["prompt"]


def test_region_star():
    """The gold is the asked region's shown star, or "null" when it shows none; "null" is always an option
    (deviation 2); no other option is a starred cell of the region; the options fill up from the region's own
    cells first."""
    nulls = 0
    for s in samples(3):
        state, k = s["state"], s["state"]["region"]
        owner, stars = region_map(state), [tuple(x) for x in state["stars"]]
        in_region = [x for x in stars if owner[x] == k]
        assert len(in_region) <= 1
        expected = f"({in_region[0][0]}, {in_region[0][1]})" if in_region else "null"
        assert gold(s) == expected and "null" in s["options"] and len(s["options"]) == 8
        cells = [cell_of(o) for o in s["options"] if o != "null"]
        assert [x for x in cells if owner[x] == k and x in stars] == in_region
        region_size = sum(1 for x in owner.values() if x == k)
        assert sum(owner[x] == k for x in cells) == min(region_size, 7)
        nulls += expected == "null"
    assert 0.15 * len(SEEDS) <= nulls <= 0.55 * len(SEEDS), nulls


def test_valid_cell():
    """The gold can take a star by the pairwise rule check, or is "null" when no empty cell on the board can; every
    other cell option is empty and cannot; "null" is always an option; the wrong cells break as few rules as
    any cell left out (deviation 4); `option_cells` lists the cells as the options do."""
    nulls = 0
    for s in samples(4):
        state = s["state"]
        n, owner, stars = state["size"], region_map(state), [tuple(x) for x in state["stars"]]
        empty = [(r, c) for r in range(n) for c in range(n) if (r, c) not in stars]
        valid = [x for x in empty if may_take_star(x, stars, owner)]
        assert "null" in s["options"] and len(set(s["options"])) == len(s["options"]) <= 8
        cells = [cell_of(o) for o in s["options"] if o != "null"]
        assert [list(x) for x in cells] == state["option_cells"]
        if valid:
            assert cell_of(gold(s)) in valid
            wrong = [x for x in cells if x != cell_of(gold(s))]
        else:
            assert gold(s) == "null"
            wrong = cells
            nulls += 1
        assert all(x in empty and x not in valid for x in wrong)
        left_out = [x for x in empty if x not in valid and x not in wrong]
        if left_out:
            assert max(broken(x, stars, owner) for x in wrong) <= min(broken(x, stars, owner) for x in left_out)
        assert len(s["options"]) == min(8, 1 + len(wrong) + bool(valid))
        assert rewards.score_gameqa(f"The answer is {s['answer']}", s)["accuracy"] == 1
    assert 3 <= nulls <= 0.4 * len(SEEDS), nulls
