"""Lifegame, Conway's Game of Life, a GameQA game (Game-RL, arXiv 2505.13886): Game-RL folder `lifegame`,
multi-step reasoning, out-of-domain (held out of training).

The game. A square n×n grid (3, 4 or 5 by plot level) of live (black) and dead (white) cells on a torus: the row
above row 0 is row n-1 and the column left of column 0 is column n-1. A cell's neighbours are the 8 cells around
it, diagonals included, wrapping over the edges. One iteration updates every cell at once from the grid before
it: a live cell with 2 or 3 live neighbours stays alive and otherwise dies; a dead cell with exactly 3 live
neighbours becomes alive and otherwise stays dead. Cells are written (row, column), 0-based from the top left,
as the tick labels on the image show. The state is Game-RL's `{"grid": n×n 0/1}` (1 = alive), plus the
question's own parameters (the cell and iteration count of task 3, the region of task 4).

Grids, as Game-RL draws them: each cell alive with probability 0.3, the grid redrawn until 20-40 % of its cells
are alive, so Easy (3×3) grids hold 2-3 live cells, Medium (4×4) 4-6 and Hard (5×5) 5-10.

The tasks are Game-RL's four (its question ids, descriptions, qa_type and qa_level), each 8-option multiple choice:
  1 live cells now (TP, Easy)            2 live cells after one iteration (SP, Medium)
  3 one cell's state over the next 4 / 3 / 2 iterations at Easy / Medium / Hard (SP, Medium)
  4 iterations until a 3×3 region, run as a Game of Life of its own, is stable (SP, Hard)

Facts of these small tori that every reader of the questions should know. On a 3×3 torus the 8 neighbours of a
cell are all the other cells, so a cell's live-neighbour count is the live total T minus itself. Hence task 4's
answer depends on the region's total alone: T = 4 is stable at once (0); T = 3 fills the region, which then dies
(2); any other T dies out in one iteration (1). Easy grids are 3×3 too: with 2 live cells the whole grid dies
(task 2's answer is 0) and with 3 it fills (9) and then dies, so a cell's sequence in task 3 is "now, then dead"
or "now, alive, then dead". We keep the questions as Game-RL defines them and make the options not betray this.

Deviations from Game-RL:
  1. Task 4 runs the region as an independent 3×3 torus, as its question says. Game-RL's released example
     data (and a version of its code) evolves the whole grid and reads the region off it instead.
  2. Task 4's options are always 0 to 7. Game-RL draws them from [min(1, gold), max(gold + 3, 8)], so 0 was
     listed only when it was the answer. With every possible answer (0, 1, 2) always listed, the list says nothing.
  3. Tasks 1 and 2: the options are 8 consecutive counts within 0..n², the gold at a random place among them.
     Game-RL draws the wrong counts uniformly from 0..n², so the gold is rarely among near values; the nearest
     values around the gold would instead put it in the middle of the sorted list every time. Where the level
     allows few answers the list covers all of them and is drawn without looking at the gold: task 1's window
     covers every live count of the level, and task 2 on Easy always lists both 0 and 9.
  4. Task 3 on Easy. Game-RL asks about one of the cells that change most often; on a 3×3 grid that is
     always a live cell when 2 are alive and a dead one when 3 are, so the cell's colour in the picture alone
     gives the answer. Here the Easy cell is any of the nine, and whether the grid dies or fills decides.
  5. Task 3's wrong sequences keep the cell's state in the picture wherever enough of them exist: Game-RL's
     "flip the first state" option contradicts the image. Medium (3 iterations) lists all 8 sequences that
     start from the pictured state. Hard (2 iterations) has only 4 such sequences, so its list is all 8
     sequences of 3 states, and the 4 that start from the wrong state fail on the picture alone. Easy
     (4 iterations, 16 sequences) lists 7 of the other 15 at random, always including both sequences a 3×3
     grid can produce (see above). Game-RL's other wrong options are edits of the gold (flip the last state,
     invert, rotate, change one or two states): a position-by-position majority vote over such a list
     gives the gold away.
  6. The live count of a grid is drawn from the binomial distribution restricted to 20-40 %, then the live
     cells uniformly: the same distribution as redrawing, with no loop. Game-RL gives up after 50 redraws and
     then keeps an unchecked grid (not that it ever happens here: half of all grids pass).
  7. Ties in task 3's choice of cell (the 5 most active) and task 4's choice of region (the 3 best scores)
     are broken by the seeded generator; Game-RL's depend on the iteration order of a Python set.
  8. The questions are our own words. They say that every cell is updated at once, give the wrap-around
     example on the question's own grid size (Game-RL's always uses a 3×3 one), name task 4's region by its
     rows and columns and spell out its wrap-around, and fix "After 1 iterations". Options are shuffled and
     lettered by the engine. The analyses are ours: the same steps as Game-RL's, shorter.
  9. Task 3 keeps Game-RL's description, "counting state changes", although its question asks for the
     sequence of states, as Game-RL's does.
"""
from itertools import product
from math import comb

