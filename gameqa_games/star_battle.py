"""Star Battle, a GameQA game (Game-RL, arXiv 2505.13886): Game-RL folder `star-battle`, multi-step reasoning,
in-domain.

The game. An N×N grid (N = 5, 6 or 8 by plot level) is split into N connected regions, each filled with its own
colour (region 0 light pink, 1 powder blue, 2 light green, 3 peach, 4 red, 5 yellow, 6 cyan, 7 orange). A solved
grid has exactly one star in every row, every column and every region, and no two stars touch, not even
diagonally. A star is drawn as a black dot. A cell "can take a star now" (task 4) when it is empty, its row, its
column and its region hold no star yet and none of its 8 neighbours holds one; it need not lead to a full
solution. Cells are written (row, column), 0-based from the top left, as the tick labels on the image show;
Game-RL writes the same pair as "(x, y)", x the row. The state is Game-RL's `{"regions": N lists of [row,
column] (the list's index is the region's index and fixes its colour), "stars": the stars shown, "solution": the
full solution}` plus `size`, and the question's own parameters: `region` (tasks 2 and 3) and `option_cells`
(task 4).

A layout is drawn as Game-RL draws it: N times, a region is seeded at a random unassigned cell and grows
breadth-first through random unassigned neighbours until it has N cells or is stuck; the cells left over join a
random neighbouring region. Sizes come out uneven, and one board in three has a one-cell region. The solution is
the first one of a row-by-row backtracking search; a layout without one is redrawn. Solutions need not be
unique (about one 8×8 layout in 700 drawn this way has a unique one): no answer depends on it, since
task 1's last star is forced whatever the layout, and tasks 2-4 ask about the board as shown. Each task picks
which of the solution's stars the picture shows, as Game-RL's two generators do: task 1 all but one; tasks 2-4
the stars of m random regions, m uniform in 2..N.

The tasks are Game-RL's four (its question ids, qa_type and qa_level):
  1 where the last star must go, N−1 stars shown (SP, Hard, fill-in "(r, c)")
  2 which option cell belongs to region k (TP, Easy, MC 8)
  3 which option cell of region k holds a star, or "null" (TP, Easy, MC 8)
  4 which option cell can take a star now, or "null" (SP, Medium, MC up to 8)

Deviations from Game-RL:
  1. Task 1 does not list the placed stars in the text, so they must be read from the image (Game-RL lists them,
     which answers the question without the picture: the empty row and the empty column). Its analysis reads
     the stars off the board, crosses the empty row with the empty column, and then checks that the cell lies
     in the only region without a star and touches no star.
  2. Tasks 3 and 4 always offer "null". Game-RL offers it only when it is the answer, so its presence gave the
     answer away.
  3. Task 3 describes and fills from the asked region: Game-RL's analysis names the colour of task 2's region,
     and its filler cells (used when the region has fewer than 8 cells) are drawn excluding task 2's region,
     so one could belong to the asked region. Here the fillers come from the other regions, the cells holding
     a star first (ours: a star in the wrong region is the near miss; a random filler is an empty cell that
     the glance at the star rules out).
  4. Task 4's distractors are near misses (ours): the empty cells that cannot take a star, those breaking the
     fewest rules first (random ties), so that each usually fails one check only; Game-RL draws them at random,
     mostly cells in a starred row beside a star. Its analysis walks exactly the option cells, in the order
     the question lists them, and names every rule each one breaks (Game-RL's runs in another order, sometimes
     gives only part of the reason, and in the all-stars case re-analyses a stale cell).
  5. Task 4's qa_type is State Prediction (whether a move is legal; Game-RL's FreeCell classes its valid-move
     task so). Game-RL's star-battle generator and its example data label it Target Perception.
  6. The image has tick labels, 0..N-1 for rows on the left and columns on top (Game-RL's has none, though
     its questions use coordinates), and thick lines along region borders beside Game-RL's 2-pixel cell
     outlines: light pink and peach are close, and a border shows where a region ends. Otherwise it is Game-RL's
     picture in Pillow: 50-pixel cells in the region colours, a star a black disc of radius 12 at the centre.
  7. Options are "(r, c)" cells (with a space) and "null", lettered A, B, … (Game-RL numbers "1.(r,c)" and
     answers with the index). Task 2's are shuffled by the engine; tasks 3 and 4 shuffle their own, so that the
     analysis can walk them in the order the question lists them.
  8. Task 1's description drops the board size Game-RL writes into it ("We have a 5x5 grid. …"), so that a
     task has one description. The question texts are our own words.
  9. The region generator always terminates: the leftover cells join a region in sweeps from the assigned
     ones (Game-RL's leftover loop can spin on a cell with no assigned neighbour), and a region stops at N cells
     (Game-RL's may pass N when the last cell it takes has several free neighbours). The solver runs under a
     step budget, and a layout redraw loop is bounded.
"""
from collections import deque

