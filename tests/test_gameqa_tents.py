"""Tents: the task table against Game-RL's, the drawn puzzles checked against the rules, and every task's answer
re-derived from the record's `state` by code written here. "May a new tent go here?" is answered the brute way:
put the tent on the board and check the whole board against rules 1 and 3-5 (the module checks the one cell,
rule by rule)."""
import io
import json
import random

import pytest

import gameqa
import rewards
from gameqa_games import tents
from gameqa_testing import gold

SEEDS = range(120)  # spread over the three plot levels: seed % 3
SIZES = {"Easy": 7, "Medium": 10, "Hard": 13}
TREES = {"Easy": 5, "Medium": 10, "Hard": 17}
REMOVED = {"Easy": (1, 3), "Medium": (2, 6), "Hard": (4, 10)}  # ours, around Game-RL's fixed 2 / 4 / 7

# question_id: (qa_type, qa_level, options: 8 for multiple choice, None for fill-in)
TABLE = {0: ("Target Perception", "Easy", None), 3: ("Target Perception", "Easy", None),
         4: ("Target Perception", "Medium", None), 5: ("State Prediction", "Medium", None),
         6: ("State Prediction", "Hard", None), 8: ("Target Perception", "Easy", 8),
         9: ("State Prediction", "Medium", 8)}


def sample(qid, seed, render=False):
    return gameqa.sample_task("tents", qid, seed, gameqa.LEVELS[seed % 3], render=render)


def samples(qid):
    return [sample(qid, seed) for seed in SEEDS]


class Board:
    """The grid as the picture shows it, read from `state`: trees, tents shown, clues; plus the removed tents."""

    def __init__(self, state):
        self.n = state["size"]
        self.trees = {tuple(x) for x in state["trees"]}
        self.tents = {tuple(x) for x in state["tents"]}
        self.removed = {tuple(x) for x in state["removed"]}
        self.rows, self.cols = state["row_targets"], state["col_targets"]
        self.cells = [(r, c) for r in range(self.n) for c in range(self.n)]

    def next_to_tree(self, cell):
        return any(abs(cell[0] - t[0]) + abs(cell[1] - t[1]) == 1 for t in self.trees)

    def breaks_nothing(self, tents):
        """Rules 1 and 3-5 on a board with these tents: no tent on a tree, every tent next to a tree, no two
        tents within one step (diagonals included), no row or column over its clue."""
        tents = list(tents)
        return (not set(tents) & self.trees and all(self.next_to_tree(x) for x in tents)
                and all(max(abs(a[0] - b[0]), abs(a[1] - b[1])) > 1 for i, a in enumerate(tents) for b in tents[i + 1:])
                and all(sum(x[0] == r for x in tents) <= self.rows[r] for r in range(self.n))
                and all(sum(x[1] == c for x in tents) <= self.cols[c] for c in range(self.n)))

    def may_take_tent(self, cell):
        return cell not in self.tents and self.breaks_nothing(self.tents | {cell})


def cell_text(cell):
    return f"({cell[0]}, {cell[1]})"


def check_fill_in(s, expected):
    assert "options" not in s and s["answer"] == str(expected), (s["id"], s["answer"], expected)
    assert rewards.score_gameqa(f"I counted.\nThe answer is {s['answer']}", s)["accuracy"] == 1


# ---------------------------------------------------------------------------------------------------------
# The table, the levels and the puzzles

def test_task_table_matches_game_rl():
    tasks = {t.question_id: t for t in gameqa.REGISTRY["tents"].tasks}
    assert sorted(tasks) == sorted(TABLE)
    for qid, (qa_type, qa_level, n_options) in TABLE.items():
        assert (tasks[qid].qa_type, tasks[qid].qa_level) == (qa_type, qa_level), qid
        for seed in range(6):
            s = sample(qid, seed)
            assert len(s.get("options", [])) == (n_options or 0), (qid, seed)
            assert s["level"] == {"plot_level": gameqa.LEVELS[seed % 3], "qa_level": qa_level, "qa_type": qa_type}
    assert gameqa.REGISTRY["tents"].split_group == "in-domain"


