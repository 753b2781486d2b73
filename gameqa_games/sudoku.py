"""Sudoku (multi-step reasoning, out-of-domain), played with colours instead of digits: 4×4 (2×2 boxes) at Easy,
9×9 (3×3 boxes) at Medium and Hard with more cells left empty. Every puzzle has exactly one solution: cells are
removed from a full grid only while a solution count (stopped at 2) stays 1.
"""
from gameqa_games.common import (
    QA, Task, GiveUp, Budget, numeric_distractors, fmt_cell, GRID_CONVENTION, grid_canvas)

SIZE = {"Easy": 4, "Medium": 9, "Hard": 9}
BLANKS = {"Easy": (6, 10), "Medium": (35, 42), "Hard": (46, 52)}
COUNT_BUDGET = 20_000  # search nodes per uniqueness check; a check that runs out keeps the cell filled
COLOURS = {"red": (220, 40, 40), "orange": (245, 140, 20), "yellow": (240, 215, 30), "green": (40, 160, 60),
           "cyan": (40, 200, 220), "blue": (40, 70, 210), "purple": (140, 60, 190), "pink": (250, 140, 200),
           "brown": (130, 80, 40)}


class Sudoku:
    def __init__(self, grid, colours):
        self.grid = [list(row) for row in grid]  # 0 = empty, k = colours[k - 1]
        self.colours, self.n = list(colours), len(grid)
        self.box = int(round(self.n ** 0.5))

    def move(self, cell, value):
        """Colour one empty cell (no rule check: `candidates` says which values are legal)."""
        grid = [list(row) for row in self.grid]
        grid[cell[0]][cell[1]] = value
        return Sudoku(grid, self.colours)

    def candidates(self, r, c):
        b = self.box
        seen = set(self.grid[r]) | {self.grid[i][c] for i in range(self.n)}
        seen |= {self.grid[i][j] for i in range(r // b * b, r // b * b + b) for j in range(c // b * b, c // b * b + b)}
        return [v for v in range(1, self.n + 1) if v not in seen]

    def empties(self):
        return [(r, c) for r in range(self.n) for c in range(self.n) if not self.grid[r][c]]

    def to_json(self):
        return {"grid": self.grid, "colours": self.colours}


def solutions(state, limit, budget):
    """Up to `limit` solutions, by depth-first search always branching on the empty cell with fewest candidates."""
    found = []

    def search(s):
        budget.tick()
        empties = s.empties()
        if not empties:
            found.append(s.grid)
            return
        r, c = min(empties, key=lambda rc: len(s.candidates(*rc)))
        for v in s.candidates(r, c):
            search(s.move((r, c), v))
            if len(found) >= limit:
                return
    search(state)
    return found


def new_state(rng, plot_level):
    n = SIZE[plot_level]
    b = int(n ** 0.5)
    rows = [band * b + i for band in rng.sample(range(b), b) for i in rng.sample(range(b), b)]
    cols = [stack * b + i for stack in rng.sample(range(b), b) for i in rng.sample(range(b), b)]
    relabel = rng.sample(range(1, n + 1), n)
    # the pattern (b·(r mod b) + r div b + c) mod n is a valid grid; row/column shuffles within bands and
    # stacks and a relabelling keep it valid
    full = [[relabel[(b * (r % b) + r // b + c) % n] for c in cols] for r in rows]
    state = Sudoku(full, rng.sample(sorted(COLOURS), n))
    target = rng.randint(*BLANKS[plot_level])
    for r, c in rng.sample([(r, c) for r in range(n) for c in range(n)], n * n):
        if len(state.empties()) >= target:
            break
        trial = state.move((r, c), 0)
        try:
            if len(solutions(trial, 2, Budget(COUNT_BUDGET))) == 1:
                state = trial
        except GiveUp:
            pass
    return state


def render(state):
    cell = 56 if state.n == 4 else 40
    image, draw, box = grid_canvas(state.n, state.n, cell)
    for r in range(state.n):
        for c in range(state.n):
            x0, y0, x1, y1 = box(r, c)
            draw.rectangle((x0, y0, x1, y1), fill="white", outline=(160, 160, 160))
            if state.grid[r][c]:
                m = cell // 7
                draw.ellipse((x0 + m, y0 + m, x1 - m, y1 - m), fill=COLOURS[state.colours[state.grid[r][c] - 1]], outline=(40, 40, 40))
    for k in range(0, state.n + 1, state.box):  # thick lines around the boxes
        x0, y0, _, _ = box(0, 0)
        draw.line((x0 + k * cell, y0, x0 + k * cell, y0 + state.n * cell), fill="black", width=3)
        draw.line((x0, y0 + k * cell, x0 + state.n * cell, y0 + k * cell), fill="black", width=3)
    return image


def intro(state):
    n, b = state.n, state.box
    return (f"This is a colour Sudoku on a {n}×{n} grid divided by thick lines into {b}×{b} boxes. It uses the {n} "
            f"colours {', '.join(state.colours)}; a white cell is empty. " + GRID_CONVENTION.format(last_r=n - 1, last_c=n - 1) +
            f" In a solved grid every row, every column and every {b}×{b} box holds each colour exactly once. "
            "This puzzle has exactly one solution.")


def colour_at(rng, state):
    r, c = rng.choice([(r, c) for r in range(state.n) for c in range(state.n) if state.grid[r][c]])
    colour = state.colours[state.grid[r][c] - 1]
    question = intro(state) + f"\n\nWhat colour is the cell at ({r}, {c})?"
    analysis = f"Row {r} from the left tick labels, column {c} from the top tick labels: that cell holds a {colour} circle."
    others = [x for x in state.colours if x != colour]
    return QA(question, analysis, colour, rng.sample(others, min(7, len(others))), {"cell": [r, c]})


def candidate_count(rng, state):
    r, c = rng.choice(state.empties())
    b = state.box
    name = lambda vs: ", ".join(state.colours[v - 1] for v in sorted(vs)) or "none"
    row = {v for v in state.grid[r] if v}
    col = {state.grid[i][c] for i in range(state.n) if state.grid[i][c]}
    bx = {state.grid[i][j] for i in range(r // b * b, r // b * b + b) for j in range(c // b * b, c // b * b + b) if state.grid[i][j]}
    cands = state.candidates(r, c)
    question = (intro(state) + f"\n\nConsidering only the colours already placed in its row, column and box, "
                f"how many colours could still go in the empty cell ({r}, {c})?")
    analysis = (f"Row {r} already has {name(row)}. Column {c} already has {name(col)}. Its box already has {name(bx)}. "
                f"Together they use {name(row | col | bx)}, which leaves {name(cands)}: {len(cands)} colour(s).")
    return QA(question, analysis, str(len(cands)), numeric_distractors(rng, len(cands), k=min(7, state.n - 1)), {"cell": [r, c]})


def solved_colour(rng, state):
    (solution,) = solutions(state, 2, Budget(10 ** 6))  # uniqueness was established when cells were removed
    r, c = rng.choice(state.empties())
    colour = state.colours[solution[r][c] - 1]
    lines, s = [], state
    while s.grid[r][c] == 0:  # fill forced cells (one candidate left) until the asked cell is reached
        forced = [(rc, s.candidates(*rc)) for rc in s.empties()]
        forced = [(rc, cs[0]) for rc, cs in forced if len(cs) == 1]
        if not forced:
            lines.append("No cell is forced any more; searching the remaining cases (try a candidate, backtrack on a "
                         "contradiction) completes the grid in exactly one way:")
            lines += [f"row {i}: " + ", ".join(state.colours[v - 1] for v in solution[i]) for i in range(state.n)]
            break
        rc, v = next(((rc, v) for rc, v in forced if rc == (r, c)), forced[0])
        lines.append(f"{fmt_cell(rc)} can only be {state.colours[v - 1]}.")
        s = s.move(rc, v)
    question = intro(state) + f"\n\nWhat colour must the empty cell ({r}, {c}) have in the solution?"
    analysis = "Fill cells whose row, column and box leave only one colour:\n" + "\n".join(lines) + \
               f"\nSo ({r}, {c}) is {colour}."
    others = [x for x in state.colours if x != colour]
    return QA(question, analysis, colour, rng.sample(others, min(7, len(others))), {"cell": [r, c]})


def colour_count(rng, state):
    value = rng.randint(1, state.n)
    colour = state.colours[value - 1]
    rows = [sum(v == value for v in row) for row in state.grid]
    total = sum(rows)
    question = intro(state) + f"\n\nHow many cells of the grid are already {colour}?"
    analysis = (f"Count the {colour} circles row by row: " + ", ".join(f"row {r}: {k}" for r, k in enumerate(rows)) +
                f". In total {total}.")
    return QA(question, analysis, str(total), numeric_distractors(rng, total, k=min(7, state.n)), {"colour": colour})


TASKS = [
    Task(1, "the colour of a filled cell", "Target Perception", "Easy", colour_at),
    Task(2, "how many colours an empty cell still allows", "State Prediction", "Medium", candidate_count),
    Task(3, "the colour an empty cell has in the unique solution", "Strategy Optimization", "Hard", solved_colour),
    Task(4, "how many cells hold a given colour", "Target Perception", "Easy", colour_count),
]