from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, Budget, GRID_CONVENTION, fmt_cell, font

SIZE = {"Easy": 3, "Medium": 4, "Hard": 5}
LIVE_PROBABILITY = 0.3          # each cell of a fresh grid, before the 20-40 % live-share check
ITERATIONS = {3: 4, 4: 3, 5: 2}  # task 3's iteration count by grid size: Easy 4, Medium 3, Hard 2
ACTIVITY_LOOKAHEAD = 3          # task 3 asks about one of the cells that change most over this many iterations
TOP_CELLS, TOP_REGIONS = 5, 3   # task 3 draws from the 5 most active cells, task 4 from the 3 best regions
REGION = 3                      # task 4's region is 3×3
MAX_STABILITY_STEPS = 20        # Game-RL's cap; a 3×3 torus is stable within 2 iterations
OPTIONS = 8

# The 8 neighbours in reading order, with the words the analyses use for them.
NEIGHBOURS = [((-1, -1), "up-left"), ((-1, 0), "up"), ((-1, 1), "up-right"), ((0, -1), "left"),
              ((0, 1), "right"), ((1, -1), "down-left"), ((1, 0), "down"), ((1, 1), "down-right")]


# ---------------------------------------------------------------------------------------------------------
# The game: a grid on a torus and its synchronous update

class Life:
    def __init__(self, grid):
        self.grid = tuple(tuple(row) for row in grid)
        self.n = len(self.grid)

    def alive(self, cell):
        return self.grid[cell[0]][cell[1]] == 1

    def neighbours(self, cell):
        """The 8 neighbouring cells, wrapping over the edges, with (direction, wrapped?) for each."""
        r, c = cell
        return [(((r + dr) % self.n, (c + dc) % self.n), word, not (0 <= r + dr < self.n and 0 <= c + dc < self.n))
                for (dr, dc), word in NEIGHBOURS]

    def live_neighbours(self, cell):
        return sum(self.alive(nb) for nb, _, _ in self.neighbours(cell))

    def next_value(self, cell):
        k = self.live_neighbours(cell)
        return 1 if k == 3 or (k == 2 and self.alive(cell)) else 0

    def move(self):
        """One iteration: every cell updated at once from this grid."""
        return Life([[self.next_value((r, c)) for c in range(self.n)] for r in range(self.n)])

    def cells(self):
        return [(r, c) for r in range(self.n) for c in range(self.n)]

    def live_cells(self):
        return [cell for cell in self.cells() if self.alive(cell)]

    def count(self):
        return sum(map(sum, self.grid))

    def region(self, start):
        """The 3×3 block whose top-left cell is `start`, rows and columns wrapping, as a Life of its own."""
        return Life([[self.grid[(start[0] + i) % self.n][(start[1] + j) % self.n] for j in range(REGION)]
                     for i in range(REGION)])

    def region_cells(self, start):
        return [((start[0] + i) % self.n, (start[1] + j) % self.n) for i in range(REGION) for j in range(REGION)]

    def to_json(self):
        return {"grid": [list(row) for row in self.grid]}


