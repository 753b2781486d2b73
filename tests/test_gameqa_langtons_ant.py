"""Langton's Ant: the task table, the boards and the picture, and every task's gold re-derived from the record's
`state` by code written here: a simulator that keeps the black cells as a set and the heading as a (row, column)
vector turned by rotation (the module keeps a grid and a list of heading names), a colour count that compares
the queried cell's colour before and after every step (the module counts the steps that start on the cell), and
the picture read back pixel by pixel."""
import io
import json
import re
from collections import Counter

import pytest

import gameqa
import rewards
from gameqa_games import langtons_ant
from gameqa_testing import gold

GAME = "langtons_ant"
SEEDS = range(120)  # 40 per plot level: seed % 3
SIZE = {"Easy": 5, "Medium": 9, "Hard": 13}
MOST_BLACK = {"Easy": 12, "Medium": 40, "Hard": 80}  # Game-RL's largest number of black draws
IMAGE_SIDE = {"Easy": 550, "Medium": 550, "Hard": 549}
VECTOR = {"up": (-1, 0), "right": (0, 1), "down": (1, 0), "left": (0, -1)}
NAME = {v: k for k, v in VECTOR.items()}
# Game-RL's question ids, descriptions, qa_type and qa_level; options: 8 for multiple choice, None for fill-in
TABLE = {1: ("Identify the current position and direction of the ant", "Target Perception", "Easy", 8),
         2: ("Predict the ant's position and direction after several steps", "State Prediction", "Medium", 8),
         3: ("Count how many times a specific cell changes its color", "State Prediction", "Hard", None)}


def sample(qid, seed, render=False):
    return gameqa.sample_task(GAME, qid, seed, gameqa.LEVELS[seed % 3], render=render)


def samples(qid):
    return [sample(qid, seed) for seed in SEEDS]


# ---------------------------------------------------------------------------------------------------------
# A separate simulator: the black cells as a set, the heading as a vector

def simulate(state, steps):
    """[(cell, heading vector, black cells)] now and after each step. A right turn maps (dr, dc) to (dc, -dr),
    a left turn to (-dc, dr); the move wraps modulo n."""
    grid = state["grid"]
    n = len(grid)
    black = {(r, c) for r in range(n) for c in range(n) if grid[r][c] == 1}
    cell, heading = (state["ant"]["x"], state["ant"]["y"]), VECTOR[state["ant"]["direction"]]
    out = [(cell, heading, frozenset(black))]
    for _ in range(steps):
        if cell in black:
            heading = (-heading[1], heading[0])
            black.remove(cell)
        else:
            heading = (heading[1], -heading[0])
            black.add(cell)
        cell = ((cell[0] + heading[0]) % n, (cell[1] + heading[1]) % n)
        out.append((cell, heading, frozenset(black)))
    return out


def option_text(cell, heading):
    return f"Position ({cell[0]}, {cell[1]}), facing {heading}"


def read_option(text):
    m = re.fullmatch(r"Position \((\d+), (\d+)\), facing (up|right|down|left)", text)
    assert m, text
    return (int(m[1]), int(m[2])), m[3]


def test_the_test_simulator_on_hand_worked_boards():
    # An all-white 5×5 board, the ant at (0, 0) facing right (Game-RL's released example walks the same six
    # steps): down to (1, 0), left across the edge to (1, 4), up to (0, 4), right across the edge to (0, 0),
    # now black: left turn, up across the edge to (4, 0), then right to (4, 1).
    blank = {"grid": [[0] * 5 for _ in range(5)], "ant": {"x": 0, "y": 0, "direction": "right"}}
    path = simulate(blank, 6)
    assert [c for c, _, _ in path] == [(0, 0), (1, 0), (1, 4), (0, 4), (0, 0), (4, 0), (4, 1)]
    assert NAME[path[-1][1]] == "right" and path[-1][2] == {(1, 0), (1, 4), (0, 4), (4, 0)}
    # On a black cell facing up: turn left, paint it white, move left; then a white cell: turn right (up).
    board = {"grid": [[int((r, c) == (2, 2)) for c in range(5)] for r in range(5)],
             "ant": {"x": 2, "y": 2, "direction": "up"}}
    path = simulate(board, 2)
    assert [(c, NAME[h]) for c, h, _ in path] == [((2, 2), "up"), ((2, 1), "left"), ((1, 1), "up")]
    assert path[-1][2] == {(2, 1)}
    # The module's own step agrees on the first board.
    ant = langtons_ant.AntBoard([[0] * 5 for _ in range(5)], (0, 0), "right")
    ends = langtons_ant.run(ant, 6)[-1]
    assert (ends.cell, ends.heading) == ((4, 1), "right")


# ---------------------------------------------------------------------------------------------------------
# The table, the boards and the picture

def test_task_table_matches_game_rl():
    row = gameqa.REGISTRY[GAME]
    assert (row.module, row.folder, row.split_group, row.category) == (
        "langtons_ant", "langton_ant", "in-domain", "multi-step reasoning")
    tasks = {t.question_id: t for t in row.tasks}
    assert sorted(tasks) == sorted(TABLE)
    for qid, (description, qa_type, qa_level, n_options) in TABLE.items():
        assert (tasks[qid].description, tasks[qid].qa_type, tasks[qid].qa_level) == (description, qa_type, qa_level)
        for seed in range(6):
            s = sample(qid, seed)
            assert len(s.get("options", [])) == (n_options or 0), (qid, seed)
            assert s["level"] == {"plot_level": gameqa.LEVELS[seed % 3], "qa_level": qa_level, "qa_type": qa_type}


