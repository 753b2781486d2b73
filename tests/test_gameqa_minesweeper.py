"""Minesweeper: answers re-derived from `state` (the visible board and the hidden mines) with a separate flood
fill, and "certainly safe" by enumerating every mine placement consistent with the numbers."""
from collections import deque

import pytest

import gameqa
from gameqa_testing import gold

SEEDS = range(100)
UNDECIDABLE = "None of them is certainly safe"




def around(n, r, c):
    return [(i, j) for i in range(r - 1, r + 2) for j in range(c - 1, c + 2) if (i, j) != (r, c) and 0 <= i < n and 0 <= j < n]


def board_matches_mines(board, mines):
    n = len(board)
    return all(ch == "?" or int(ch) == sum(x in mines for x in around(n, r, c))
               for r, row in enumerate(board) for c, ch in enumerate(row))


@pytest.mark.parametrize("level", gameqa.LEVELS)
def test_number_at(level):
    for seed in SEEDS if level == "Easy" else range(20):
        s = gameqa.sample_task("minesweeper", 1, seed, level, render=False)
        mines = {tuple(m) for m in s["state"]["mines"]}
        assert board_matches_mines(s["state"]["board"], mines)
        r, c = s["state"]["cell"]
        assert int(gold(s)) == sum(x in mines for x in around(len(s["state"]["board"]), r, c))


def test_click_result():
    for seed in SEEDS:
        s = gameqa.sample_task("minesweeper", 2, seed, "Easy", render=False)
        board, mines = s["state"]["board"], {tuple(m) for m in s["state"]["mines"]}
        n, start = len(board), tuple(s["state"]["cell"])
        assert board[start[0]][start[1]] == "?" and start not in mines
        opened, queue = {start}, deque([start])
        while queue:  # breadth-first flood through cells with no neighbouring mine
            r, c = queue.popleft()
            if any(x in mines for x in around(n, r, c)):
                continue
            for x in around(n, r, c):
                if x not in opened and board[x[0]][x[1]] == "?":
                    opened.add(x)
                    queue.append(x)
        assert int(gold(s)) == len(opened)


def possible_mines(board):
    """Every covered cell next to a number that is a mine in at least one placement consistent with all numbers."""
    n = len(board)
    numbers = [((r, c), int(ch)) for r, row in enumerate(board) for c, ch in enumerate(row) if ch != "?"]
    cons = [([x for x in around(n, *p) if board[x[0]][x[1]] == "?"], k) for p, k in numbers]
    cons = [(cov, k) for cov, k in cons if cov]
    frontier = sorted({x for cov, _ in cons for x in cov})
    union, chosen = set(), set()

    def feasible(i):
        decided = set(frontier[:i])
        for cov, k in cons:
            m = sum(x in chosen for x in cov)
            if m > k or m + sum(x not in decided for x in cov) < k:
                return False
        return True

    def enum(i):
        if not feasible(i):
            return
        if i == len(frontier):
            union.update(chosen)
            return
        enum(i + 1)
        chosen.add(frontier[i])
        enum(i + 1)
        chosen.discard(frontier[i])
    enum(0)
    return union


@pytest.mark.parametrize("level,seeds", [("Easy", SEEDS), ("Medium", range(10))])
def test_certainly_safe(level, seeds):
    answers = set()
    for seed in seeds:
        s = gameqa.sample_task("minesweeper", 3, seed, level, render=False)
        may_be_mine = possible_mines(s["state"]["board"])
        cells = [tuple(x) for x in s["state"]["cells"]]
        safe = [x for x in cells if x not in may_be_mine]
        assert len(safe) <= 1
        assert gold(s) == (f"({safe[0][0]}, {safe[0][1]})" if safe else UNDECIDABLE)
        assert not any(x in {tuple(m) for m in s["state"]["mines"]} for x in safe)  # certainly safe is truly safe
        answers.add(gold(s) == UNDECIDABLE)
    assert answers == {True, False} or level != "Easy"
