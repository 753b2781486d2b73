"""Space Invaders: the task table against Game-RL's, the drawn scenes checked against the formation rules, the
picture read back against the state, and every task's answer re-derived from the record's `state` by a separate
simulator written here: a shot removes the lowest enemy of a column, the enemies step one column at the end of
each interval, and tasks 8 and 9 try every column (every pair of columns) the ship could shoot from."""
import io
import json
import math

import pytest

import gameqa
import rewards
from gameqa_testing import gold

SEEDS = range(120)  # spread over the three plot levels: seed % 3
VALUE = {"purple": 30, "blue": 20, "green": 10}

# plot level: (enemy_rows, enemy_cols, pad columns each side, area_rows), ranges inclusive (Game-RL's table)
LEVELS = {"Easy": (3, (4, 5), (1, 2), (5, 6)), "Medium": (4, (6, 8), (2, 2), (6, 7)),
          "Hard": (5, (9, 11), (2, 3), (7, 8))}
# a stack of h = 0..enemy_rows enemies is drawn with these weights (Game-RL), so among the stacks that are not
# empty the full ones make up 0.5 (3 rows), 0.44 (4 rows) and 0.33 (5 rows)
STACK_WEIGHTS = {3: (0.1, 0.2, 0.3, 0.5), 4: (0.1, 0.1, 0.2, 0.2, 0.4), 5: (0.1, 0.1, 0.1, 0.2, 0.2, 0.3)}

# question_id: (qa_type, qa_level, options when multiple choice, option spacings); every task is also fill-in
TABLE = {1: ("Target Perception", "Easy", 8, {1}), 2: ("Target Perception", "Easy", 8, {1}),
         3: ("Target Perception", "Medium", 8, {1}), 4: ("Target Perception", "Medium", 8, {1}),
         5: ("State Prediction", "Easy", 4, {10}), 6: ("State Prediction", "Easy", 4, {10}),
         7: ("State Prediction", "Hard", 8, {5, 10}), 8: ("Strategy Optimization", "Medium", 8, {5, 10}),
         9: ("Strategy Optimization", "Hard", 8, {5, 10})}


def sample(qid, seed, render=False, level=None):
    return gameqa.sample_task("space_invaders", qid, seed, level or gameqa.LEVELS[seed % 3], render=render)


def samples(qid):
    return [sample(qid, seed) for seed in SEEDS]


class Board:
    """The enemies as a {(row, column): colour} map, with shots and steps done the plain way."""

    def __init__(self, state):
        self.cells = {(e["row"], e["col"]): e["color"] for e in state["enemies"]}
        self.cols = state["total_cols"]

    def copy(self):
        other = Board({"enemies": [], "total_cols": self.cols})
        other.cells = dict(self.cells)
        return other

    def fire(self, col):
        """The ship shoots up `col`: the enemy with the largest row there goes; its points."""
        rows = [r for r, c in self.cells if c == col]
        return VALUE[self.cells.pop((max(rows), col))] if rows else 0

    def step(self, direction):
        shift = 1 if direction == "right" else -1
        self.cells = {(r, c + shift): colour for (r, c), colour in self.cells.items()}
        assert all(1 <= c <= self.cols for _, c in self.cells), "an enemy left the board"


def check(s, expected):
    """The gold is `expected`, in either answer form, and the grader takes it."""
    assert gold(s) == str(expected), (s["id"], gold(s), expected)
    if "options" in s:
        assert s["options"].count(str(expected)) == 1
    assert rewards.score_gameqa(f"Counting it up.\nThe answer is {s['answer']}", s)["accuracy"] == 1  # letter or number
    if "options" not in s:
        assert rewards.score_gameqa(f"The answer is {expected + 10}", s)["accuracy"] == 0


def edges(state):
    """Empty columns left of the leftmost enemy and right of the rightmost one."""
    cols = [e["col"] for e in state["enemies"]]
    return min(cols) - 1, state["total_cols"] - max(cols)


def check_direction(state):
    free_left, free_right = edges(state)
    if free_left == 0:
        assert state["direction"] == "right"
    if free_right == 0:
        assert state["direction"] == "left"
    return free_right if state["direction"] == "right" else free_left


# ---------------------------------------------------------------------------------------------------------
# The table, the levels and the picture