@pytest.mark.parametrize("level", gameqa.LEVELS)
def test_plot_levels_draw_game_rl_boards(level):
    blacks, headings = Counter(), Counter()
    for seed in range(60):
        state = gameqa.sample_task(GAME, 1 + seed % 3, seed, level, render=False)["state"]
        n = SIZE[level]
        assert len(state["grid"]) == n and all(len(row) == n and set(row) <= {0, 1} for row in state["grid"])
        assert 0 <= state["ant"]["x"] < n and 0 <= state["ant"]["y"] < n
        blacks[sum(map(sum, state["grid"]))] += 1
        headings[state["ant"]["direction"]] += 1
    assert min(blacks) >= 1 and max(blacks) <= MOST_BLACK[level], blacks
    assert len(blacks) >= 5 and set(headings) == set(VECTOR), (blacks, headings)


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


def is_red(pixel):
    return pixel[0] >= 100 and pixel[1] < 60 and pixel[2] < 60


def test_image_shows_the_board_and_the_ant():
    """Read the board back from the pixels: every cell's colour near its corner, the one cell holding red
    pixels, and the heading as the half of that cell with the least red (the triangle's narrow tip end)."""
    for seed in range(9):
        s = sample(1 + seed % 3, seed, render=True)
        level, state, image = s["level"]["plot_level"], s["state"], s["images"][0]
        n = SIZE[level]
        cell, margin = min(490 // n, 50), (550 - min(490 // n, 50) * n) // 2
        assert image.size == (IMAGE_SIDE[level],) * 2
        red_cells = set()
        for r in range(n):
            for c in range(n):
                x0, y0 = margin + c * cell, margin + r * cell
                expected = (0, 0, 0) if state["grid"][r][c] else (255, 255, 255)
                assert image.getpixel((x0 + 3, y0 + 3)) == expected, (seed, r, c)
                if any(is_red(image.getpixel((x, y))) for x in range(x0, x0 + cell) for y in range(y0, y0 + cell)):
                    red_cells.add((r, c))
        assert red_cells == {(state["ant"]["x"], state["ant"]["y"])}, seed
        r, c = state["ant"]["x"], state["ant"]["y"]
        x0, y0 = margin + c * cell, margin + r * cell
        red = [(x - x0 - cell / 2, y - y0 - cell / 2) for x in range(x0, x0 + cell) for y in range(y0, y0 + cell)
               if is_red(image.getpixel((x, y)))]
        in_half = {name: sum(dx * dc + dy * dr > 0 for dx, dy in red) for name, (dr, dc) in VECTOR.items()}
        assert min(in_half, key=in_half.get) == state["ant"]["direction"], (seed, in_half)
        assert len(red) >= 0.1 * cell * cell  # the triangle is 3/8 of a cell in area, not a speck


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

def test_ant_now():
    """The gold is the ant of the state; the options are the ant's cell and one grid neighbour of it, each with
    all four headings, so the list's counts single out no cell and no heading."""
    for s in samples(1):
        state = s["state"]
        cell = (state["ant"]["x"], state["ant"]["y"])
        assert gold(s) == option_text(cell, state["ant"]["direction"])
        read = [read_option(o) for o in s["options"]]
        cells = Counter(c for c, _ in read)
        assert set(cells.values()) == {4} and len(cells) == 2 and cell in cells
        other = next(c for c in cells if c != cell)
        n = len(state["grid"])
        assert abs(other[0] - cell[0]) + abs(other[1] - cell[1]) == 1 and max(other) < n and min(other) >= 0
        assert all({h for c, h in read if c == x} == set(VECTOR) for x in cells)
        assert rewards.score_gameqa(f"The answer is {s['answer']}", s)["accuracy"] == 1


def test_ant_after_steps():
    """The gold is the simulated ant after `steps` (5-10); each of the four option cells is listed twice, the
    true final cell with the true heading once; exactly one option is the simulated ant."""
    steps = Counter()
    for s in samples(2):
        k = s["state"]["steps"]
        assert 5 <= k <= 10
        steps[k] += 1
        cell, heading, _ = simulate(s["state"], k)[-1]
        truth = option_text(cell, NAME[heading])
        assert gold(s) == truth and s["options"].count(truth) == 1
        read = [read_option(o) for o in s["options"]]
        assert set(Counter(c for c, _ in read).values()) == {2}
        assert rewards.score_gameqa(f"The answer is {s['answer']}", s)["accuracy"] == 1
    assert set(steps) == set(range(5, 11)), steps


def test_colour_changes():
    """The gold is the number of steps after which the cell's colour differs from before the step, counted from
    the black-cell sets (not from where the ant stands); 5-12 steps; the cell is inside the grid and mostly one
    the ant leaves (deviation 3), and the answers are not all one value."""
    answers, on_path = Counter(), 0
    for s in samples(3):
        state = s["state"]
        k, target = state["steps"], tuple(state["target"])
        n = len(state["grid"])
        assert 5 <= k <= 12 and 0 <= target[0] < n and 0 <= target[1] < n
        run = simulate(state, k)
        changes = sum((target in a) != (target in b) for (_, _, a), (_, _, b) in zip(run, run[1:]))
        assert gold(s) == str(changes)
        assert rewards.score_gameqa(f"Counting the flips.\nThe answer is {changes}", s)["accuracy"] == 1
        assert rewards.score_gameqa(f"The answer is {changes + 1}", s)["accuracy"] == 0
        answers[changes] += 1
        on_path += any(cell == target for cell, _, _ in run[:-1])
    assert {0, 1, 2} <= set(answers), answers
    assert 0.65 * len(SEEDS) <= on_path <= 0.93 * len(SEEDS), on_path