def live_counts(n):
    """The live counts Game-RL accepts on an n×n grid: 20 % to 40 % of the cells."""
    return [k for k in range(n * n + 1) if n * n <= 5 * k <= 2 * n * n]


def new_state(rng, plot_level):
    n = SIZE[plot_level]
    counts = live_counts(n)
    weights = [comb(n * n, k) * LIVE_PROBABILITY ** k * (1 - LIVE_PROBABILITY) ** (n * n - k) for k in counts]
    live = set(rng.sample(range(n * n), rng.choices(counts, weights)[0]))
    return Life([[int(r * n + c in live) for c in range(n)] for r in range(n)])


def history(state, iterations):
    """The grid now and after each of the next `iterations` iterations."""
    grids = [state]
    for _ in range(iterations):
        grids.append(grids[-1].move())
    return grids


def stability(region):
    """Task 4's answer: the first step s >= 0 at which the region either would not change under one more
    iteration or repeats a pattern it had at an earlier step; with the patterns from step 0 to s."""
    seen, budget = [], Budget(MAX_STABILITY_STEPS)
    while True:
        if region.move().grid == region.grid or region.grid in [g.grid for g in seen]:
            return len(seen), seen + [region]
        budget.tick()  # cannot run out: a 3×3 torus is stable within 2 iterations
        seen.append(region)
        region = region.move()


# ---------------------------------------------------------------------------------------------------------
# The image: Game-RL's layout. 30-pixel cells and 40-pixel margins (170, 200 or 230 pixels a side), live cells
# black, dead cells white, 1-pixel grey grid lines, row numbers on the left and column numbers on top.

CELL, MARGIN = 30, 40
GRID_GREY = (128, 128, 128)


def render(state):
    side = state.n * CELL + 2 * MARGIN
    image = Image.new("RGB", (side, side), "white")
    draw = ImageDraw.Draw(image)
    for r, c in state.live_cells():
        draw.rectangle((MARGIN + c * CELL, MARGIN + r * CELL, MARGIN + (c + 1) * CELL, MARGIN + (r + 1) * CELL),
                       fill="black")
    for k in range(state.n + 1):
        edge = MARGIN + k * CELL
        draw.line((MARGIN, edge, MARGIN + state.n * CELL, edge), fill=GRID_GREY)
        draw.line((edge, MARGIN, edge, MARGIN + state.n * CELL), fill=GRID_GREY)
    labels = font(18)
    for k in range(state.n):
        middle = MARGIN + k * CELL + CELL / 2
        draw.text((MARGIN - 8, middle), str(k), fill="black", font=labels, anchor="rm")  # row k, on the left
        draw.text((middle, MARGIN - 14), str(k), fill="black", font=labels, anchor="mm")  # column k, on top
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

def intro(state):
    n, last = state.n, state.n - 1
    return ("This is Conway's Game of Life on the grid in the image. Each cell is alive (black) or dead (white).\n"
            "Each cell has 8 neighbours: the cells next to it horizontally, vertically and diagonally. The grid "
            "wraps around: the row above the top row is the bottom row, and the column left of the leftmost column "
            f"is the rightmost one. On this {n}×{n} grid, for example, the neighbour above (0, 0) is ({last}, 0), the "
            f"one to its left is (0, {last}), and the one up-left of it is ({last}, {last}).\n"
            "In one iteration every cell is updated at the same time, from the grid before the iteration:\n"
            "1. A live cell with fewer than 2 live neighbours dies (underpopulation).\n"
            "2. A live cell with 2 or 3 live neighbours stays alive.\n"
            "3. A live cell with more than 3 live neighbours dies (overpopulation).\n"
            "4. A dead cell with exactly 3 live neighbours becomes alive (reproduction); otherwise it stays dead.\n"
            + GRID_CONVENTION.format(last_r=last, last_c=last) + "\n\n")