from PIL import ImageDraw

from gameqa_games.common import QA, Task, Budget, GiveUp, GRID_CONVENTION, fmt_cell, grid_canvas

SIZE = {"Easy": 5, "Medium": 6, "Hard": 8}  # N: the grid is N×N with N regions, one star per row, column, region
REGION_COLOURS = [("light pink", (255, 182, 193)), ("powder blue", (176, 224, 230)), ("light green", (144, 238, 144)),
                  ("peach", (255, 218, 185)), ("red", (255, 0, 0)), ("yellow", (255, 255, 0)),
                  ("cyan", (0, 255, 255)), ("orange", (255, 165, 0))]  # Game-RL's, by region index
SOLVE_BUDGET = 50_000  # search nodes; 8×8 layouts need 41 (median) to about 4,200 (the most in 10,000)
MAX_LAYOUTS = 100      # 5-8 % of layouts have no solution, so 100 failures in a row do not happen
N_OPTIONS = 8
NULL = "null"


# ---------------------------------------------------------------------------------------------------------
# The game: a layout of regions, its solution and the stars shown

class StarBattle:
    def __init__(self, regions, solution, stars=()):
        self.regions = [sorted(tuple(cell) for cell in region) for region in regions]  # index = colour
        self.size = len(self.regions)
        self.region_of = {cell: k for k, region in enumerate(self.regions) for cell in region}
        self.solution = sorted(tuple(cell) for cell in solution)
        self.stars = sorted(tuple(cell) for cell in stars)

    def move(self, cell):
        """The board with one more star, on `cell`; no rule is checked (`conflicts` says what it would break)."""
        return StarBattle(self.regions, self.solution, self.stars + [tuple(cell)])

    def conflicts(self, cell):
        """Why `cell` cannot take a star now: {rule: the stars that forbid it}, rules in the order touch, row,
        column, region; empty when it can (the cell must also be empty)."""
        r, c = cell
        found = {"touch": [s for s in self.stars if max(abs(s[0] - r), abs(s[1] - c)) == 1],
                 "row": [s for s in self.stars if s[0] == r],
                 "column": [s for s in self.stars if s[1] == c],
                 "region": [s for s in self.stars if self.region_of[s] == self.region_of[cell]]}
        return {rule: stars for rule, stars in found.items() if stars}

    def can_take_star(self, cell):
        return tuple(cell) not in self.stars and not self.conflicts(cell)

    def to_json(self):
        return {"size": self.size, "regions": [[list(cell) for cell in region] for region in self.regions],
                "stars": [list(cell) for cell in self.stars], "solution": [list(cell) for cell in self.solution]}


def side_neighbours(cell, n):
    r, c = cell
    return [(r + dr, c + dc) for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)) if 0 <= r + dr < n and 0 <= c + dc < n]


def draw_regions(rng, n):
    """Game-RL's layout: n regions grown breadth-first from random seeds to at most n cells, then every cell left
    over joins a random region beside it, in sweeps outward from the assigned cells (deviation 9)."""
    cells = [(r, c) for r in range(n) for c in range(n)]
    owner = {}
    for k in range(n):  # k regions hold at most k·n < n² cells, so a free seed always exists
        seed = rng.choice([cell for cell in cells if cell not in owner])
        owner[seed], size, queue = k, 1, deque([seed])
        while queue and size < n:
            around = side_neighbours(queue.popleft(), n)
            rng.shuffle(around)
            for cell in around:
                if cell not in owner and size < n:
                    owner[cell], size = k, size + 1
                    queue.append(cell)
    while len(owner) < n * n:  # each sweep assigns at least one cell: the grid is connected
        sweep = [cell for cell in cells if cell not in owner and any(x in owner for x in side_neighbours(cell, n))]
        for cell in sweep:
            owner[cell] = rng.choice(sorted({owner[x] for x in side_neighbours(cell, n) if x in owner}))
    return [[cell for cell in cells if owner[cell] == k] for k in range(n)]


