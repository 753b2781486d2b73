"""Tents, a GameQA game (Game-RL, arXiv 2505.13886): Game-RL folder `tents`, multi-step reasoning, in-domain.

The game. A square n×n grid (7, 10 or 13 by plot level) whose cells are empty, hold a tree or hold a tent. A
finished grid has as many tents as trees; every tent shares an edge with at least one tree; no two tents touch,
diagonals included; and the clue beside each row and above each column gives how many tents that line holds in
the end. This is Game-RL's variant, not the standard puzzle: a tent needs only SOME tree next to it, and one tree
may serve several tents (no one-to-one pairing). The picture shows every tree and every clue but only some tents
of a solution: the others ("removed") are still to be placed. A new tent may go on a cell, without breaking a
rule at once, when (checked in this order) the cell holds no tree, holds no tent, shares an edge with a tree,
touches no tent shown (8 neighbours), and its row and its column both hold fewer tents than their clues.
Cells are written (row, column), 0-based from the top left, as the tick labels on the image show. The state is
the size, the trees, the tents shown, the tents removed and the row and column clues, plus the question's own
parameters (the queried row or column, the option cells).

Puzzles, as Game-RL draws them: the trees go on distinct uniform cells (trees may touch); every non-tree cell that
shares an edge with a tree is a tent candidate. Then, until there are as many tents as trees, a uniform tree is
picked (repeats allowed), its four neighbours are tried in a shuffled order, and a tent goes on the first
candidate; the tent and its 8 neighbours stop being candidates. After 10,000 picks the trees are redrawn. The
clues count the full tent set; then some tents are removed. Solutions are in general not unique, and no question
depends on one: every answer is a count or a check on the grid as shown.

The tasks are Game-RL's seven (its question ids, which skip 1, 2 and 7, its descriptions, qa_type and qa_level):
  0 tents shown in a row (TP, Easy, fill-in)        3 tents missing in a column (TP, Easy, fill-in)
  4 tents missing in the grid (TP, Medium, fill-in)  5 cells next to a tree (SP, Medium, fill-in)
  6 cells that can take a new tent now (SP, Hard, fill-in)
  8 which cell holds a tree (TP, Easy, MC 8)         9 which cell can take a new tent now (SP, Medium, MC 8)

Deviations from Game-RL:
  1. The number of removed tents varies: 1-3 on Easy, 2-6 on Medium, 4-10 on Hard, uniform, whose means are
     Game-RL's fixed 2, 4 and 7. With a fixed count, task 4's answer (the removed count) was the same for every
     grid of a size, so the grid size alone gave it away.
  2. Tasks 0 and 3 ask about a line whose clue is not 0, and task 3, half the time, about a column that misses
     a tent. Game-RL draws the line uniformly, so the answer was 0 for 44-72 % of the questions (by task and
     level, in our count over 2,000 grids each).
  3. Task 9's wrong options are, where the grid has them, four cells next to a tree that fail a later check (a
     tent touches them, or their row or column is full), and the rest other failing cells. Game-RL draws all
     seven uniformly among failing cells, four in five of which share an edge with no tree, so "the one option
     next to a tree" was often the answer without checking the tents or the clues.
  4. Task 5 names its rule plainly: a cell counts if it holds no tree and shares an edge with a tree. Game-RL's
     question cites "the first and the third rule" while its description says "the second rule"; we keep the
     rule numbers of the question (ours are Game-RL's 1-5), and the description says "the first and third rule".
  5. Tasks 6 and 9 list the conditions of "without breaking a rule at once" in the question, so the count does
     not depend on how a reader takes the phrase: a tent that leaves the puzzle unsolvable still counts.
  6. The picture is drawn with Pillow: a tree is a green disc on a brown trunk, a tent an orange triangle with a
     dark door (Game-RL pastes two icons with matplotlib), and the bold blue clues sit in their own band outside
     the black tick labels (Game-RL sets them a fixed n/7 cells off the grid, next to the labels).
  7. The clues are stored in `state`, with the queried line (tasks 0, 3) and the option cells (tasks 8, 9);
     Game-RL stores neither.
  8. Options are shuffled and lettered by the engine, the gold is the letter; Game-RL numbers them 1-8 and
     stores the index. The analyses of tasks 8 and 9 therefore go through the option cells in row-major order,
     not by option number.
  9. A grid on which the tent placement can no longer succeed (no candidate left) is redrawn at once rather
     than after the rest of the 10,000 picks: the same puzzles, drawn faster.
  10. The question texts and analyses are our own words, without the missing space after Game-RL's preamble
     ("grid.Given"). The rules say outright that one tree may serve several tents (Game-RL's rule 3 implies it).
"""
from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp, GRID_CONVENTION, fmt_cell, font