def test_task_table_matches_game_rl():
    tasks = {t.question_id: t for t in gameqa.REGISTRY["space_invaders"].tasks}
    assert sorted(tasks) == sorted(TABLE)
    for qid, (qa_type, qa_level, n_options, spacings) in TABLE.items():
        assert (tasks[qid].qa_type, tasks[qid].qa_level) == (qa_type, qa_level), qid
        forms, seen_spacings = set(), set()
        for seed in range(40):
            s = sample(qid, seed)
            forms.add("options" in s)
            if "options" not in s:
                assert s["prompt"].count("Answer with a number.") == 1 and s["answer"].isdigit()
                continue
            values = sorted(int(o) for o in s["options"])
            assert len(values) == n_options, (qid, seed)
            if n_options == 4:
                assert values == [0, 10, 20, 30]
                continue
            spacing = values[1] - values[0]
            seen_spacings.add(spacing)
            # 8 consecutive multiples of the spacing, the aligned block of 8 that holds the gold
            assert values == [values[0] + spacing * k for k in range(8)] and values[0] % (8 * spacing) == 0
        assert forms == {True, False}, f"task {qid} should come as fill-in and as multiple choice"
        if n_options == 8:
            assert seen_spacings == spacings, (qid, seen_spacings)
    assert tasks[1].description.endswith("in a column") and tasks[2].description.endswith("in a row")


@pytest.mark.parametrize("qid", sorted(TABLE))
def test_half_multiple_choice_with_the_gold_at_every_letter(qid):
    """Game-RL sorts the options, so a gold of 0 was always option 1; ours are shuffled, so every letter carries
    the gold, none much more often than the others."""
    letters = [s["answer"] for s in samples(qid) if "options" in s]
    assert 0.35 <= len(letters) / len(SEEDS) <= 0.65
    counts = [letters.count(x) for x in "ABCDEFGH"[:TABLE[qid][2]]]
    assert min(counts) > 0 and max(counts) <= 0.35 * len(letters), counts


@pytest.mark.parametrize("level", gameqa.LEVELS)
def test_scenes_follow_the_level_table_and_the_formation(level):
    """Sizes by level; a block of stacks hanging from one top row, coloured by their row in the block; at least
    2 enemies; full stacks as often as Game-RL's weights make them; the ship under an enemy column about 4 times
    in 5."""
    enemy_rows, cols_range, pad_range, area_range = LEVELS[level]
    under_enemies, stacks, full = 0, 0, 0
    for seed in range(100):
        st = sample(3, seed, level=level)["state"]
        assert st["enemy_rows"] == enemy_rows and cols_range[0] <= st["enemy_cols"] <= cols_range[1]
        pad, odd = divmod(st["total_cols"] - st["enemy_cols"], 2)
        assert odd == 0 and pad_range[0] <= pad <= pad_range[1]
        assert area_range[0] <= st["area_rows"] <= area_range[1]
        cells = {(e["row"], e["col"]): e["color"] for e in st["enemies"]}
        assert len(cells) == len(st["enemies"]) >= 2
        top = min(r for r, _ in cells)
        cols = sorted({c for _, c in cells})
        assert cols[-1] - cols[0] < st["enemy_cols"] and 1 <= cols[0] and cols[-1] <= st["total_cols"]
        assert top + enemy_rows - 1 <= st["area_rows"]
        colours = ["purple", "blue"] + (["blue"] if enemy_rows == 5 else []) + ["green"] * enemy_rows
        for c in cols:
            rows = sorted(r for r, cc in cells if cc == c)
            assert rows == list(range(top, top + len(rows))) and len(rows) <= enemy_rows  # a stack from the top
            assert [cells[(r, c)] for r in rows] == colours[:len(rows)]
            stacks, full = stacks + 1, full + (len(rows) == enemy_rows)
        assert 1 <= st["ship_col"] <= st["total_cols"]
        under_enemies += st["ship_col"] in cols
    assert 65 <= under_enemies <= 95  # 80 expected
    weights = STACK_WEIGHTS[enemy_rows]
    assert abs(full / stacks - weights[-1] / sum(weights[1:])) < 0.08, full / stacks  # uniform heights: 0.33, 0.25, 0.2


def classify(pixel):
    r, g, b = pixel
    if r > 200 and 100 < g < 190 and b < 60:
        return "ship"
    if r > 120 and b > 150 and g < 110:
        return "purple"
    if b > 200 and r < 100 and g < 160:
        return "blue"
    if g > 150 and r < 100 and b < 120:
        return "green"
    return None