def first_solution(regions, budget):
    """The first solution in row-major order, or None: one star per row, placed left to right, in a free column
    and a free region and at least two columns from the star of the row above (rows differ, so that is the only
    way two stars can touch). Game-RL's cell-by-cell search finds the same first solution."""
    n = len(regions)
    region_of = {tuple(cell): k for k, region in enumerate(regions) for cell in region}
    columns, used, path = set(), set(), []

    def place(r):
        budget.tick()
        if r == n:
            return True
        for c in range(n):
            k = region_of[(r, c)]
            if c in columns or k in used or (path and abs(path[-1][1] - c) < 2):
                continue
            columns.add(c), used.add(k), path.append((r, c))
            if place(r + 1):
                return True
            columns.discard(c), used.discard(k), path.pop()
        return False
    return list(path) if place(0) else None


def new_state(rng, plot_level):
    """A layout with a solution and no star shown yet: each task shows the stars it asks about."""
    n = SIZE[plot_level]
    for _ in range(MAX_LAYOUTS):
        regions = draw_regions(rng, n)
        try:
            solution = first_solution(regions, Budget(SOLVE_BUDGET))
        except GiveUp:
            continue
        if solution is not None:
            return StarBattle(regions, solution)
    raise RuntimeError(f"star_battle: no solvable {n}×{n} layout in {MAX_LAYOUTS} draws")


# ---------------------------------------------------------------------------------------------------------
# The image: Game-RL's board (50-pixel cells, region colours, 2-pixel outlines, black stars) with tick labels and
# thick region borders (deviation 6)

CELL, STAR_RADIUS, BORDER = 50, 12, 5


def render(state):
    n = state.size
    image, draw, box = grid_canvas(n, n, CELL)
    for (r, c), k in state.region_of.items():
        draw.rectangle(box(r, c), fill=REGION_COLOURS[k][1], outline="black", width=2)
    for (r, c), k in state.region_of.items():
        x0, y0, x1, y1 = box(r, c)
        sides = {(-1, 0): (x0, y0, x1, y0), (1, 0): (x0, y1, x1, y1), (0, -1): (x0, y0, x0, y1), (0, 1): (x1, y0, x1, y1)}
        for (dr, dc), line in sides.items():
            if state.region_of.get((r + dr, c + dc)) != k:  # another region, or the edge of the grid
                draw.line(line, fill="black", width=BORDER)
    for r, c in state.stars:
        x0, y0, x1, y1 = box(r, c)
        cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
        draw.ellipse((cx - STAR_RADIUS, cy - STAR_RADIUS, cx + STAR_RADIUS, cy + STAR_RADIUS), fill="black")
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

def colour_name(k):
    return REGION_COLOURS[k][0]


def cells_text(cells):
    return ", ".join(fmt_cell(cell) for cell in cells) if cells else "none"


def intro(state):
    n = state.size
    regions = "\n".join(f"- region {k}: {colour_name(k)}" for k in range(n))
    return (f"This is a Star Battle puzzle on the {n}×{n} grid in the image. The grid is divided into {n} regions; "
            "cells of the same colour belong to the same region, and thick lines mark the region borders. The "
            f"regions and their colours:\n{regions}\n"
            "A solved grid has exactly one star in every row, every column and every region, and no two stars touch, "
            "not even diagonally: none of the 8 cells around a star holds another. A star is drawn as a black dot "
            "in its cell.\n" + GRID_CONVENTION.format(last_r=n - 1, last_c=n - 1) + "\n\n")


def show_region_stars(rng, state):
    """The analysis board of tasks 2-4: the solution's stars in m random regions, m uniform in 2..N (Game-RL)."""
    kept = set(rng.sample(range(state.size), rng.randint(2, state.size)))
    state.stars = sorted(s for s in state.solution if state.region_of[s] in kept)


