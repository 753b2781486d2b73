"""Minesweeper (Game-RL folder `minesweeper`; multi-step reasoning; out-of-domain, held out).

The game. An R×R board hides M mines. Revealing a mine ends the game; a revealed safe cell shows how many of its up
to 8 neighbours (diagonals included) are mines, and revealing a 0 also reveals its neighbours, spreading on through
further 0 cells. A flag marks a covered cell as a mine. A board is made as in Game-RL: the first click is a uniform
cell, the mines are placed uniformly outside that cell and its 8 neighbours (so the click is a 0 and floods open a
region), and an auto-flagger scans row by row and flags covered mines next to the revealed region, up to k of
them (k uniform in 2..4). Boards: Easy 4×4 / 3 mines, Medium 5×5 / 5, Hard 6×6 / 8.
Cells are (row, column), 0-based, (0, 0) top-left, as the image's tick labels show.

Tasks (Game-RL's question_ids 0–5; qa_level is fixed per task, whatever the board):
  0 flagged cells, 1 mines left to find, 2 revealed cells (fill-in numbers); 3 the state of one cell (4 options);
  4 what revealing a covered cell next to the revealed region does (4 options, one "Undecidable"); 5 the best
  move at one cell (6 options).

Deviations from Game-RL (arXiv 2505.13886; its minesweeper code):
  1. Which cells are certainly mines or certainly safe (tasks 4 and 5) comes from every way the unflagged mines
     can lie that agrees with every number, every flag and the stated total of M mines: the covered cells next to
     numbers are searched exhaustively, and the other covered cells only matter through how many mines they
     hold; the question says to reason from all three. Game-RL applies the two local rules (n − flags = covered
     → all mines; n − flags = 0 → all safe) to the numbers next to the target only, ignores the total, and its
     mine rule counts cells it already inferred safe, then reports a "conflict" and answers "uncertain" where a
     deduction exists.
  2. Task 4's option C reads "safe and shows a number from 1 to 8" with no number in it: Game-RL printed the true
     number when the cell is safe (a leak) and a random 1–9 when it is a mine (9 cannot occur), and "the number 0"
     next to option B made two answers defensible. A cell that is certainly safe but whose number the board does
     not decide (0 in one consistent arrangement, 2 in another) is never asked, as neither B nor C would be a
     fact (Game-RL's gold came from the hidden mines): the cell is drawn uniformly from the rest of Game-RL's
     candidates (covered cells next to a revealed one, flagged ones included); 3–5% of the unflagged ones
     are left out.
  3. Task 5's options each say when they are the right move (flag: certainly a mine; reveal: certainly safe;
     analyse: a revealed number; skip: covered and undecidable; nothing: already revealed blank or already
     flagged), so its golds are facts of the board, not conventions. The classes are Game-RL's.
  4. Flags are always on real mines (the auto-flagger knows the mines), and the text says so; Game-RL calls them
     "potential" mines. Revealing a flagged cell (task 4) is read, as in Game-RL, as hitting a mine.
  5. The text spells out the order of coordinates, (row, column); Game-RL says only that (0,0) is top-left.
  6. Options are shuffled and lettered by the engine (Game-RL keeps them in a fixed order, a letter prior).
  7. The analysis lists what each number still needs and backs every verdict with a placement of the unflagged
     mines that the reader can check (two, for "Undecidable"); Game-RL pastes its rule-by-rule inference log.
  8. The record keeps Game-RL's state fields (rows, cols, mines, mine_board, revealed, flagged), with
     `first_click` as the clicked cell (Game-RL stores a spent boolean) and the queried `cell` of tasks 3–5.
  9. Task 4 is "Strategy Optimization", as in Game-RL's code; its released example data labels it "State
     Prediction".
  10. The three Minesweeper tasks this project had before (the number in a revealed cell, how many cells one
     click opens, which of four cells is certainly safe) are dropped, not kept as ours: task 3 and tasks 4–5 ask
     the same things on Game-RL's terms, and on these small boards about nine safe clicks in ten open only the
     clicked cell.
"""
from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp, Budget, fmt_cell, GRID_CONVENTION, font

SIZE = {"Easy": (4, 3), "Medium": (5, 5), "Hard": (6, 8)}  # plot level -> (rows = columns, mines)
FLAGS = (2, 4)  # the auto-flagger's cap is drawn from this range
SEARCH_BUDGET = 10_000  # nodes of the arrangement search per question; 5,000 Hard boards needed at most 160


