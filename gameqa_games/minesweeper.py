"""Minesweeper (multi-step reasoning, out-of-domain). Boards 6×6 / 8×8 / 10×10 with 5 / 10 / 16 mines, opened by
a first click on a cell with no neighbouring mine (which floods open its blank region) and one or two more
safe clicks.
"""
from gameqa_games.common import (
    QA, Task, GiveUp, Budget, numeric_distractors, fmt_cell, GRID_CONVENTION, font, grid_canvas)

SIZE = {"Easy": (6, 5), "Medium": (8, 10), "Hard": (10, 16)}
SEARCH_BUDGET = 50_000
UNDECIDABLE = "None of them is certainly safe"


class Minesweeper:
    def __init__(self, n, mines, revealed):
        self.n, self.mines, self.revealed = n, frozenset(mines), frozenset(revealed)

    def neighbours(self, cell):
        r, c = cell
        return [(r + dr, c + dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)
                if (dr or dc) and 0 <= r + dr < self.n and 0 <= c + dc < self.n]

    def number(self, cell):
        return sum(nb in self.mines for nb in self.neighbours(cell))

    def move(self, cell):
        """Reveal `cell`: a mine ends the game (returns None); a 0 opens its neighbours, spreading on (flood)."""
        if cell in self.mines:
            return None
        revealed, todo = set(self.revealed), [cell]
        while todo:
            x = todo.pop()
            if x in revealed and x != cell:
                continue
            revealed.add(x)
            if self.number(x) == 0:
                todo += [nb for nb in self.neighbours(x) if nb not in revealed]
        return Minesweeper(self.n, self.mines, revealed)

    def covered(self):
        return [(r, c) for r in range(self.n) for c in range(self.n) if (r, c) not in self.revealed]

    def to_json(self):
        """The board as the player sees it (? covered, digit = revealed number) plus the hidden mines."""
        return {"board": ["".join(str(self.number((r, c))) if (r, c) in self.revealed else "?" for c in range(self.n))
                          for r in range(self.n)],
                "mines": [list(m) for m in sorted(self.mines)]}


def new_state(rng, plot_level):
    n, count = SIZE[plot_level]
    while True:
        cells = [(r, c) for r in range(n) for c in range(n)]
        state = Minesweeper(n, rng.sample(cells, count), [])
        blanks = [x for x in cells if x not in state.mines and state.number(x) == 0]
        if not blanks:
            continue
        state = state.move(rng.choice(blanks))
        for _ in range(rng.randint(1, 2)):
            safe = [x for x in state.covered() if x not in state.mines]
            if safe:
                state = state.move(rng.choice(safe))
        if 6 <= len(state.revealed) <= n * n - count - 4:
            return state