@pytest.mark.parametrize("level", gameqa.LEVELS)
def test_picture_shows_the_state_and_same_seed_same_bytes(level):
    """Game-RL's canvas (40 + 70 per column by 60 + 55 per row), scaled to about 640×480 in area when larger;
    the centre of every cell shows the enemy of that cell in its colour, or none, and the ship's cell the ship."""
    for seed, qid in enumerate((1, 7, 9)):
        a, b = (sample(qid, seed, render=True, level=level) for _ in range(2))
        pngs = []
        for s in (a, b):
            buffer = io.BytesIO()
            s["images"][0].save(buffer, format="PNG")
            pngs.append(buffer.getvalue())
        assert pngs[0] == pngs[1]
        assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})
        st, image = a["state"], a["images"][0]
        width, height = 40 + 70 * st["total_cols"], 60 + 55 * (st["area_rows"] + 1)
        scale = min(1.0, math.sqrt(640 * 480 / (width * height)))
        assert image.size == (round(width * scale), round(height * scale)) and max(image.size) <= 900
        cells = {(e["row"], e["col"]): e["color"] for e in st["enemies"]}
        for r in range(1, st["area_rows"] + 2):
            for c in range(1, st["total_cols"] + 1):
                centre = (int((40 + 70 * (c - 1) + 35) * scale), int((60 + 55 * (r - 1) + 27.5) * scale))
                expected = "ship" if (r, c) == (st["area_rows"] + 1, st["ship_col"]) else cells.get((r, c))
                assert classify(image.getpixel(centre)) == expected, (level, seed, r, c)


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

def test_enemies_in_a_column():
    empty = 0
    for s in samples(1):
        st = s["state"]
        assert 1 <= st["col"] <= st["total_cols"]
        count = sum(e["col"] == st["col"] for e in st["enemies"])
        empty += count == 0
        check(s, count)
    assert 15 <= empty <= 50  # an empty column 1 time in 4: 30 expected


def test_enemies_in_a_row():
    empty = 0
    for s in samples(2):
        st = s["state"]
        assert 1 <= st["row"] <= st["area_rows"]
        count = sum(e["row"] == st["row"] for e in st["enemies"])
        empty += count == 0
        check(s, count)
    assert 15 <= empty <= 50


def test_enemies_in_total():
    for s in samples(3):
        check(s, len(s["state"]["enemies"]))


def test_enemies_of_a_colour():
    asked = set()
    for s in samples(4):
        asked.add(s["state"]["color"])
        check(s, sum(e["color"] == s["state"]["color"] for e in s["state"]["enemies"]))
    assert asked == set(VALUE)


def test_shot_from_where_the_ship_is():
    for s in samples(5):
        check(s, Board(s["state"]).fire(s["state"]["ship_col"]))


def test_shot_after_moving():
    empty = 0
    for s in samples(6):
        st = s["state"]
        assert st["target_col"] != st["ship_col"] and 1 <= st["target_col"] <= st["total_cols"]
        points = Board(st).fire(st["target_col"])
        empty += points == 0
        check(s, points)
    assert 10 <= empty <= 45  # an empty column 1 time in 5: 24 expected


def test_shooting_every_interval_while_the_enemies_move():
    """Play it out: shoot up the ship's column, then step the enemies, Δ + 1 times."""
    off_board = 0
    for s in samples(7):
        st = s["state"]
        room = check_direction(st)
        assert 1 <= st["delta"] <= min(room, 4)
        board, total = Board(st), 0
        for i in range(st["delta"] + 1):
            total += board.fire(st["ship_col"])
            if i < st["delta"]:
                board.step(st["direction"])
        shift = 1 if st["direction"] == "right" else -1
        off_board += not 1 <= st["ship_col"] - shift * st["delta"] <= st["total_cols"]
        check(s, total)
    assert off_board > 0  # the case where later shots go up columns whose enemies started off the board


def test_best_single_shot():
    for s in samples(8):
        board = Board(s["state"])
        check(s, max(board.copy().fire(c) for c in range(1, board.cols + 1)))


def test_best_two_shots_while_the_enemies_move():
    """Every pair of columns for the shots of intervals t and t+1, with the enemies' step in between."""
    for s in samples(9):
        st = s["state"]
        check_direction(st)
        board, best = Board(st), 0
        for first in range(1, board.cols + 1):
            after = board.copy()
            points = after.fire(first)
            after.step(st["direction"])
            for second in range(1, board.cols + 1):
                best = max(best, points + after.copy().fire(second))
        check(s, best)