def matrix(state, marked=()):
    """The grid as 0/1 text with its row and column numbers, the `marked` cells in brackets."""
    lines = ["    " + "".join(f" {c} " for c in range(state.n))]
    for r in range(state.n):
        row = state.grid[r]
        lines.append(f"{r}:  " + "".join(f"[{v}]" if (r, c) in marked else f" {v} " for c, v in enumerate(row)))
    return "\n".join(line.rstrip() for line in lines)


def cells_text(cells):
    return ", ".join(fmt_cell(cell) for cell in cells) or "none"


def row_counts(state):
    lines = []
    for r in range(state.n):
        live = [(r, c) for c in range(state.n) if state.alive((r, c))]
        lines.append(f"Row {r}: {len(live)} live" + (f", at {cells_text(live)}." if live else "."))
    return lines


def verdict(state, cell):
    """What the rules do to `cell` in the next iteration, and why."""
    k = state.live_neighbours(cell)
    has = f"{k} live neighbour" + ("" if k == 1 else "s")
    if state.alive(cell):
        if k < 2:
            return f"it is alive with {has}, so it dies (underpopulation)"
        if k > 3:
            return f"it is alive with {has}, so it dies (overpopulation)"
        return f"it is alive with {has}, so it stays alive"
    if k == 3:
        return f"it is dead with {has}, so it becomes alive (reproduction)"
    return f"it is dead with {has}, so it stays dead"


def neighbour_list(state, cell):
    """The live neighbours of `cell`, each with its direction, "wrapped" where the edge is crossed."""
    live = [f"{fmt_cell(nb)} {word}" + (" (wrapped)" if wrapped else "")
            for nb, word, wrapped in state.neighbours(cell) if state.alive(nb)]
    return ", ".join(live) or "none"


def changes(state):
    """The cells the next iteration changes, in reading order, each with its reason."""
    after = state.move()
    return [(cell, f"{fmt_cell(cell)}: live neighbours: {neighbour_list(state, cell)}; {verdict(state, cell)}.")
            for cell in state.cells() if after.alive(cell) != state.alive(cell)]


def count_options(rng, gold, top, possible=None):
    """The 7 wrong options of a count question, from 0..top (deviations 2 and 3). Where every answer the level
    can produce (`possible`) spans at most 8 values, the 8 options are a run of consecutive values covering them
    all, placed without looking at the gold; where they are few but spread, all of them plus random others;
    otherwise a run of 8 consecutive values holding the gold at a random place."""
    if possible and possible[-1] - possible[0] < OPTIONS:
        start = rng.choice([s for s in range(top - OPTIONS + 2) if s <= possible[0] and possible[-1] < s + OPTIONS])
        values = range(start, start + OPTIONS)
    elif possible and len(possible) <= OPTIONS:
        values = list(possible) + rng.sample([v for v in range(top + 1) if v not in possible], OPTIONS - len(possible))
    else:
        start = rng.choice([s for s in range(top - OPTIONS + 2) if s <= gold < s + OPTIONS])
        values = range(start, start + OPTIONS)
    return [str(v) for v in values if v != gold]


def live_now(rng, state):
    total = state.count()
    question = intro(state) + "How many live cells does the grid have now?"
    analysis = "\n".join(["The grid, 1 for a live cell and 0 for a dead one:", matrix(state),
                          "Counting row by row:", *row_counts(state), f"In total {total} cells are alive."])
    return QA(question, analysis, str(total), count_options(rng, total, state.n ** 2, live_counts(state.n)))


