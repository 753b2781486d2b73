"""Lifegame: the task table against Game-RL's, and every task's gold re-derived from the record's `state` by code
written here: a Game of Life that keeps the live cells as a set and counts neighbours with a Counter (the module
updates cell by cell), a region cut out and run on its own torus with a list of the patterns seen, and Game-RL's
choices of cell and region scored again from scratch."""
import io
import json
import re
from collections import Counter
from itertools import product

import pytest

import gameqa
import rewards
from gameqa_testing import gold

SIZE = {"Easy": 3, "Medium": 4, "Hard": 5}
LIVE = {"Easy": {2, 3}, "Medium": {4, 5, 6}, "Hard": set(range(5, 11))}  # 20-40 % of n² cells
ITERATIONS = {"Easy": 4, "Medium": 3, "Hard": 2}  # task 3
SEEDS = range(120)  # 40 per plot level: seed % 3
# Game-RL's question ids, descriptions, qa_type and qa_level (generate_dataset.py, QUESTION_SETTINGS); all 8-option MC
TABLE = {1: ("Questions about counting the current number of live cells in the grid", "Target Perception", "Easy"),
         2: ("Questions about predicting the number of live cells after 1 iteration", "State Prediction", "Medium"),
         3: ("Questions about counting state changes of specific cells over iterations", "State Prediction", "Medium"),
         4: ("Questions about predicting steps needed to reach stability", "State Prediction", "Hard")}


def sample(qid, seed, render=False):
    return gameqa.sample_task("lifegame", qid, seed, gameqa.LEVELS[seed % 3], render=render)


def samples(qid, seeds=SEEDS):
    return [sample(qid, seed) for seed in seeds]


# ---------------------------------------------------------------------------------------------------------
# A separate Game of Life: the live cells as a set of (row, column)

def live_set(grid):
    return {(r, c) for r, row in enumerate(grid) for c, v in enumerate(row) if v == 1}


def around(cell, n):
    r, c = cell
    return [((r + dr) % n, (c + dc) % n) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (dr, dc) != (0, 0)]


def step(live, n):
    """One synchronous update on an n×n torus: each live cell hands one count to each of its neighbours."""
    counts = Counter(nb for cell in live for nb in around(cell, n))
    return {cell for cell, k in counts.items() if k == 3 or (k == 2 and cell in live)}


def run(live, n, iterations):
    out = [set(live)]
    for _ in range(iterations):
        out.append(step(out[-1], n))
    return out


def words(states):
    text = ["alive" if s else "dead" for s in states]
    return " → ".join([f"Initially: {text[0]}"] + [f"Step {i}: {w}" for i, w in enumerate(text[1:], 1)])


def test_the_test_simulator_knows_the_blinker_and_the_block():
    blinker = {(2, 1), (2, 2), (2, 3)}  # on a 5×5 torus it turns vertical and back
    assert step(blinker, 5) == {(1, 2), (2, 2), (3, 2)} and step(step(blinker, 5), 5) == blinker
    block = {(1, 1), (1, 2), (2, 1), (2, 2)}
    assert step(block, 5) == block
    assert step({(0, 0), (0, 4), (4, 0)}, 5) == {(0, 0), (0, 4), (4, 0), (4, 4)}  # a birth across both edges


# ---------------------------------------------------------------------------------------------------------
# The table, the levels and the picture

def test_task_table_matches_game_rl():
    tasks = {t.question_id: t for t in gameqa.REGISTRY["lifegame"].tasks}
    assert sorted(tasks) == sorted(TABLE)
    for qid, (description, qa_type, qa_level) in TABLE.items():
        assert (tasks[qid].description, tasks[qid].qa_type, tasks[qid].qa_level) == (description, qa_type, qa_level)
        for seed, level in enumerate(gameqa.LEVELS):
            s = gameqa.sample_task("lifegame", qid, seed, level, render=False)
            assert len(s["options"]) == 8 and re.fullmatch("[A-H]", s["answer"])
            assert (s["level"]["qa_type"], s["level"]["qa_level"]) == (qa_type, qa_level)
    assert gameqa.REGISTRY["lifegame"].split_group == "out-of-domain"