class Minesweeper:
    def __init__(self, size, mines, revealed=(), flagged=(), first_click=None):
        self.size, self.mines = size, frozenset(mines)
        self.revealed, self.flagged, self.first_click = frozenset(revealed), frozenset(flagged), first_click

    def cells(self):
        return [(r, c) for r in range(self.size) for c in range(self.size)]

    def neighbours(self, cell):
        r, c = cell
        return [(r + dr, c + dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)
                if (dr or dc) and 0 <= r + dr < self.size and 0 <= c + dc < self.size]

    def number(self, cell):
        return sum(nb in self.mines for nb in self.neighbours(cell))

    def move(self, cell):
        """Reveal `cell`: a mine ends the game (returns None); a 0 reveals its neighbours, spreading on. A
        revealed cell loses its flag, as in Game-RL."""
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
        return Minesweeper(self.size, self.mines, revealed, self.flagged - revealed, self.first_click)

    def flag(self, cells):
        return Minesweeper(self.size, self.mines, self.revealed, self.flagged | set(cells), self.first_click)

    def to_json(self):
        n = self.size
        return {"rows": n, "cols": n, "mines": len(self.mines),
                "mine_board": [["M" if (r, c) in self.mines else self.number((r, c)) for c in range(n)]
                               for r in range(n)],
                "revealed": [[(r, c) in self.revealed for c in range(n)] for r in range(n)],
                "flagged": [[(r, c) in self.flagged for c in range(n)] for r in range(n)],
                "first_click": list(self.first_click)}


def new_state(rng, plot_level):
    n, count = SIZE[plot_level]
    click = (rng.randrange(n), rng.randrange(n))
    empty = Minesweeper(n, ())
    zone = {click} | set(empty.neighbours(click))  # the click and its neighbours stay mine-free, so it opens a 0
    mines = rng.sample([x for x in empty.cells() if x not in zone], count)
    state = Minesweeper(n, mines, first_click=click).move(click)
    cap = rng.randint(*FLAGS)
    # Game-RL's auto-flagger: row-major, covered mines with a revealed neighbour, until the cap
    edge_mines = [x for x in state.cells()
                  if x in state.mines and any(nb in state.revealed for nb in state.neighbours(x))]
    return state.flag(edge_mines[:cap])


# ---------------------------------------------------------------------------------------------------------
# What the player can know: every arrangement of the unflagged mines that agrees with the numbers, the flags and
# the total count. Covered cells next to a number (the frontier) are searched one by one; the other covered cells
# (the interior) are interchangeable, so only how many mines they hold matters.