def live_after_one(rng, state):
    after = state.move()
    changed = changes(state)
    born = [cell for cell, _ in changed if after.alive(cell)]
    died = [cell for cell, _ in changed if not after.alive(cell)]
    question = intro(state) + "After one iteration, how many live cells will the grid have?"
    analysis = "\n".join(["The grid now, 1 for a live cell and 0 for a dead one:", matrix(state),
                          "The cells that change in the iteration:", *([line for _, line in changed] or ["none"]),
                          "Every other cell keeps its state. " + f"Born: {cells_text(born)}. Died: {cells_text(died)}.",
                          "The grid after one iteration, changed cells in brackets:", matrix(after, born + died),
                          "Counting row by row:", *row_counts(after),
                          f"So {after.count()} cells are alive after one iteration ({state.count()} before)."])
    # A 3×3 grid with 2 live cells dies out (0) and one with 3 fills up (9): both are always listed.
    possible = [0, 9] if state.n == 3 else None
    return QA(question, analysis, str(after.count()), count_options(rng, after.count(), state.n ** 2, possible),
              {"iterations": 1})


def activity(grids, cell):
    """How many times `cell` changes state from one grid of `grids` to the next (Game-RL's score)."""
    values = [g.alive(cell) for g in grids]
    return sum(a != b for a, b in zip(values, values[1:]))


def sequence_text(values):
    words = ["alive" if v else "dead" for v in values]
    return " → ".join([f"Initially: {words[0]}"] + [f"Step {s}: {w}" for s, w in enumerate(words[1:], 1)])


def target_cell(rng, state):
    """Game-RL's choice of task 3's cell: among the live cells and their neighbours, one of the 5 that change
    most often over the next 3 iterations (any of them if none changes). On a 3×3 grid any cell (deviation 4)."""
    if state.n == 3:
        return rng.choice(state.cells())
    candidates = sorted({cell for live in state.live_cells()
                         for cell in [live] + [nb for nb, _, _ in state.neighbours(live)]})
    rng.shuffle(candidates)  # random tie-breaks (deviation 7); the sort below is stable
    ahead = history(state, ACTIVITY_LOOKAHEAD)
    scored = sorted([(activity(ahead, cell), cell) for cell in candidates], key=lambda pair: -pair[0])
    scored = [(score, cell) for score, cell in scored if score > 0]
    return rng.choice([cell for _, cell in scored[:TOP_CELLS]] or candidates)


def cell_over_time(rng, state):
    k = ITERATIONS[state.n]
    cell = target_cell(rng, state)
    grids = history(state, k)
    gold = tuple(int(g.alive(cell)) for g in grids)
    # Wrong sequences (deviation 5): those from the pictured state first; on a 3×3 grid both possible fates.
    same_start = [s for s in product((0, 1), repeat=k + 1) if s[0] == gold[0] and s != gold]
    other_start = [s for s in product((0, 1), repeat=k + 1) if s[0] != gold[0]]
    if len(same_start) <= OPTIONS - 1:
        wrong = same_start + rng.sample(other_start, OPTIONS - 1 - len(same_start))
    else:
        fates = [s for s in [(gold[0],) + (0,) * k, (gold[0], 1) + (0,) * (k - 1)] if s != gold] if state.n == 3 else []
        wrong = fates + rng.sample([s for s in same_start if s not in fates], OPTIONS - 1 - len(fates))
    lines = ["The grid now, 1 for a live cell and 0 for a dead one, the asked cell in brackets:",
             matrix(state, [cell]), f"{fmt_cell(cell)} is {'alive' if gold[0] else 'dead'} now."]
    for step, (before, after) in enumerate(zip(grids, grids[1:]), 1):
        changed = changes(before)
        lines += [f"Iteration {step}: the live neighbours of {fmt_cell(cell)}: {neighbour_list(before, cell)}; "
                  f"{verdict(before, cell)}.",
                  "Cells that change: " + ("; ".join(f"{fmt_cell(c)} " + ("is born" if after.alive(c) else "dies")
                                                      for c, _ in changed) or "none") + ".",
                  f"The grid after iteration {step}:", matrix(after, [cell])]
    lines.append(f"So {fmt_cell(cell)} goes: {sequence_text(gold)}.")
    question = (intro(state) + f"Consider the cell at {fmt_cell(cell)}. What is its state now and after each of the "
                f"next {k} iterations?")
    return QA(question, "\n".join(lines), sequence_text(gold), [sequence_text(s) for s in wrong],
              {"cell": list(cell), "iterations": k})