def test_grids_have_the_level_size_and_live_share():
    seen = {level: set() for level in gameqa.LEVELS}
    for seed in SEEDS:
        level = gameqa.LEVELS[seed % 3]
        grid = sample(1, seed)["state"]["grid"]
        assert len(grid) == SIZE[level] and all(len(row) == SIZE[level] for row in grid)
        assert all(v in (0, 1) for row in grid for v in row)
        live = sum(map(sum, grid))
        assert live in LIVE[level], (level, grid)
        seen[level].add(live)
    assert seen["Easy"] == LIVE["Easy"] and len(seen["Medium"]) == 3 and len(seen["Hard"]) >= 4


def png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_image_shows_the_grid_with_labels_and_same_seed_same_bytes():
    for seed, level in enumerate(gameqa.LEVELS * 2):
        qid = 1 + seed % 4
        a, b = sample(qid, seed, render=True), sample(qid, seed, render=True)
        assert png(a["images"][0]) == png(b["images"][0])
        assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})
        image, grid, n = a["images"][0], a["state"]["grid"], len(a["state"]["grid"])
        assert image.size == (30 * n + 80,) * 2 == {3: (170, 170), 4: (200, 200), 5: (230, 230)}[n]
        for r in range(n):
            for c in range(n):
                expected = (0, 0, 0) if grid[r][c] else (255, 255, 255)
                assert image.getpixel((40 + 30 * c + 15, 40 + 30 * r + 15)) == expected, (level, r, c)
        for k in range(n):  # a dark label left of each row and above each column
            assert image.crop((0, 40 + 30 * k, 40, 70 + 30 * k)).convert("L").getextrema()[0] < 100
            assert image.crop((40 + 30 * k, 0, 70 + 30 * k, 40)).convert("L").getextrema()[0] < 100


def test_every_question_states_the_rules_and_the_convention():
    for qid in TABLE:
        s = sample(qid, qid)
        n = len(s["state"]["grid"])
        for phrase in ("wraps around", "at the same time", "fewer than 2", "2 or 3", "more than 3", "exactly 3",
                       f"rows are numbered from 0 at the top to {n - 1} at the bottom"):
            assert phrase in s["prompt"], (qid, phrase)


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

def test_live_cells_now():
    for seed, s in zip(SEEDS, samples(1)):
        level = gameqa.LEVELS[seed % 3]
        count = len(live_set(s["state"]["grid"]))
        assert gold(s) == str(count)
        values = sorted(int(o) for o in s["options"])
        # 8 consecutive counts that cover every live count the level allows, so the list cannot point at one
        assert values == list(range(values[0], values[0] + 8)) and 0 <= values[0] and values[-1] <= SIZE[level] ** 2
        assert values[0] <= min(LIVE[level]) and max(LIVE[level]) <= values[-1]


def test_live_cells_after_one_iteration():
    ranks = {"Medium": set(), "Hard": set()}
    for seed, s in zip(SEEDS, samples(2)):
        level, n = gameqa.LEVELS[seed % 3], SIZE[gameqa.LEVELS[seed % 3]]
        assert s["state"]["iterations"] == 1
        after = len(step(live_set(s["state"]["grid"]), n))
        assert gold(s) == str(after)
        values = sorted(int(o) for o in s["options"])
        assert 0 <= values[0] and values[-1] <= n * n
        if level == "Easy":  # 2 live cells all die, 3 fill the 3×3 torus: both answers are always offered
            assert after in (0, 9) and {0, 9} <= set(values)
        else:  # 8 consecutive counts, the gold anywhere among them
            assert values == list(range(values[0], values[0] + 8))
            ranks[level].add(values.index(after))
    assert all(len(r) >= 6 for r in ranks.values()), ranks


def activity(live, n, cell):
    states = [cell in g for g in run(live, n, 3)]
    return sum(a != b for a, b in zip(states, states[1:]))