def last_star(rng, state):
    missing = rng.choice(state.solution)
    state.stars = [s for s in state.solution if s != missing]  # task 1's board: all but one of the solution's stars
    n, rows, columns = state.size, {r for r, _ in state.stars}, {c for _, c in state.stars}
    (row,), (column,) = set(range(n)) - rows, set(range(n)) - columns
    cell, region = (row, column), state.region_of[(row, column)]
    lines = [f"Reading the black dots on the board, {n - 1} stars are placed: {cells_text(state.stars)}.",
             f"Rows with a star: {', '.join(map(str, sorted(rows)))}; the only row without one is row {row}.",
             f"Columns with a star: {', '.join(map(str, sorted(columns)))}; the only column without one is column "
             f"{column}.",
             f"Every row and every column needs exactly one star, so the last star goes where row {row} meets "
             f"column {column}: {fmt_cell(cell)}.",
             f"Check the region: the placed stars lie in regions "
             f"{', '.join(str(k) for k in sorted(state.region_of[s] for s in state.stars))}, so region {region} "
             f"({colour_name(region)}) is the only one without a star, and {fmt_cell(cell)} is one of its cells.",
             f"Check that no star touches it: none of the cells around {fmt_cell(cell)} holds a star.",
             f"So the last star goes in {fmt_cell(cell)}."]
    assert not state.conflicts(cell) and sorted(state.move(cell).stars) == state.solution
    question = (intro(state) + f"The board shows {n - 1} stars of a solution; exactly one star is missing. In which "
                "cell must the last star go to complete the puzzle? Answer with the cell as (row, column).")
    return QA(question, "\n".join(lines), fmt_cell(cell))


def region_cell(rng, state):
    show_region_stars(rng, state)
    k = rng.randrange(state.size)
    gold = rng.choice(state.regions[k])
    others = [cell for cell in sorted(state.region_of) if state.region_of[cell] != k]
    if len(others) < N_OPTIONS - 1:
        raise GiveUp("region too large to leave 7 cells outside it")
    wrong = rng.sample(others, N_OPTIONS - 1)
    lines = [f"Region {k} is the {colour_name(k)} region. Its cells are: {cells_text(state.regions[k])}.",
             f"Of the option cells, only {fmt_cell(gold)} lies inside the {colour_name(k)} area. The others lie in "
             "other regions: " + "; ".join(f"{fmt_cell(cell)} in region {state.region_of[cell]} "
                                           f"({colour_name(state.region_of[cell])})" for cell in sorted(wrong)) + ".",
             f"So the cell of region {k} is {fmt_cell(gold)}."]
    question = intro(state) + (f"Some stars are placed. Region {k} is the {colour_name(k)} region. Which of the "
                               f"following cells belongs to region {k}?")
    return QA(question, "\n".join(lines), fmt_cell(gold), [fmt_cell(cell) for cell in wrong], {"region": k})


def region_star(rng, state):
    show_region_stars(rng, state)
    k = rng.randrange(state.size)
    star = next((s for s in state.stars if state.region_of[s] == k), None)
    gold = fmt_cell(star) if star else NULL
    # Deviation 3: the region's other cells, then other regions' cells, those holding a star first.
    inside = [cell for cell in state.regions[k] if cell != star]
    outside = [cell for cell in sorted(state.region_of) if state.region_of[cell] != k]
    rng.shuffle(inside)
    rng.shuffle(outside)
    outside.sort(key=lambda cell: cell not in state.stars)  # stable: random order within each group
    wrong = (inside + outside)[:N_OPTIONS - 1 - (star is not None)]
    by_text = {fmt_cell(cell): cell for cell in wrong + ([star] if star else [])}
    options = [gold] + ([NULL] if star else []) + [fmt_cell(cell) for cell in wrong]
    rng.shuffle(options)  # deviation 7: shuffled here so the analysis follows the listed order
    lines = [f"Region {k} is the {colour_name(k)} region. Its cells are: {cells_text(state.regions[k])}.",
             (f"Of these, {fmt_cell(star)} holds a black dot, a star." if star else
              f"None of these cells holds a black dot, so region {k} has no star yet."),
             "The options, in order:"]
    for option in options:
        if option == NULL:
            lines.append("- null: " + ("wrong, the region has a star." if star else "right, the region has no star."))
            continue
        cell = by_text[option]
        j = state.region_of[cell]
        lines.append(f"- {option}: in region {j} ({colour_name(j)}), "
                     f"{'holds a star' if cell in state.stars else 'empty'}"
                     + (": this is region " + str(k) + "'s star." if cell == star else "."))
    lines.append(f"So the answer is {gold}.")
    question = intro(state) + (f"Some stars are placed. Region {k} is the {colour_name(k)} region. Which of the "
                               f"following cells is a cell of region {k} that holds a star? If no star is placed in "
                               f"region {k}, choose \"null\".")
    return QA(question, "\n".join(lines), gold, options=options, given={"region": k})


