"""Maze: every task's answer re-derived from `state` here: cell lookups, a step simulator, and a DFS that
enumerates all simple paths (a perfect maze has exactly one to the goal)."""
import pytest

import gameqa
from gameqa_testing import gold

SEEDS = range(100)
STEP = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}




def find(board, ch):
    return next((r, c) for r, row in enumerate(board) for c, x in enumerate(row) if x == ch)


def is_open(board, r, c):
    return 0 <= r < len(board) and 0 <= c < len(board[0]) and board[r][c] != "#"


def all_paths_to_goal(board):
    """Every simple path from P to G, by exhaustive depth-first search."""
    start, goal, found = find(board, "P"), find(board, "G"), []

    def dfs(path):
        if path[-1] == goal:
            found.append(list(path))
            return
        r, c = path[-1]
        for dr, dc in STEP.values():
            nb = (r + dr, c + dc)
            if is_open(board, *nb) and nb not in path:
                path.append(nb)
                dfs(path)
                path.pop()
    dfs([start])
    return found


@pytest.mark.parametrize("level", gameqa.LEVELS)
def test_goal_position(level):
    for seed in SEEDS:
        s = gameqa.sample_task("maze", 1, seed, level, render=False)
        assert len(s["state"]["board"]) == {"Easy": 9, "Medium": 11, "Hard": 13}[level]
        assert gold(s) == "({}, {})".format(*find(s["state"]["board"], "G"))


def test_position_after_moves():
    for seed in SEEDS:
        s = gameqa.sample_task("maze", 2, seed, "Easy", render=False)
        board = s["state"]["board"]
        r, c = find(board, "P")
        for m in s["state"]["moves"]:
            if is_open(board, r + STEP[m][0], c + STEP[m][1]):
                r, c = r + STEP[m][0], c + STEP[m][1]
        assert gold(s) == f"({r}, {c})"


@pytest.mark.parametrize("qid", [3, 4])
def test_path_length_and_turns(qid):
    for seed in SEEDS:
        s = gameqa.sample_task("maze", qid, seed, "Easy", render=False)
        paths = all_paths_to_goal(s["state"]["board"])
        assert len(paths) == 1  # a perfect maze
        path = paths[0]
        if qid == 3:
            assert int(gold(s)) == len(path) - 1
        else:
            deltas = [(b[0] - a[0], b[1] - a[1]) for a, b in zip(path, path[1:])]
            assert int(gold(s)) == sum(x != y for x, y in zip(deltas, deltas[1:]))
