"""Sudoku, played with colours instead of digits (Game-RL folder src/sudoku/; multi-step reasoning; out-of-domain).

Rules. An n×n board (n = 4 or 9) is split into √n×√n boxes and there are n colours. In a solved board every row,
every column and every box holds each colour exactly once. Empty cells are white. The candidates of an empty
cell are the colours absent from its row, its column and its box on the current board (no deeper logic); a cell
with exactly one candidate is forced.

Levels, as Game-RL's generator draws them: Easy is 4×4 with 6 or 8 empty cells (int(16 × 40 %), int(16 × 50 %)),
Medium is 9×9 with 8 (int(81 × 10 %)), Hard is 9×9 with 16 or 24 (20 %, 30 %). The solved board is Game-RL's:
random permutations in the diagonal boxes, completed by a row-major backtracking search trying values in
ascending order; cells are then emptied in random order.

Coordinates, as Game-RL states them in every question: (row, column), 1-based, rows numbered 1..n from top to
bottom and columns 1..n from left to right, as the labels on the image show. `state` is Game-RL's board state
(size; board, 0 = empty and k = the k-th colour; colors, the hex values) plus the colour names; the cells a
question names are stored 1-based, [row, column], as the question writes them.

Deviations from Game-RL:
  1. Every puzzle has exactly one solution. Game-RL empties a cell only if a uniqueness check passes, but that
     check returns at the first solution and never reports a second, so every tried cell is emptied: in our
     count 21 % of 4×4 boards with 8 random blanks and 7 % of 9×9 boards with 24 have several solutions. Here a
     cell is emptied only if the solution count, searched up to 2, stays 1; a board on which that cannot reach
     the level's blank count (about half the 4×4 boards) is redrawn, so the blank counts are exact.
  2. Task 5 asks about a cell the two determinations matter for. Game-RL takes c1 and c2 as the first forced
     cells in row-major order and c3 as the next forced cell, which was often forced before c1 and c2 were
     filled. Here c1 is forced on the board shown and c2 once c1 is filled; c3 has two or more candidates on
     the board shown and after c1 alone, and exactly one once c2 is filled too, so c2's colour is needed.
     Where the board allows it (half the 4×4 boards, most Hard ones, few Medium ones: 8 blanks are few), c1's
     colour is needed too: c2 is not forced without it, or c2 alone leaves c3 open. The triple is drawn at
     random among those.
  3. Options are shuffled by the engine and lettered A, B, …; Game-RL lists them in a fixed order ("A.red",
     "B.green", …), so its letter is the colour's index, a prior a model can learn.
  4. Colours: Game-RL's names (red, green, blue, magenta, yellow, aqua, gray, purple, forest green) include near
     pairs ("green" and "forest green", "magenta" and "purple"), and its code and its released images use two
     different palettes. Here the nine colours are basic colour terms in clearly different hues (red, green,
     blue, yellow, orange, purple, pink, brown, gray; a 4×4 board uses the first four), and `state` stores both
     names and hex values.
  5. A board that does not fit a task (no task-5 triple; for task 6, no empty cell with two or more candidates
     or no chain of forced cells to it) is replaced: the task raises GiveUp and the engine draws another board.
     Game-RL answers another task under the same question id instead (task 5 falls back to task 3, task 3 to
     task 1).
  6. Task 3's qa_type is State Prediction, as in data_generator.py and the released examples;
     data_generator_all_questions.py labels it Strategy Optimization.
  7. The searches run under step budgets (Game-RL's have none). A solved-board search that runs past its budget
     redraws the diagonal boxes (one board in ten; one in a hundred needs 200 times the median search), and a
     uniqueness check that runs past its budget keeps the cell filled.
  8. Task 6 is ours; Game-RL has no such task. It asks the colour that an empty cell with two or more
     candidates has in the solution; its analysis is a chain of forced cells that reaches it, with every fill
     the chain does not need dropped. It is sound because every solution is unique (1).
"""
from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp, Budget, font

SIZE = {"Easy": 4, "Medium": 9, "Hard": 9}
BLANKS = {"Easy": (6, 8), "Medium": (8,), "Hard": (16, 24)}  # empty cells; one count drawn per board
PALETTE = [("red", "#E02424"), ("green", "#2CA02C"), ("blue", "#1F4FE0"), ("yellow", "#FFE119"),
           ("orange", "#FF8C1A"), ("purple", "#8B3FC8"), ("pink", "#FF8FCB"), ("brown", "#8B4513"),
           ("gray", "#8C8C8C")]