def render(state):
    cell = 42 if state.n <= 8 else 36
    image, draw, box = grid_canvas(state.n, state.n, cell)
    digit_colours = {1: (30, 60, 220), 2: (30, 140, 40), 3: (210, 30, 30), 4: (20, 20, 130), 5: (130, 20, 20),
                     6: (20, 130, 130), 7: (0, 0, 0), 8: (100, 100, 100)}
    f = font(cell // 2 + 2)
    for r in range(state.n):
        for c in range(state.n):
            x0, y0, x1, y1 = box(r, c)
            if (r, c) in state.revealed:
                draw.rectangle((x0, y0, x1, y1), fill=(235, 235, 235), outline=(170, 170, 170))
                k = state.number((r, c))
                if k:
                    draw.text(((x0 + x1) / 2, (y0 + y1) / 2), str(k), fill=digit_colours[k], font=f, anchor="mm")
            else:
                draw.rectangle((x0, y0, x1, y1), fill=(150, 160, 175), outline=(90, 95, 110), width=2)
    return image


def intro(state):
    n = state.n
    return (f"This is a Minesweeper board of {n}×{n} cells. Dark blue-grey cells are still covered; light cells "
            "are revealed, and a revealed cell shows how many of its up to 8 neighbours (including diagonal ones) "
            "hide a mine (a blank revealed cell means 0). " + GRID_CONVENTION.format(last_r=n - 1, last_c=n - 1) +
            " Revealing a mine loses the game; revealing a cell with 0 neighbouring mines also reveals all its "
            "neighbours, and this spreads on through further 0 cells.")


def number_at(rng, state):
    r, c = rng.choice(sorted(state.revealed))
    k = state.number((r, c))
    question = intro(state) + f"\n\nWhat number does the revealed cell ({r}, {c}) show? (A blank cell shows 0.)"
    analysis = f"Row {r} (left labels), column {c} (top labels) is revealed and shows " + (f"{k}." if k else "nothing, so 0.")
    return QA(question, analysis, str(k), [str(v) for v in range(9) if v != k], {"cell": [r, c]})


def click_result(rng, state):
    safe = [x for x in state.covered() if x not in state.mines]
    blanks = [x for x in safe if state.number(x) == 0]
    cell = rng.choice(blanks if blanks and rng.random() < 0.6 else safe)
    after = state.move(cell)
    opened = sorted(after.revealed - state.revealed)
    mines = ", ".join(fmt_cell(m) for m in sorted(state.mines))
    question = (intro(state) + f"\n\nSuppose the mines are exactly at {mines}. If the player reveals the covered "
                f"cell {fmt_cell(cell)}, how many cells become revealed by this one click (counting the cell itself)?")
    k = state.number(cell)
    if k:
        analysis = f"{fmt_cell(cell)} is not a mine and has {k} neighbouring mine(s), so only it opens: 1 cell."
    else:
        analysis = (f"{fmt_cell(cell)} is not a mine and has no neighbouring mine, so the opening spreads through "
                    "0 cells to their neighbours. The newly revealed cells are " + ", ".join(map(fmt_cell, opened)) +
                    f": {len(opened)} cells.")
    return QA(question, analysis, str(len(opened)), numeric_distractors(rng, len(opened), low=1), {"cell": list(cell)})


def cell_constraints(state):
    """Each revealed number next to covered cells as (covered neighbours, mines among them)."""
    out = []
    for x in sorted(state.revealed):
        cov = [nb for nb in state.neighbours(x) if nb not in state.revealed]
        if cov:
            out.append((x, cov, state.number(x)))
    return out


def mine_witness(state, cell, budget):
    """A placement of mines on the covered cells next to numbers that matches every number and puts a mine
    on `cell`, or None when there is none (then `cell` is certainly safe). Depth-first, cell by cell."""
    constraints = cell_constraints(state)
    frontier = sorted({nb for _, cov, _ in constraints for nb in cov})
    frontier.remove(cell)
    frontier.insert(0, cell)
    assign = {}

    def ok():
        for _, cov, k in constraints:
            mines = sum(assign.get(nb, 0) for nb in cov)
            unknown = sum(nb not in assign for nb in cov)
            if mines > k or mines + unknown < k:
                return False
        return True

    def search(i):
        budget.tick()
        if not ok():
            return False
        if i == len(frontier):
            return True
        for v in ((1,) if i == 0 else (0, 1)):
            assign[frontier[i]] = v
            if search(i + 1):
                return True
            del assign[frontier[i]]
        return False
    return sorted(x for x, v in assign.items() if v) if search(0) else None


def safe_cell(rng, state):
    frontier = sorted({nb for _, cov, _ in cell_constraints(state) for nb in cov})
    budget = Budget(SEARCH_BUDGET)
    witness = {x: mine_witness(state, x, budget) for x in frontier}
    safe = [x for x in frontier if witness[x] is None]
    unsure = [x for x in frontier if witness[x] is not None]
    if len(unsure) < 4:
        raise GiveUp("too few uncertain cells for the options")
    if safe and rng.random() < 0.75:
        cells = [rng.choice(safe)] + rng.sample(unsure, 3)
    else:
        cells = rng.sample(unsure, 4)
    rng.shuffle(cells)
    lines = []
    for x in cells:
        if witness[x] is None:
            lines.append(f"{fmt_cell(x)}: assuming a mine there, no way of placing mines on the covered cells next to "
                         "the numbers satisfies every number, so it is certainly safe.")
        else:
            lines.append(f"{fmt_cell(x)}: mines at {', '.join(map(fmt_cell, witness[x]))} (around the numbers) satisfy "
                         "every number with a mine on it, so it may hide a mine.")
    answer = fmt_cell(next(x for x in cells if witness[x] is None)) if any(witness[x] is None for x in cells) else UNDECIDABLE
    numbers = "; ".join(f"{fmt_cell(x)} shows {k} with covered neighbours {', '.join(map(fmt_cell, cov))}"
                        for x, cov, k in cell_constraints(state))
    question = (intro(state) + "\n\nJudging only from the numbers shown (the total number of mines is not "
                "given), which of the following covered cells is certainly free of a mine?")
    analysis = (f"The numbers next to covered cells are: {numbers}. For each option, try to place a mine on it and "
                "see whether every number can still be satisfied:\n" + "\n".join(lines) +
                f"\nSo the certain choice is: {answer}.")
    distractors = [fmt_cell(x) for x in cells if fmt_cell(x) != answer] + ([UNDECIDABLE] if answer != UNDECIDABLE else [])
    return QA(question, analysis, answer, distractors, {"cells": [list(x) for x in cells]})


TASKS = [
    Task(1, "the number shown in a revealed cell", "Target Perception", "Easy", number_at),
    Task(2, "how many cells one click reveals, with the mines known", "State Prediction", "Medium", click_result),
    Task(3, "which covered cell is certainly safe", "Strategy Optimization", "Hard", safe_cell),
]
