"""Sudoku: answers re-derived from `state["grid"]` with a separate row-major backtracking solver, which also
checks that the puzzle has exactly one solution."""
import pytest

import gameqa
from gameqa_testing import gold

SEEDS = range(100)




def allowed(grid, r, c):
    n = len(grid)
    b = int(n ** 0.5)
    used = {grid[r][j] for j in range(n)} | {grid[i][c] for i in range(n)}
    used |= {grid[i][j] for i in range(r - r % b, r - r % b + b) for j in range(c - c % b, c - c % b + b)}
    return [v for v in range(1, n + 1) if v not in used]


def solve_all(grid, limit=2):
    """Solutions in row-major backtracking order, stopping at `limit`."""
    grid = [row[:] for row in grid]
    n, out = len(grid), []
    cells = [(r, c) for r in range(n) for c in range(n) if grid[r][c] == 0]

    def bt(k):
        if len(out) >= limit:
            return
        if k == len(cells):
            out.append([row[:] for row in grid])
            return
        r, c = cells[k]
        for v in allowed(grid, r, c):
            grid[r][c] = v
            bt(k + 1)
            grid[r][c] = 0
    bt(0)
    return out


@pytest.mark.parametrize("level", gameqa.LEVELS)
def test_colour_at(level):
    for seed in range(100 if level == "Easy" else 10):
        s = gameqa.sample_task("sudoku", 1, seed, level, render=False)
        r, c = s["state"]["cell"]
        assert gold(s) == s["state"]["colours"][s["state"]["grid"][r][c] - 1]


def test_candidate_count():
    for seed in SEEDS:
        s = gameqa.sample_task("sudoku", 2, seed, "Easy", render=False)
        r, c = s["state"]["cell"]
        assert s["state"]["grid"][r][c] == 0
        assert int(gold(s)) == len(allowed(s["state"]["grid"], r, c))


@pytest.mark.parametrize("level,seeds", [("Easy", SEEDS), ("Medium", range(8))])
def test_unique_solution_and_solved_colour(level, seeds):
    for seed in seeds:
        s = gameqa.sample_task("sudoku", 3, seed, level, render=False)
        grid = s["state"]["grid"]
        solutions = solve_all(grid)
        assert len(solutions) == 1
        r, c = s["state"]["cell"]
        assert grid[r][c] == 0 and gold(s) == s["state"]["colours"][solutions[0][r][c] - 1]
        assert len(grid) == {"Easy": 4, "Medium": 9}[level]


def test_colour_count():
    for seed in SEEDS:
        s = gameqa.sample_task("sudoku", 4, seed, "Easy", render=False)
        value = s["state"]["colours"].index(s["state"]["colour"]) + 1
        assert int(gold(s)) == sum(row.count(value) for row in s["state"]["grid"])