FILL_BUDGET = 2_000    # nodes to complete the diagonal boxes: 9 boards in 10 need fewer, 1 in 100 over 30,000
COUNT_BUDGET = 20_000  # search nodes per uniqueness check
MAX_BOARDS = 50        # solved boards per puzzle; one 4×4 board in two cannot keep 8 blanks with one solution


class Sudoku:
    def __init__(self, board):
        self.board = [list(row) for row in board]  # 0 = empty, k = PALETTE[k - 1]
        self.n = len(board)
        self.box = int(round(self.n ** 0.5))
        self.names = [name for name, _ in PALETTE[:self.n]]

    def move(self, cell, value):
        """The board with the 0-based cell set to `value` (0 empties it). No rule check: see `candidates`."""
        board = [list(row) for row in self.board]
        board[cell[0]][cell[1]] = value
        return Sudoku(board)

    def row_values(self, r):
        return [v for v in self.board[r] if v]

    def column_values(self, c):
        return [self.board[i][c] for i in range(self.n) if self.board[i][c]]

    def box_values(self, r, c):
        r0, c0 = r - r % self.box, c - c % self.box
        return [self.board[i][j] for i in range(r0, r0 + self.box) for j in range(c0, c0 + self.box)
                if self.board[i][j]]

    def candidates(self, r, c):
        used = set(self.row_values(r) + self.column_values(c) + self.box_values(r, c))
        return [v for v in range(1, self.n + 1) if v not in used]

    def empties(self):
        return [(r, c) for r in range(self.n) for c in range(self.n) if not self.board[r][c]]

    def forced(self):
        """The empty cells with exactly one candidate, in row-major order, as (cell, value)."""
        out = []
        for r, c in self.empties():
            values = self.candidates(r, c)
            if len(values) == 1:
                out.append(((r, c), values[0]))
        return out

    def to_json(self):
        return {"size": self.n, "board": self.board, "colors": [code for _, code in PALETTE[:self.n]],
                "color_names": self.names}


class Units:
    """The colours used in each row, column and box of a board that a search fills and empties in place, so
    that a cell's candidates take three set lookups per colour instead of a scan of its row, column and box."""

    def __init__(self, state):
        self.state = state
        self.rows = [set() for _ in range(state.n)]
        self.columns = [set() for _ in range(state.n)]
        self.boxes = [set() for _ in range(state.n)]  # numbered row-major, box_of(r, c)
        for r in range(state.n):
            for c in range(state.n):
                if state.board[r][c]:
                    self.set(r, c, state.board[r][c])

    def box_of(self, r, c):
        b = self.state.box
        return r // b * b + c // b

    def candidates(self, r, c):
        row, column, box = self.rows[r], self.columns[c], self.boxes[self.box_of(r, c)]
        return [v for v in range(1, self.state.n + 1) if v not in row and v not in column and v not in box]

    def set(self, r, c, v):
        self.state.board[r][c] = v
        for used in (self.rows[r], self.columns[c], self.boxes[self.box_of(r, c)]):
            used.add(v)

    def clear(self, r, c):
        v, self.state.board[r][c] = self.state.board[r][c], 0
        for used in (self.rows[r], self.columns[c], self.boxes[self.box_of(r, c)]):
            used.discard(v)