class Knowledge:
    def __init__(self, state, budget):
        self.state = state
        self.left = len(state.mines) - len(state.flagged)  # mines not flagged
        covered = [x for x in state.cells() if x not in state.revealed and x not in state.flagged]
        self.numbers = []  # (cell, mines still needed among its covered unflagged neighbours, those neighbours)
        for x in state.cells():
            if x in state.revealed:
                around = [nb for nb in state.neighbours(x) if nb not in state.revealed and nb not in state.flagged]
                if around:
                    need = state.number(x) - sum(nb in state.flagged for nb in state.neighbours(x))
                    self.numbers.append((x, need, around))
        self.frontier = sorted({nb for _, _, around in self.numbers for nb in around})
        self.interior = [x for x in covered if x not in self.frontier]
        self.arrangements = [a for a in self.frontier_arrangements(budget)
                             if 0 <= self.left - len(a) <= len(self.interior)]

    def frontier_arrangements(self, budget):
        """Every set of frontier mines that gives each number exactly the mines it still needs, depth-first,
        pruning as soon as a number has too many mines or too few undecided cells left to reach its count."""
        need = [k for _, k, _ in self.numbers]
        placed, undecided = [0] * len(need), [len(around) for _, _, around in self.numbers]
        touches = {x: [i for i, (_, _, around) in enumerate(self.numbers) if x in around] for x in self.frontier}
        found, chosen = [], []

        def search(i):
            budget.tick()
            if i == len(self.frontier):
                found.append(frozenset(chosen))
                return
            x = self.frontier[i]
            for mine in (0, 1):
                for j in touches[x]:
                    undecided[j] -= 1
                    placed[j] += mine
                if len(chosen) + mine <= self.left and all(
                        placed[j] <= need[j] <= placed[j] + undecided[j] for j in touches[x]):
                    chosen.extend([x] * mine)
                    search(i + 1)
                    del chosen[len(chosen) - mine:]
                for j in touches[x]:
                    undecided[j] += 1
                    placed[j] -= mine
        search(0)
        return found

    def example(self, cell, mine):
        """One full arrangement of the unflagged mines (sorted) with `cell` a mine (mine=True) or safe, or None."""
        for a in self.arrangements:
            rest = self.left - len(a)
            if cell in self.frontier:
                if (cell in a) == mine:
                    return sorted(a | set(self.interior[:rest]))
            else:
                pool = [x for x in self.interior if x != cell]
                if mine and rest >= 1:
                    return sorted(a | {cell} | set(pool[:rest - 1]))
                if not mine and rest <= len(pool):
                    return sorted(a | set(pool[:rest]))
        return None

    def status(self, cell):
        """'mine', 'safe' or 'undecidable' for a covered, unflagged cell, with an arrangement for each possibility."""
        with_mine, without = self.example(cell, True), self.example(cell, False)
        can_be_mine, can_be_safe = with_mine is not None, without is not None
        assert can_be_mine or can_be_safe, "the true mines always agree with the board"
        status = "undecidable" if can_be_mine and can_be_safe else "mine" if can_be_mine else "safe"
        return status, with_mine, without

    def shown_numbers(self, cell):
        """The numbers a certainly safe `cell` can show: its flagged neighbours, plus its frontier neighbours that
        are mines in an arrangement, plus however many of its interior neighbours that arrangement's remaining
        mines can fill."""
        nbs = self.state.neighbours(cell)
        flags = sum(nb in self.state.flagged for nb in nbs)
        pool = [x for x in self.interior if x != cell]
        inner = sum(nb in pool for nb in nbs)
        values = set()
        for a in self.arrangements:
            rest = self.left - len(a)
            if rest > len(pool):
                continue
            base = flags + len(a & set(nbs))
            values |= {base + j for j in range(max(0, rest - (len(pool) - inner)), min(inner, rest) + 1)}
        return values

    def explain(self):
        lines = [f"{fmt_cell(x)} shows {self.state.number(x)}" +
                 (f" with {self.state.number(x) - need} flag(s) next to it" if need < self.state.number(x) else "") +
                 f", so its covered unflagged neighbours {', '.join(map(fmt_cell, around))} hold {need} more mine(s)"
                 for x, need, around in self.numbers]
        return ("Known: " + "; ".join(lines) + f". {self.left} mine(s) are not flagged yet; "
                f"{len(self.interior)} covered cell(s) touch no number.")


# ---------------------------------------------------------------------------------------------------------
# The image: Game-RL's portrait layout, 480×640 with a title, cells 100 / 80 / 66 px, tick labels on two sides.

WIDTH, HEIGHT, TITLE_HEIGHT = 480, 640, 160
DIGIT_COLOURS = {1: "blue", 2: "green", 3: "red", 4: "purple", 5: "maroon", 6: "turquoise", 7: "black", 8: "gray"}