def test_cell_state_over_the_next_iterations():
    easy_cases = set()
    for seed, s in zip(SEEDS, samples(3)):
        level, n = gameqa.LEVELS[seed % 3], SIZE[gameqa.LEVELS[seed % 3]]
        live, cell, k = live_set(s["state"]["grid"]), tuple(s["state"]["cell"]), s["state"]["iterations"]
        assert k == ITERATIONS[level]
        assert f"the cell at ({cell[0]}, {cell[1]})" in s["prompt"] and f"next {k} iterations" in s["prompt"]
        truth = [cell in g for g in run(live, n, k)]
        assert gold(s) == words(truth)
        if level != "Easy":  # Game-RL's choice: among the live cells and their neighbours, one of the 5 most active
            candidates = live | {nb for x in live for nb in around(x, n)}
            scores = sorted((activity(live, n, x) for x in candidates if activity(live, n, x) > 0), reverse=True)
            assert cell in candidates
            if scores:
                assert activity(live, n, cell) >= scores[:5][-1]
        # the options: distinct sequences of k + 1 states, so only the gold is right
        everything = {words(seq) for seq in product((0, 1), repeat=k + 1)}
        pictured = {words(seq) for seq in product((0, 1), repeat=k + 1) if seq[0] == truth[0]}
        assert set(s["options"]) <= everything
        if level == "Hard":  # only 4 sequences start from the pictured state: the list is all 8
            assert set(s["options"]) == everything
        else:  # every option starts from the state in the picture
            assert set(s["options"]) <= pictured
        if level == "Medium":
            assert set(s["options"]) == pictured
        if level == "Easy":  # a 3×3 grid dies at once, or fills and then dies: both sequences are offered
            fates = {words([truth[0], 0, 0, 0, 0]), words([truth[0], 1, 0, 0, 0])}
            assert gold(s) in fates and fates <= set(s["options"])
            easy_cases.add((truth[0], len(live)))
    # on Easy the cell's colour does not decide the answer: live and dead cells are asked on both kinds of grid
    assert easy_cases == {(True, 2), (True, 3), (False, 2), (False, 3)}


def region_score(grid, start):
    n = len(grid)
    cells = [[grid[(start[0] + i) % n][(start[1] + j) % n] for j in range(3)] for i in range(3)]
    live = sum(map(sum, cells))
    centre = cells[1][1]
    return live, 2 * live + (live - centre > 0) + (centre > 0) + 2 * (4 <= live <= 6)


def stable_after(region):
    """Iterations until the region, on its own 3×3 torus, would not change or repeats an earlier pattern."""
    patterns = [region]
    while True:
        nxt = step(patterns[-1], 3)
        if nxt == patterns[-1] or patterns[-1] in patterns[:-1]:
            return len(patterns) - 1
        patterns.append(nxt)
        assert len(patterns) <= 20


def test_steps_until_a_region_is_stable():
    golds = Counter()
    for seed, s in zip(SEEDS, samples(4)):
        grid, n = s["state"]["grid"], len(s["state"]["grid"])
        start = tuple(s["state"]["region_start"])
        assert s["state"]["region_size"] == 3
        rows, cols = [(start[0] + i) % n for i in range(3)], [(start[1] + j) % n for j in range(3)]
        listed = f"rows {', '.join(map(str, rows))} from top to bottom and columns {', '.join(map(str, cols))}"
        assert listed in s["prompt"]
        region = {(i, j) for i in range(3) for j in range(3) if grid[rows[i]][cols[j]]}
        answer = stable_after(region)
        assert gold(s) == str(answer)
        # on a 3×3 torus every cell neighbours all the others: the answer follows from the live total alone
        assert answer == {4: 0, 3: 2}.get(len(region), 1)
        golds[answer] += 1
        # Game-RL's choice: a region with 2+ live cells among the 3 best scores
        scored = sorted((region_score(grid, (r, c))[1] for r in range(n) for c in range(n)
                         if region_score(grid, (r, c))[0] >= 2), reverse=True)
        live, score = region_score(grid, start)
        assert live >= 2 and score >= scored[:3][-1]
        assert sorted(s["options"], key=int) == [str(v) for v in range(8)]  # every possible answer, always
    assert set(golds) == {0, 1, 2}, golds


@pytest.mark.parametrize("qid", sorted(TABLE))
def test_the_gold_letter_scores_and_another_does_not(qid):
    for seed in range(3):
        s = sample(qid, seed)
        wrong = next(letter for letter in "ABCDEFGH" if letter != s["answer"])
        assert rewards.score_gameqa(f"Simulating the grid. The answer is {s['answer']}", s)["accuracy"] == 1
        assert rewards.score_gameqa(f"The answer is {wrong}", s)["accuracy"] == 0