RULE_TEXT = {"touch": "it touches {}", "row": "row {r} already has {}", "column": "column {c} already has {}",
             "region": "its region {k} ({colour}) already has {}"}


def stars_text(stars):
    """'the star at (1, 2)', or 'the stars at (1, 2) and (2, 4)': only touching can involve more than one, since
    the stars shown are a solution's."""
    cells = [fmt_cell(s) for s in stars]
    return f"the star at {cells[0]}" if len(cells) == 1 else f"the stars at {', '.join(cells[:-1])} and {cells[-1]}"


def why_not(state, cell):
    r, c = cell
    k = state.region_of[cell]
    return "; ".join(RULE_TEXT[rule].format(stars_text(stars), r=r, c=c, k=k, colour=colour_name(k))
                     for rule, stars in state.conflicts(cell).items())


def valid_cell(rng, state):
    show_region_stars(rng, state)
    empty = [cell for cell in sorted(state.region_of) if cell not in state.stars]
    valid = [cell for cell in empty if state.can_take_star(cell)]
    gold_cell = rng.choice(valid) if valid else None
    invalid = [cell for cell in empty if cell not in valid]
    rng.shuffle(invalid)
    invalid.sort(key=lambda cell: len(state.conflicts(cell)))  # deviation 4: near misses first, random ties
    wrong = invalid[:N_OPTIONS - 1 - (gold_cell is not None)]
    cells = wrong + ([gold_cell] if gold_cell else [])
    gold = fmt_cell(gold_cell) if gold_cell else NULL
    options = [fmt_cell(cell) for cell in cells] + [NULL]
    rng.shuffle(options)  # deviation 7
    by_text = {fmt_cell(cell): cell for cell in cells}
    rows = sorted({r for r, _ in state.stars})
    columns = sorted({c for _, c in state.stars})
    regions = sorted({state.region_of[s] for s in state.stars})
    lines = [f"Reading the black dots, the stars are at: {cells_text(state.stars)}.",
             f"Rows with a star: {', '.join(map(str, rows))}. Columns with a star: {', '.join(map(str, columns))}. "
             f"Regions with a star: {', '.join(map(str, regions))}.",
             "A cell can take a star only if it is empty, touches no star, and its row, column and region have no "
             "star yet. The options, in order:"]
    for option in options:
        if option == NULL:
            lines.append("- null: " + (f"wrong, {gold} can take a star." if gold_cell else
                                       "right, none of the option cells can take a star."))
            continue
        cell = by_text[option]
        k = state.region_of[cell]
        if cell == gold_cell:
            lines.append(f"- {option}: empty, touches no star, and row {cell[0]}, column {cell[1]} and region {k} "
                         f"({colour_name(k)}) have no star yet: it can take a star.")
        else:
            lines.append(f"- {option}: cannot, since {why_not(state, cell)}.")
    lines.append(f"So the answer is {gold}.")
    question = intro(state) + ("Some stars are placed. Which of the following cells can take a new star now, without "
                               "breaking a rule on the board as it is? Such a cell is empty, none of the 8 cells "
                               "around it holds a star, and its row, its column and its region hold no star yet; it "
                               "need not lead to a full solution. If none of the option cells can take a star, "
                               "choose \"null\".")
    return QA(question, "\n".join(lines), gold, options=options,
              given={"option_cells": [list(by_text[o]) for o in options if o != NULL]})


TASKS = [
    Task(1, "Find the location of the final star to complete the puzzle.", "State Prediction", "Hard", last_star),
    Task(2, "Given current state and an index of a region. You should identify which cell provided in the options "
            "belongs to the region.", "Target Perception", "Easy", region_cell),
    Task(3, "Given current state and a region, your task is to identify which cell provided by options belongs to "
            "this region and contains a star.", "Target Perception", "Easy", region_star),
    Task(4, "Based on the current puzzle state, your task is to identify which of the following cells provided by "
            "the options a star can be placed in.", "State Prediction", "Medium", valid_cell),
]