@pytest.mark.parametrize("level", gameqa.LEVELS)
def test_puzzles_are_solutions_of_the_stated_rules(level):
    """Every drawn grid has its level's size and tree count, the shown and removed tents together obey rules
    2-4, the clues count them, and the removed count lies in the level's range (spanning it over the seeds)."""
    removed_counts = set()
    for seed in range(60):
        board = Board(gameqa.sample_task("tents", 4, seed, level, render=False)["state"])
        solution = board.tents | board.removed
        assert board.n == SIZES[level] and len(board.trees) == TREES[level]
        assert not board.tents & board.removed and len(solution) == len(board.trees)
        assert all(0 <= r < board.n and 0 <= c < board.n for r, c in solution | board.trees)
        assert board.breaks_nothing(solution)
        assert board.rows == [sum(x[0] == r for x in solution) for r in range(board.n)]
        assert board.cols == [sum(x[1] == c for x in solution) for c in range(board.n)]
        removed_counts.add(len(board.removed))
    assert removed_counts == set(range(REMOVED[level][0], REMOVED[level][1] + 1))


def test_move_places_a_tent_only_where_the_rules_allow():
    state = tents.new_state(random.Random(3), "Medium")
    board = Board(state.to_json())
    for cell in board.cells:
        after = state.move(cell)
        if board.may_take_tent(cell):
            assert set(after.tents) == board.tents | {cell} and set(after.removed) == board.removed - {cell}
        else:
            assert after is state
    hidden = state.removed[0]
    assert state.move(hidden).removed == [x for x in state.removed if x != hidden]


# ---------------------------------------------------------------------------------------------------------
# Every task's answer, re-derived

def test_task0_tents_in_a_row():
    answers = set()
    for s in samples(0):
        board, row = Board(s["state"]), s["state"]["row"]
        assert board.rows[row] > 0  # a row with tents in the end (deviation 2)
        check_fill_in(s, sum(1 for r, _ in board.tents if r == row))
        assert f"row {row}" in s["prompt"]
        answers.add(s["answer"])
    assert {"0", "1", "2"} <= answers


def test_task3_tents_missing_in_a_column():
    answers = set()
    for s in samples(3):
        board, column = Board(s["state"]), s["state"]["column"]
        check_fill_in(s, board.cols[column] - sum(1 for _, c in board.tents if c == column))
        assert int(s["answer"]) == sum(1 for _, c in board.removed if c == column)
        assert f"column {column}" in s["prompt"]
        answers.add(s["answer"])
    assert {"0", "1", "2"} <= answers


def test_task4_tents_missing_in_the_grid():
    for s in samples(4):
        board = Board(s["state"])
        check_fill_in(s, sum(board.rows) - len(board.tents))  # the row clues; the module adds the column clues


def test_task5_cells_next_to_a_tree():
    for s in samples(5):
        board = Board(s["state"])
        check_fill_in(s, sum(1 for x in board.cells if x not in board.trees and board.next_to_tree(x)))


def test_task6_cells_that_can_take_a_new_tent():
    for s in samples(6):
        board = Board(s["state"])
        count = sum(board.may_take_tent(x) for x in board.cells)
        check_fill_in(s, count)
        assert count >= len(board.removed)  # every removed tent may go back


def test_task8_which_cell_holds_a_tree():
    for s in samples(8):
        board = Board(s["state"])
        cells = {tuple(int(v) for v in o.strip("()").split(", ")) for o in s["options"]}
        assert cells == {tuple(x) for x in s["state"]["option_cells"]} and len(cells) == 8
        assert [x in board.trees for x in cells].count(True) == 1  # no distractor holds a tree
        assert tuple(int(v) for v in gold(s).strip("()").split(", ")) in board.trees