def render(state):
    n = state.size
    cell = min((WIDTH - 80) // n, (HEIGHT - TITLE_HEIGHT - 40) // n)
    left, top = 40, HEIGHT - n * cell - 40  # the board sits 40 px above the bottom
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.text((WIDTH / 2, TITLE_HEIGHT / 2), "Minesweeper Board", fill="black", font=font(45), anchor="mm")
    tick_font, cell_font = font(int(cell * 0.3)), font(int(cell * 0.45))
    for i in range(n):
        middle = i * cell + cell // 2
        draw.text((left - cell * 0.3, top + middle), str(i), fill="black", font=tick_font, anchor="mm")
        draw.line([(left - 5, top + middle), (left, top + middle)], fill="black")
        draw.text((left + middle, top - cell * 0.4), str(i), fill="black", font=tick_font, anchor="mm")
        draw.line([(left + middle, top - 5), (left + middle, top)], fill="black")
    for r, c in state.cells():
        x0, y0 = left + c * cell, top + r * cell
        box, centre = (x0, y0, x0 + cell, y0 + cell), (x0 + cell / 2, y0 + cell / 2)
        if (r, c) in state.revealed:
            draw.rectangle(box, fill="white", outline="black")
            k = state.number((r, c))
            if k:
                draw.text(centre, str(k), fill=DIGIT_COLOURS[k], font=cell_font, anchor="mm")
        else:
            draw.rectangle(box, fill=(192, 192, 192), outline="black")
            if (r, c) in state.flagged:
                draw.text(centre, "F", fill="red", font=cell_font, anchor="mm")
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

def intro(state):
    n, m = state.size, len(state.mines)
    return (f"This is a Minesweeper game on a {n}x{n} board with {m} mines hidden in total. Grey cells are covered. "
            "A red \"F\" on a grey cell is a flag, and every flag on this board sits on a real mine. White cells are "
            "revealed: a number shows how many of the cell's up to 8 neighbours (diagonals included) hold a mine, "
            "and a blank white cell means 0. Revealing a mine ends the game; revealing a cell with 0 neighbouring "
            "mines also reveals all its neighbours, and this spreads on through further 0 cells. "
            + GRID_CONVENTION.format(last_r=n - 1, last_c=n - 1))


def deduce_intro(state):
    return (intro(state) + f" Reason from everything the board shows: the numbers, the flags and the total of "
            f"{len(state.mines)} mines.")


def flagged_count(rng, state):
    k = len(state.flagged)
    question = intro(state) + "\n\nHow many mines are currently flagged?"
    analysis = f"The cells marked F are {', '.join(map(fmt_cell, sorted(state.flagged)))}: {k} flagged mine(s)."
    return QA(question, analysis, str(k))


def mines_left(rng, state):
    m, k = len(state.mines), len(state.flagged)
    question = intro(state) + "\n\nHow many mines are left to be found (mines that are not flagged yet)?"
    analysis = f"The board holds {m} mines and {k} cell(s) are flagged (marked F), so {m} - {k} = {m - k} are left."
    return QA(question, analysis, str(m - k))


def revealed_count(rng, state):
    k = len(state.revealed)
    question = intro(state) + "\n\nHow many cells have been revealed (white cells, blank or numbered)?"
    per_row = [sum((r, c) in state.revealed for c in range(state.size)) for r in range(state.size)]
    analysis = ("White cells per row, top to bottom: " + ", ".join(map(str, per_row)) +
                f"; in total {' + '.join(map(str, per_row))} = {k} revealed cells.")
    return QA(question, analysis, str(k))


CELL_STATES = {"number": "It is revealed and shows a number.", "flagged": "It is flagged as a mine.",
               "hidden": "It is still hidden (covered and not flagged).",
               "blank": "It is revealed and blank (no neighbouring mine)."}


def cell_state(rng, state):
    cell = rng.choice(state.cells())
    if cell in state.revealed:
        key = "number" if state.number(cell) else "blank"
        why = f"is white and shows {state.number(cell)}" if key == "number" else "is white with nothing on it"
    else:
        key = "flagged" if cell in state.flagged else "hidden"
        why = "is grey with a red F on it" if key == "flagged" else "is grey with no flag on it"
    question = intro(state) + f"\n\nWhat is the state of the cell at {fmt_cell(cell)}?"
    analysis = f"Row {cell[0]} (left labels), column {cell[1]} (top labels): the cell {why}."
    return QA(question, analysis, CELL_STATES[key], [t for k, t in CELL_STATES.items() if k != key],
              {"cell": list(cell)})


REVEAL_OUTCOMES = {"mine": "The game ends: the cell holds a mine.",
                   "opens": "The cell is safe with no neighbouring mine: an empty area opens, and its neighbours are "
                            "revealed too.",
                   "number": "The cell is safe and shows a number from 1 to 8; nothing else is revealed.",
                   "undecidable": "Undecidable: the cell may or may not hold a mine."}


def placement(mines):
    return "unflagged mines at " + ", ".join(map(fmt_cell, mines)) if mines else "no unflagged mine at all"


def verdict(know, cell):
    """The analysis sentences behind a cell's status, each backed by a placement the reader can check."""
    status, with_mine, without = know.status(cell)
    x = fmt_cell(cell)
    if status == "undecidable":
        return status, (f"With {placement(with_mine)}, every number and the total agree and {x} is a mine; with "
                        f"{placement(without)}, they agree too and {x} is safe. So the board does not decide {x}.")
    other, example = ("safe", with_mine) if status == "mine" else ("a mine", without)
    return status, (f"Trying every way the cells next to numbers can hold mines (in {len(know.arrangements)} way(s) "
                    f"they agree with every number and the total), none leaves {x} {other}; for example, the "
                    f"placement with {placement(example)} agrees with everything. So {x} is certainly "
                    f"{'a mine' if status == 'mine' else 'safe'}.")


def reveal_outcome(rng, state):
    know = Knowledge(state, Budget(SEARCH_BUDGET))
    # Game-RL's candidates: covered cells (flagged ones included) with a revealed neighbour
    edge = [x for x in state.cells()
            if x not in state.revealed and any(nb in state.revealed for nb in state.neighbours(x))]
    outcome, askable = {}, []
    for x in edge:
        if x in state.flagged:
            outcome[x] = ("mine", f"{fmt_cell(x)} is flagged, and every flag is on a mine: revealing it ends the game.")
        else:
            status, why = verdict(know, x)
            if status == "mine":
                why += " Revealing it ends the game."
            if status == "safe":
                shown = know.shown_numbers(x)
                if len(shown) > 1 and 0 in shown:
                    continue  # safe, but the board does not decide between B and C
                if shown == {0}:
                    why += " None of its neighbours can hold a mine, so it shows 0 and opens its neighbours."
                elif len(shown) == 1:
                    why += f" Its neighbours hold {min(shown)} mine(s) in every placement that agrees: it shows that."
                else:
                    values = ", ".join(map(str, sorted(shown)[:-1])) + f" or {max(shown)}"
                    why += (f" Its neighbours hold {values} mines depending on the placement, never 0, so it shows a "
                            "number and opens nothing more.")
                status = "opens" if shown == {0} else "number"
            outcome[x] = (status, know.explain() + " " + why)
        askable.append(x)
    if not askable:
        raise GiveUp("no covered cell next to a number has a decided outcome")
    cell = rng.choice(askable)
    key, analysis = outcome[cell]
    question = (deduce_intro(state) + f"\n\nWhat will happen if the player reveals the cell at {fmt_cell(cell)}? "
                "(If the cell is flagged, the player removes the flag first.)")
    return QA(question, analysis, REVEAL_OUTCOMES[key], [t for k, t in REVEAL_OUTCOMES.items() if k != key],
              {"cell": list(cell)})


BEST_MOVES = {"flag": "Flag this cell as a mine (it is covered, not flagged, and certainly a mine).",
              "reveal": "Reveal this cell (it is covered and certainly safe).",
              "analyse": "Analyse its neighbours for mines using the number on it (it is revealed and shows a number).",
              "skip": "Skip it and wait for more information (it is covered and may or may not hold a mine).",
              "revealed": "No action: it is already revealed and blank.",
              "flagged": "No action: it is already flagged as a mine."}


def best_move(rng, state):
    cell = rng.choice(state.cells())
    if cell in state.flagged:
        key, analysis = "flagged", f"{fmt_cell(cell)} is grey with a red F: it is already flagged."
    elif cell in state.revealed:
        k = state.number(cell)
        key = "analyse" if k else "revealed"
        analysis = (f"{fmt_cell(cell)} is revealed and shows {k}; its number constrains its neighbours." if k
                    else f"{fmt_cell(cell)} is revealed and blank; there is nothing left to do there.")
    else:
        know = Knowledge(state, Budget(SEARCH_BUDGET))
        status, why = verdict(know, cell)
        key = {"mine": "flag", "safe": "reveal", "undecidable": "skip"}[status]
        analysis = f"{fmt_cell(cell)} is covered and not flagged. {know.explain()} {why}"
    question = deduce_intro(state) + (f"\n\nWhat is the best next move at {fmt_cell(cell)}? Each option says, in "
                                      "brackets, when it is the right move.")
    return QA(question, analysis, BEST_MOVES[key], [t for k, t in BEST_MOVES.items() if k != key],
              {"cell": list(cell)})


TASKS = [
    Task(0, "Count flagged cells", "Target Perception", "Easy", flagged_count),
    Task(1, "Calculate remaining mines", "Target Perception", "Easy", mines_left),
    Task(2, "Count revealed cells", "Target Perception", "Easy", revealed_count),
    Task(3, "Check cell state", "Target Perception", "Easy", cell_state),
    Task(4, "Predict cell reveal outcome", "Strategy Optimization", "Hard", reveal_outcome),
    Task(5, "Determine optimal move", "Strategy Optimization", "Hard", best_move),
]