def region_score(region):
    """Game-RL's preference among regions: many live cells, some on the border and in the centre, 4-6 alive."""
    live = region.count()
    border = live - region.grid[1][1]
    return 2 * live + (border > 0) + (region.grid[1][1] == 1) + 2 * (4 <= live <= 6)


def region_stability(rng, state):
    starts = state.cells()
    rng.shuffle(starts)  # random tie-breaks (deviation 7); the sort below is stable
    scored = sorted([(region_score(state.region(s)), s) for s in starts if state.region(s).count() >= 2],
                    key=lambda pair: -pair[0])
    start = rng.choice([s for _, s in scored[:TOP_REGIONS]])  # every grid has 2+ live cells, so some region does
    steps, patterns = stability(state.region(start))
    rows = [(start[0] + i) % state.n for i in range(REGION)]
    cols = [(start[1] + j) % state.n for j in range(REGION)]
    lines = ["The grid, 1 for a live cell and 0 for a dead one, the region in brackets:",
             matrix(state, state.region_cells(start)),
             f"The region (its rows {', '.join(map(str, rows))} and columns {', '.join(map(str, cols))}), "
             "in its own coordinates:", matrix(patterns[0]),
             "On a 3×3 grid that wraps around, the 8 neighbours of a cell are all the other cells of the region, so "
             "a cell's live-neighbour count is the region's live total minus the cell itself."]
    for step, region in enumerate(patterns):
        lines.append(f"Step {step}: {region.count()} live cells.")
        if step == steps:
            why = ("one more iteration would change no cell" if region.move().grid == region.grid
                   else "this pattern occurred before")
            lines.append(f"The region is stable at step {step}: {why}.")
            break
        lines += ["Cells that change in the next iteration (region coordinates):",
                  *[f"{fmt_cell(cell)}: {verdict(region, cell)}." for cell, _ in changes(region)],
                  f"After iteration {step + 1} the region is:", matrix(patterns[step + 1])]
    question = (intro(state) + f"Consider the 3×3 region whose top-left cell is {fmt_cell(start)}: rows "
                f"{', '.join(map(str, rows))} from top to bottom and columns {', '.join(map(str, cols))} from left to "
                "right (counting past the last row or column wraps to 0). Cut it out and run it as a Game of Life "
                "of its own: a 3×3 grid that wraps around its own edges, so its top row neighbours its bottom row "
                "and its left column its right column, and no cell outside it plays a part. The region is stable "
                "once its pattern would not change in one more iteration, or is a pattern it already had "
                "before. After how many iterations is the region stable for the first time (0 if it is stable now)?")
    return QA(question, "\n".join(lines), str(steps), count_options(rng, steps, OPTIONS - 1, [0, 1, 2]),
              {"region_start": list(start), "region_size": REGION})


TASKS = [
    Task(1, "Questions about counting the current number of live cells in the grid", "Target Perception", "Easy",
         live_now),
    Task(2, "Questions about predicting the number of live cells after 1 iteration", "State Prediction", "Medium",
         live_after_one),
    Task(3, "Questions about counting state changes of specific cells over iterations", "State Prediction", "Medium",
         cell_over_time),
    Task(4, "Questions about predicting steps needed to reach stability", "State Prediction", "Hard",
         region_stability),
]