def test_task9_which_cell_can_take_a_new_tent():
    near_misses = 0
    for s in samples(9):
        board = Board(s["state"])
        cells = [tuple(int(v) for v in o.strip("()").split(", ")) for o in s["options"]]
        assert set(cells) == {tuple(x) for x in s["state"]["option_cells"]} and len(set(cells)) == 8
        right = [x for x in cells if board.may_take_tent(x)]
        assert right == [tuple(int(v) for v in gold(s).strip("()").split(", "))]  # exactly one right answer
        assert right[0] in board.removed
        wrong = [x for x in cells if x != right[0]]
        near = [x for x in board.cells if x not in board.trees | board.tents and board.next_to_tree(x)
                and not board.may_take_tent(x)]
        # deviation 3: four distractors are cells next to a tree that fail later checks, where there are four
        assert sum(x in near for x in wrong) >= min(4, len(near))
        near_misses += sum(x in near for x in wrong)
        for x in wrong:
            assert f"{cell_text(x)} cannot take a tent: " in s["analysis"]
    assert near_misses >= 4 * len(SEEDS) * 0.9


def test_task9_analysis_names_the_first_rule_broken():
    """Game-RL's order of checks: tree, tent, no tree next to it, a touching tent, full row, full column."""
    for s in samples(9)[:40]:
        board = Board(s["state"])
        for line in s["analysis"].splitlines():
            if "cannot take a tent: " not in line:
                continue
            r, c = (int(v) for v in line.split(")")[0].strip("(").split(", "))
            reason = line.split("cannot take a tent: ")[1]
            touching = [t for t in sorted(board.tents) if max(abs(t[0] - r), abs(t[1] - c)) == 1]
            if (r, c) in board.trees:
                assert reason.startswith("it holds a tree")
            elif (r, c) in board.tents:
                assert reason.startswith("it already holds a tent")
            elif not board.next_to_tree((r, c)):
                assert reason.startswith("no tree shares an edge")
            elif touching:
                assert reason.startswith("it touches the tent at")
            elif sum(t[0] == r for t in board.tents) >= board.rows[r]:
                assert reason.startswith(f"row {r} already holds")
            else:
                assert reason.startswith(f"column {c} already holds")


# ---------------------------------------------------------------------------------------------------------
# The picture and determinism

def png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_same_seed_same_bytes():
    for seed, qid in [(0, 0), (1, 6), (2, 9), (5, 8)]:
        a, b = sample(qid, seed, render=True), sample(qid, seed, render=True)
        assert png(a["images"][0]) == png(b["images"][0])
        assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})


def test_image_shows_the_state():
    """Trees and tents where the state has them, other cells blank, blue clues only outside the grid, left of
    each row and above each column; the side well under 900 px."""
    green, orange, blue = (34, 139, 34), (230, 126, 34), (0, 51, 204)
    for seed in range(3):
        s = sample(8, seed, render=True)
        board, image = Board(s["state"]), s["images"][0]
        cell, origin = 440 // board.n, 64  # 34 px of clues, then 30 px of tick labels
        assert image.size == (origin + board.n * cell + 12,) * 2 and image.size[0] <= 900
        for r, c in board.cells:
            x, y = origin + c * cell, origin + r * cell
            at = lambda fx, fy: image.getpixel((int(x + fx * cell), int(y + fy * cell)))
            if (r, c) in board.trees:
                assert at(0.5, 0.42) == green and at(0.5, 0.8) != green
            elif (r, c) in board.tents:
                assert at(0.5, 0.45) == orange
            else:
                assert at(0.5, 0.45) == at(0.3, 0.7) == (255, 255, 255)
        pixels = image.load()
        for k in range(board.n):
            band = range(origin + k * cell + 2, origin + (k + 1) * cell - 2)
            assert any(pixels[x, y] == blue for x in range(34) for y in band), f"no clue left of row {k}"
            assert any(pixels[x, y] == blue for x in band for y in range(34)), f"no clue above column {k}"
        grid = range(origin, origin + board.n * cell)
        assert not any(pixels[x, y] == blue for x in grid[::3] for y in grid[::3])