def solved_board(rng, n):
    """Game-RL's full board: random permutations in the diagonal boxes (which share no row, column or box), then
    the first completion of a row-major backtracking search that tries values in ascending order."""
    state = Sudoku([[0] * n for _ in range(n)])
    b = state.box
    for k in range(0, n, b):
        colours = rng.sample(range(1, n + 1), n)
        for i in range(n):
            state.board[k + i // b][k + i % b] = colours[i]
    units, cells, budget = Units(state), state.empties(), Budget(FILL_BUDGET)

    def fill(k):
        budget.tick()
        if k == len(cells):
            return True
        r, c = cells[k]
        for v in units.candidates(r, c):
            units.set(r, c, v)
            if fill(k + 1):
                return True
            units.clear(r, c)
        return False
    if not fill(0):
        raise GiveUp("these diagonal boxes have no completion")
    return state


def solution_count(state, limit, budget):
    """The number of solutions, counted no further than `limit`, by depth-first search that always branches on
    the empty cell with the fewest candidates."""
    units, cells, found = Units(Sudoku(state.board)), state.empties(), 0

    def search():
        nonlocal found
        budget.tick()
        options = [(cell, units.candidates(*cell)) for cell in cells if not units.state.board[cell[0]][cell[1]]]
        if not options:
            found += 1
            return
        cell, values = min(options, key=lambda option: len(option[1]))
        for v in values:
            units.set(*cell, v)
            search()
            units.clear(*cell)
            if found >= limit:
                return
    search()
    return found


def keeps_one_solution(trial, cell):
    """Whether `trial` (a one-solution board with `cell` just emptied) still has exactly one solution."""
    if len(trial.candidates(*cell)) == 1:  # the emptied cell is forced back to its colour: same solutions as before
        return True
    try:
        return solution_count(trial, 2, Budget(COUNT_BUDGET)) == 1
    except GiveUp:
        return False  # undecided within the budget: keep the cell filled


def new_state(rng, plot_level):
    n, blanks = SIZE[plot_level], rng.choice(BLANKS[plot_level])
    for _ in range(MAX_BOARDS):
        try:
            state = solved_board(rng, n)
        except GiveUp:
            continue
        for r, c in rng.sample([(r, c) for r in range(n) for c in range(n)], n * n):  # each cell tried once
            if len(state.empties()) == blanks:
                break
            trial = state.move((r, c), 0)
            if keeps_one_solution(trial, (r, c)):
                state = trial
        if len(state.empties()) == blanks:
            return state
    raise RuntimeError(f"sudoku: no {n}×{n} board kept {blanks} empty cells with one solution in {MAX_BOARDS} tries")


# ---------------------------------------------------------------------------------------------------------
# The image: Game-RL's layout (480-px board, 30-px margins, labels 1..n, 2-px lines around boxes, 1-px inside)

PAD = 30


def render(state):
    n, b = state.n, state.box
    cell = 480 // n  # 120 px (4×4) or 53 px (9×9): a 540 or 537 px square image
    side = n * cell
    image = Image.new("RGB", (side + 2 * PAD, side + 2 * PAD), "white")
    draw = ImageDraw.Draw(image)
    label_font = font(20)
    for i in range(n):
        draw.text((PAD / 2, PAD + i * cell + cell / 2), str(i + 1), fill="black", font=label_font, anchor="mm")
        draw.text((PAD + i * cell + cell / 2, PAD / 2), str(i + 1), fill="black", font=label_font, anchor="mm")
    for r in range(n):
        for c in range(n):
            if state.board[r][c]:
                x, y = PAD + c * cell, PAD + r * cell
                draw.rectangle((x, y, x + cell, y + cell), fill=PALETTE[state.board[r][c] - 1][1])
    for i in range(n + 1):
        width, edge = (2 if i % b == 0 else 1), PAD + i * cell
        draw.line((edge, PAD, edge, PAD + side), fill="black", width=width)
        draw.line((PAD, edge, PAD + side, edge), fill="black", width=width)
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks (Game-RL's question ids 1-5, then ours)

def intro(state):
    n, b = state.n, state.box
    return (f"This is a colour Sudoku on a {n}×{n} board divided by thick lines into {b}×{b} boxes. Each cell is "
            f"either empty (white) or filled with one of the {n} colours {', '.join(state.names)}. In a solved "
            f"board every row, every column and every {b}×{b} box holds each of the {n} colours exactly once; this "
            "puzzle has exactly one solution. Cells are written (row, column): rows are numbered 1 to "
            f"{n} from top to bottom and columns 1 to {n} from left to right, as the labels on the image show.")


def at(cell):
    """A 0-based cell as the text writes it: (row, column), 1-based."""
    return f"({cell[0] + 1}, {cell[1] + 1})"


def stored(cell):
    return [cell[0] + 1, cell[1] + 1]


def plural(k, noun):
    return noun if k == 1 else noun + "s"


def count_of(k, noun):
    return f"{k} {plural(k, noun)}"


def names(state, values):
    return ", ".join(state.names[v - 1] for v in values) or "none"


def others(state, name):
    return [x for x in state.names if x != name]


def constraint_lines(state, cell):
    """The three numbered lines Game-RL's traces give for a cell: the colours already in its row, column, box."""
    r, c = cell
    return [f"1. Colours in row {r + 1}: {names(state, state.row_values(r))}",
            f"2. Colours in column {c + 1}: {names(state, state.column_values(c))}",
            f"3. Colours in its {state.box}×{state.box} box: {names(state, state.box_values(r, c))}"]


def colour_at(rng, state):
    cell = rng.choice([(r, c) for r in range(state.n) for c in range(state.n) if state.board[r][c]])
    colour = state.names[state.board[cell[0]][cell[1]] - 1]
    question = intro(state) + f"\n\nWhat colour is the cell at {at(cell)}? That cell is already filled."
    analysis = (f"Row {cell[0] + 1} by the labels on the left and column {cell[1] + 1} by the labels on top: "
                f"the cell {at(cell)} is {colour}.")
    return QA(question, analysis, colour, others(state, colour), {"cell": stored(cell)})


def colour_count(rng, state):
    value = rng.randint(1, state.n)
    colour = state.names[value - 1]
    cells = [(r, c) for r in range(state.n) for c in range(state.n) if state.board[r][c] == value]
    question = intro(state) + f"\n\nHow many cells of the board are {colour}?"
    analysis = (f"The {colour} cells are at {', '.join(at(cell) for cell in cells)}: {len(cells)} in total." if cells
                else f"No cell is {colour}: 0 in total.")
    return QA(question, analysis, str(len(cells)), given={"colour": colour})


def candidate_count(rng, state):
    cell = rng.choice(state.empties())  # every level leaves cells empty
    values = state.candidates(*cell)
    question = (intro(state) + f"\n\nLooking only at the colours already on the board in its row, its column and "
                f"its box, how many colours could go in the empty cell {at(cell)}?")
    analysis = "\n".join([f"The colours already around {at(cell)}:", *constraint_lines(state, cell),
                          f"4. The colours in none of these lists: {names(state, values)}",
                          f"So {count_of(len(values), 'colour')} could go there."])
    return QA(question, analysis, str(len(values)), given={"cell": stored(cell)})


def crowded_lines(rng, state):
    line, more_than = rng.choice(["row", "column"]), rng.randint(1, 2)
    clauses, count = [], 0
    for i in range(state.n):
        cells = [(i, j) if line == "row" else (j, i) for j in range(state.n)]
        gaps = [j + 1 for j, (r, c) in enumerate(cells) if not state.board[r][c]]
        count += len(gaps) > more_than
        where = f" ({plural(len(gaps), 'column' if line == 'row' else 'row')} {', '.join(map(str, gaps))})"
        clauses.append(f"{line} {i + 1} has {count_of(len(gaps), 'empty cell')}" + (where if gaps else ""))
    question = (intro(state) + f"\n\nHow many {line}s have more than {more_than} empty "
                f"cell{'s' if more_than > 1 else ''}?")
    analysis = "; ".join(clauses) + (f".\nSo {count_of(count, line)} {'has' if count == 1 else 'have'} more than "
                                     f"{count_of(more_than, 'empty cell')}.")
    return QA(question, analysis, str(count), given={"line": line, "more_than": more_than})


def deduction_triples(state):
    """Every (c1, c2, c3, both), in row-major order, where c1 is forced on the board, c2 is forced once c1 is
    filled, and c3 has two or more candidates on the board and still after c1 alone but exactly one once c2 is
    filled too, so c2's colour is needed. `both` says whether c1's colour is needed as well: c2 is not forced
    without it, or c2's colour alone leaves c3 open. Filling a cell with v only takes v from the candidates of
    the cells that share a row, column or box with it, so the candidates are computed once."""
    b = state.box

    def minus(values, cell, filled, v):  # the candidates of `cell` once `filled` holds v
        same_box = (cell[0] // b, cell[1] // b) == (filled[0] // b, filled[1] // b)
        return values - {v} if cell[0] == filled[0] or cell[1] == filled[1] or same_box else values
    before = {cell: set(state.candidates(*cell)) for cell in state.empties()}
    triples = []
    for c1, v1 in [(cell, min(vs)) for cell, vs in before.items() if len(vs) == 1]:
        after1 = {cell: minus(vs, cell, c1, v1) for cell, vs in before.items() if cell != c1}
        for c2, v2 in [(cell, min(vs)) for cell, vs in after1.items() if len(vs) == 1]:
            for c3, vs in after1.items():
                if c3 != c2 and len(vs) >= 2 and len(minus(vs, c3, c2, v2)) == 1:
                    both = len(before[c2]) >= 2 or len(minus(before[c3], c3, c2, v2)) >= 2
                    triples.append((c1, c2, c3, both))
    return triples


def guided_deduction(rng, state):
    triples = deduction_triples(state)
    if not triples:
        raise GiveUp("no cell is forced only after two forced cells are filled")
    c1, c2, c3, _ = rng.choice([t for t in triples if t[3]] or triples)  # both colours needed, where any such
    (v1,) = state.candidates(*c1)
    after1 = state.move(c1, v1)
    (v2,) = after1.candidates(*c2)
    after2 = after1.move(c2, v2)
    (v3,) = after2.candidates(*c3)
    colour = state.names[v3 - 1]
    question = (intro(state) + f"\n\nFirst fill the empty cell {at(c1)} with the only colour its row, column and "
                f"box allow; then do the same for the empty cell {at(c2)}. After these two cells are determined, "
                f"which colour must the empty cell {at(c3)} have?")
    analysis = "\n".join([
        f"Step 1: {at(c1)} must be {state.names[v1 - 1]}:", *constraint_lines(state, c1),
        f"4. The only colour left is {state.names[v1 - 1]}.",
        f"Step 2: with {at(c1)} filled, {at(c2)} must be {state.names[v2 - 1]}:", *constraint_lines(after1, c2),
        f"4. The only colour left is {state.names[v2 - 1]}.",
        f"Finally {at(c3)}: it allowed {names(state, state.candidates(*c3))} on the board shown and "
        f"{names(after1, after1.candidates(*c3))} after step 1; after step 2:",
        *constraint_lines(after2, c3), f"4. The only colour left is {colour}."])
    return QA(question, analysis, colour, others(state, colour),
              {"determined": [stored(c1), stored(c2)], "cell": stored(c3)})


def is_forced_chain(state, steps):
    """Whether each (cell, value) of `steps`, filled in order, is the only candidate of its cell at its turn."""
    for cell, value in steps:
        if state.candidates(*cell) != [value]:
            return False
        state = state.move(cell, value)
    return True


def solved_colour(rng, state):
    open_cells = [c for c in state.empties() if len(state.candidates(*c)) >= 2]
    if not open_cells:
        raise GiveUp("every empty cell is forced already")
    cell = rng.choice(open_cells)
    steps, s = [], state
    while not s.board[cell[0]][cell[1]]:  # fill forced cells, the asked one as soon as it is forced
        forced = s.forced()
        if not forced:
            raise GiveUp("forced cells alone do not reach the asked cell")
        steps.append(next(((c, v) for c, v in forced if c == cell), forced[0]))
        s = s.move(*steps[-1])
    for i in reversed(range(len(steps) - 1)):  # drop every fill the rest of the chain does not need
        if is_forced_chain(state, steps[:i] + steps[i + 1:]):
            steps = steps[:i] + steps[i + 1:]
    colour = state.names[steps[-1][1] - 1]
    question = intro(state) + f"\n\nWhich colour must the empty cell {at(cell)} have in the solution?"
    analysis = "\n".join([f"{at(cell)} allows {names(state, state.candidates(*cell))} on the board shown. Fill, one "
                          "at a time, empty cells whose row, column and box leave a single colour:",
                          *[f"{at(c)} allows only {state.names[v - 1]}." for c, v in steps],
                          f"So {at(cell)} is {colour}."])
    return QA(question, analysis, colour, others(state, colour), {"cell": stored(cell)})


TASKS = [
    Task(1, "Check color state at position", "Target Perception", "Easy", colour_at),
    Task(2, "Count occurrences of specific color", "Target Perception", "Easy", colour_count),
    Task(3, "Analyze possible colors to fill", "State Prediction", "Medium", candidate_count),
    Task(4, "Count regions with empty cells exceeding threshold", "Target Perception", "Medium", crowded_lines),
    Task(5, "Multi-step deductive reasoning with constraints analysis", "State Prediction", "Hard", guided_deduction),
    Task(6, "Colour of an empty cell in the unique solution", "Strategy Optimization", "Hard", solved_colour),  # ours
]