SIZE = {"Easy": 7, "Medium": 10, "Hard": 13}
TREES = {"Easy": 5, "Medium": 10, "Hard": 17}         # trees = tents in the solution
REMOVED = {"Easy": (1, 3), "Medium": (2, 6), "Hard": (4, 10)}  # tents not shown, drawn uniformly (deviation 1)
PICKS = 10_000      # tree picks per tent placement attempt (Game-RL's cap), then the trees are redrawn
REDRAWS = 1_000     # never reached: over 2,000 grids per level, 1.01-1.03 draws on average, 3 at most
OPTIONS = 8
NEAR_MISSES = 4     # task 9's distractors next to a tree, where the grid has that many (deviation 3)
EDGE = ((-1, 0), (1, 0), (0, -1), (0, 1))  # up, down, left, right
AROUND = tuple((dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if dr or dc)


# ---------------------------------------------------------------------------------------------------------
# The game: the grid, the placement check and the generator

class Tents:
    def __init__(self, size, trees, tents, removed, row_targets, col_targets):
        self.size = size
        self.trees, self.tents, self.removed = sorted(trees), sorted(tents), sorted(removed)
        self.row_targets, self.col_targets = list(row_targets), list(col_targets)
        self.tree_set, self.tent_set = set(self.trees), set(self.tents)

    def cells(self):
        return [(r, c) for r in range(self.size) for c in range(self.size)]

    def inside(self, cell):
        return 0 <= cell[0] < self.size and 0 <= cell[1] < self.size

    def edge_neighbours(self, cell):
        return [(cell[0] + dr, cell[1] + dc) for dr, dc in EDGE if self.inside((cell[0] + dr, cell[1] + dc))]

    def touching(self, cell):
        return [(cell[0] + dr, cell[1] + dc) for dr, dc in AROUND if self.inside((cell[0] + dr, cell[1] + dc))]

    def trees_next_to(self, cell):
        return sorted(x for x in self.edge_neighbours(cell) if x in self.tree_set)

    def tents_in_row(self, r):
        return [x for x in self.tents if x[0] == r]

    def tents_in_column(self, c):
        return [x for x in self.tents if x[1] == c]

    def why_not(self, cell):
        """The first rule a new tent on `cell` would break at once, in Game-RL's order, or None if it may go."""
        r, c = cell
        if cell in self.tree_set:
            return "it holds a tree"
        if cell in self.tent_set:
            return "it already holds a tent"
        if not self.trees_next_to(cell):
            return "no tree shares an edge with it"
        touched = [x for x in self.touching(cell) if x in self.tent_set]
        if touched:
            return f"it touches the tent at {fmt_cell(touched[0])}"
        if len(self.tents_in_row(r)) >= self.row_targets[r]:
            return f"row {r} already holds {tents(self.row_targets[r])}, as many as its blue number"
        if len(self.tents_in_column(c)) >= self.col_targets[c]:
            return f"column {c} already holds {tents(self.col_targets[c])}, as many as its blue number"
        return None

    def move(self, cell):
        """Place a tent on `cell`. A placement that breaks a rule at once is not made: the same state comes back."""
        if self.why_not(cell) is not None:
            return self
        return Tents(self.size, self.trees, self.tents + [cell], [x for x in self.removed if x != cell],
                     self.row_targets, self.col_targets)

    def to_json(self):
        return {"size": self.size, "trees": [list(x) for x in self.trees], "tents": [list(x) for x in self.tents],
                "removed": [list(x) for x in self.removed], "row_targets": self.row_targets,
                "col_targets": self.col_targets}


def tents(k):
    return f"{k} tent" if k == 1 else f"{k} tents"


def draw_solution(rng, n, count):
    """Game-RL's generator: trees on distinct uniform cells, then tents next to uniformly picked trees. Returns
    (trees, tents), or None when the placement gets stuck and the trees must be redrawn."""
    cells = [(r, c) for r in range(n) for c in range(n)]
    trees = rng.sample(cells, count)
    tree_set = set(trees)
    candidates = {(r + dr, c + dc) for r, c in trees for dr, dc in EDGE
                  if 0 <= r + dr < n and 0 <= c + dc < n} - tree_set
    tents = []
    for _ in range(PICKS):
        if len(tents) == count:
            break
        if not candidates:  # no pick can place a tent any more (deviation 9)
            return None
        r, c = rng.choice(trees)
        sides = list(EDGE)
        rng.shuffle(sides)
        cell = next(((r + dr, c + dc) for dr, dc in sides if (r + dr, c + dc) in candidates), None)
        if cell is not None:
            tents.append(cell)
            candidates -= {cell} | {(cell[0] + dr, cell[1] + dc) for dr, dc in AROUND}
    return (trees, tents) if len(tents) == count else None


def new_state(rng, plot_level):
    n, count = SIZE[plot_level], TREES[plot_level]
    for _ in range(REDRAWS):
        solution = draw_solution(rng, n, count)
        if solution is not None:
            break
    else:
        raise RuntimeError(f"tents: no {n}×{n} grid with {count} tents in {REDRAWS} draws")
    trees, tents = solution
    removed = rng.sample(sorted(tents), rng.randint(*REMOVED[plot_level]))
    shown = [x for x in tents if x not in removed]
    return Tents(n, trees, shown, removed, [sum(x[0] == r for x in tents) for r in range(n)],
                 [sum(x[1] == c for x in tents) for c in range(n)])


# ---------------------------------------------------------------------------------------------------------
# The image: about 510 px square, the grid 440 px wide. Blue clues outermost, then black tick labels, then the
# grid, so clue and label never overlap (Game-RL's do on 13×13).

GRID_PX, CLUE_SLOT, TICK_SLOT, END = 440, 34, 30, 12
CLUE_BLUE, TREE_GREEN, TRUNK_BROWN = (0, 51, 204), (34, 139, 34), (120, 72, 30)
TENT_ORANGE, DOOR_DARK = (230, 126, 34), (70, 35, 10)


def layout(n):
    """(cell size, pixel of the grid's top-left corner, image side)."""
    cell = GRID_PX // n
    origin = CLUE_SLOT + TICK_SLOT
    return cell, origin, origin + n * cell + END


def draw_tree(draw, x, y, s):
    draw.rectangle((x + 0.43 * s, y + 0.55 * s, x + 0.57 * s, y + 0.88 * s), fill=TRUNK_BROWN)
    draw.ellipse((x + 0.2 * s, y + 0.12 * s, x + 0.8 * s, y + 0.72 * s), fill=TREE_GREEN)


def draw_tent(draw, x, y, s):
    draw.polygon([(x + 0.12 * s, y + 0.86 * s), (x + 0.5 * s, y + 0.14 * s), (x + 0.88 * s, y + 0.86 * s)],
                 fill=TENT_ORANGE, outline=DOOR_DARK)
    draw.polygon([(x + 0.4 * s, y + 0.86 * s), (x + 0.5 * s, y + 0.58 * s), (x + 0.6 * s, y + 0.86 * s)],
                 fill=DOOR_DARK)


def render(state):
    n = state.size
    cell, origin, side = layout(n)
    image = Image.new("RGB", (side, side), "white")
    draw = ImageDraw.Draw(image)
    tick_font, clue_font = font(18 if n < 13 else 16), font(22)
    for k in range(n):
        middle = origin + k * cell + cell / 2
        draw.text((origin - TICK_SLOT / 2, middle), str(k), fill="black", font=tick_font, anchor="mm")  # row k
        draw.text((middle, origin - TICK_SLOT / 2), str(k), fill="black", font=tick_font, anchor="mm")  # column k
        draw.text((CLUE_SLOT / 2, middle), str(state.row_targets[k]), fill=CLUE_BLUE, font=clue_font, anchor="mm",
                  stroke_width=1, stroke_fill=CLUE_BLUE)  # the stroke makes it bold
        draw.text((middle, CLUE_SLOT / 2), str(state.col_targets[k]), fill=CLUE_BLUE, font=clue_font, anchor="mm",
                  stroke_width=1, stroke_fill=CLUE_BLUE)
    for k in range(n + 1):
        at = origin + k * cell
        width = 2 if k in (0, n) else 1
        draw.line([(origin, at), (origin + n * cell, at)], fill="black", width=width)
        draw.line([(at, origin), (at, origin + n * cell)], fill="black", width=width)
    for r, c in state.trees:
        draw_tree(draw, origin + c * cell, origin + r * cell, cell)
    for r, c in state.tents:
        draw_tent(draw, origin + c * cell, origin + r * cell, cell)
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

def intro(state):
    n = state.size
    return ("This is a Tents puzzle. Each cell of the grid is empty, holds a tree or holds a tent. The goal is to "
            "place tents one at a time until none is missing, following these rules:\n"
            "1. Cell states: a cell is in exactly one of three states: empty, a tree, or a tent.\n"
            "2. As many tents as trees: in the end the number of tents equals the number of trees.\n"
            "3. Next to a tree: every tent shares an edge (up, down, left or right; a diagonal does not count) with "
            "at least one tree. One tree may serve several tents.\n"
            "4. No touching: no two tents are next to each other, diagonals included.\n"
            "5. Clues: the blue number left of a row or above a column is how many tents that line holds in the "
            "end.\n\n"
            "In the picture a tree is a green disc on a brown trunk and a tent is an orange triangle with a dark "
            f"door. The black numbers are the row and column labels. The grid is {n}×{n}. "
            + GRID_CONVENTION.format(last_r=n - 1, last_c=n - 1)
            + " Only some of the tents of a solution are drawn; the others are still missing.\n\n**Question:** ")


NEW_TENT_RULE = ("A new tent may go on a cell if the cell holds no tree and no tent, shares an edge with a tree, "
                 "touches no tent drawn (diagonals included), and its row and its column both hold fewer tents "
                 "than their blue numbers. The tent need not be part of a full solution.")


def cells_text(cells):
    return ", ".join(fmt_cell(x) for x in cells)


def tents_in_row(rng, state):
    row = rng.choice([r for r in range(state.size) if state.row_targets[r] > 0])  # deviation 2
    found = state.tents_in_row(row)
    counted = ("there are none, so 0" if not found else f"there is 1, at {cells_text(found)}" if len(found) == 1
               else f"there are {len(found)}, at {cells_text(found)}")
    question = intro(state) + f"How many tents are drawn in row {row} now? Answer with one number."
    analysis = f"Go along row {row} and count the tents drawn: {counted}."
    return QA(question, analysis, str(len(found)), given={"row": row})


def missing_in_column(rng, state):
    short = sorted({c for _, c in state.removed})
    clued = [c for c in range(state.size) if state.col_targets[c] > 0]
    column = rng.choice(short if rng.random() < 0.5 else clued)  # deviation 2
    found, target = state.tents_in_column(column), state.col_targets[column]
    question = (intro(state) + f"How many tents are still missing in column {column}? Answer with one number.")
    analysis = (f"The blue number above column {column} is {target}: the column holds {tents(target)} in the end. "
                f"Tents drawn in column {column}: " + (cells_text(found) if found else "none")
                + f", so {len(found)}. Missing: {target} - {len(found)} = {target - len(found)}.")
    return QA(question, analysis, str(target - len(found)), given={"column": column})


def missing_in_grid(rng, state):
    total = sum(state.col_targets)
    question = intro(state) + "How many tents are still missing in the whole grid? Answer with one number."
    analysis = (f"The blue numbers above the columns add up to the tents of the finished grid: "
                f"{' + '.join(map(str, state.col_targets))} = {total}. The grid shows {tents(len(state.tents))}: "
                f"{cells_text(state.tents)}. Missing: {total} - {len(state.tents)} = {total - len(state.tents)}.")
    return QA(question, analysis, str(total - len(state.tents)))


def cells_next_to_trees(rng, state):
    per_tree, union = [], set()
    for tree in state.trees:
        free = [x for x in state.edge_neighbours(tree) if x not in state.tree_set]
        union |= set(free)
        per_tree.append(f"Tree at {fmt_cell(tree)}: " + (cells_text(free) if free else
                                                         "none (its neighbours are trees or off the grid)") + ".")
    question = (intro(state) + "Use only the trees and rules 1 and 3, ignoring the tents drawn and the other "
                "rules: how many cells could hold a tent? A cell counts if it holds no tree and shares an edge with "
                "at least one tree; cells that already hold a tent count too. Answer with one number.")
    analysis = ("The trees: " + cells_text(state.trees) + ".\nFor each tree, the cells inside the grid that share "
                "an edge with it and hold no tree:\n" + "\n".join(per_tree)
                + f"\nWithout repeats these are {cells_text(sorted(union))}: {len(union)} cells.")
    return QA(question, analysis, str(len(union)))


def next_trees(state, cell):
    trees = state.trees_next_to(cell)
    return ("the tree at " if len(trees) == 1 else "the trees at ") + cells_text(trees)


def still_needed(state, cell):
    r, c = cell
    return (f"row {r} still needs {state.row_targets[r] - len(state.tents_in_row(r))} more and column {c} still "
            f"needs {state.col_targets[c] - len(state.tents_in_column(c))} more")


def new_tent_cells(rng, state):
    valid = [x for x in state.cells() if state.why_not(x) is None]
    lines = [f"{fmt_cell(x)} can take a tent: it shares an edge with {next_trees(state, x)}, touches no tent, and "
             f"{still_needed(state, x)}." for x in valid]
    question = (intro(state) + "How many cells could take a new tent right now without breaking a rule at once? "
                + NEW_TENT_RULE + " Answer with one number.")
    analysis = ("Check every cell of the grid, row by row. The cells that pass every condition:\n" + "\n".join(lines)
                + f"\nSo {len(valid)} cell{'' if len(valid) == 1 else 's'} could take a new tent.")
    return QA(question, analysis, str(len(valid)))


def which_tree(rng, state):
    tree = rng.choice(state.trees)
    others = rng.sample([x for x in state.cells() if x not in state.tree_set], OPTIONS - 1)
    option_cells = sorted([tree] + others)
    lines = [f"{fmt_cell(x)} " + ("holds a tree" if x == tree else
                                  "holds a tent" if x in state.tent_set else "is empty") + "." for x in option_cells]
    question = intro(state) + "Which of these cells holds a tree?"
    analysis = ("Look at each option cell in the picture:\n" + "\n".join(lines)
                + f"\nSo the tree is at {fmt_cell(tree)}.")
    return QA(question, analysis, fmt_cell(tree), [fmt_cell(x) for x in others],
              given={"option_cells": [list(x) for x in option_cells]})


def which_new_tent(rng, state):
    if not state.removed:
        raise GiveUp("no tent is missing")
    gold = rng.choice(state.removed)  # next to a tree, touching no tent, its row and column still short
    failing = [x for x in state.cells() if state.why_not(x) is not None]
    near = [x for x in failing if x not in state.tree_set and x not in state.tent_set and state.trees_next_to(x)]
    wrong = rng.sample(near, min(NEAR_MISSES, len(near)))
    wrong += rng.sample([x for x in failing if x not in wrong], OPTIONS - 1 - len(wrong))
    option_cells = sorted([gold] + wrong)
    lines = []
    for x in option_cells:
        reason = state.why_not(x)
        lines.append(f"{fmt_cell(x)} cannot take a tent: {reason}." if reason else
                     f"{fmt_cell(x)} can take a tent: it shares an edge with {next_trees(state, x)}, touches no "
                     f"tent, and {still_needed(state, x)}.")
    question = (intro(state) + "Which of these cells could take a new tent right now without breaking a rule at "
                "once? " + NEW_TENT_RULE)
    analysis = ("Check each option cell against the conditions, in order:\n" + "\n".join(lines)
                + f"\nSo the new tent can go on {fmt_cell(gold)}.")
    return QA(question, analysis, fmt_cell(gold), [fmt_cell(x) for x in wrong],
              given={"option_cells": [list(x) for x in option_cells]})


TASKS = [
    Task(0, "how many tents are there in a randomly selected row currently?", "Target Perception", "Easy",
         tents_in_row),
    Task(3, "how many tents are still missing in a randomly selected column?", "Target Perception", "Easy",
         missing_in_column),
    Task(4, "how many tents are still missing in the entire grid?", "Target Perception", "Medium", missing_in_grid),
    Task(5, "Given the tree positions and considering only the first and third rule, how many positions in the "
            "entire grid are available to place tents (including those already occupied by tents)?",
         "State Prediction", "Medium", cells_next_to_trees),
    Task(6, "how many positions in the grid are available to place a new tent without breaking the game rules "
            "immediately (it does not have to be a part of a whole solution to the puzzle)?",
         "State Prediction", "Hard", new_tent_cells),
    Task(8, "which of the following positions contains a tree?", "Target Perception", "Easy", which_tree),
    Task(9, "which of the following positions is available to place a new tent?", "State Prediction", "Medium",
         which_new_tent),
]
