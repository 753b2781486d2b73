"""Ultra TicTacToe, a GameQA game (Game-RL, arXiv 2505.13886): Game-RL folder `ultra_tictactoe`, strategic
planning, in-domain.

The game. An ultimate tic-tac-toe variant. The board is 9 "Nine-grids" in a 3×3 arrangement, each a 3×3 board of
its own. A cell is written (i, j, row, col), all 1 to 3: (i, j) is the Nine-grid, i counting bands from the top
and j from the left; (row, col) is the cell inside it, row from the top and col from the left. The first player
plays X (drawn red), the second O (drawn blue); they take turns marking an empty cell. The first move may go
anywhere in Nine-grid (2, 2); after that the (row, col) of each move names the Nine-grid where the opponent must
play next: X on (2, 2, 3, 1) sends O to Nine-grid (3, 1). Every complete line of three of one player's pieces
inside one Nine-grid (3 rows, 3 columns, 2 diagonals) scores that player 1 point; a Nine-grid may give several
points, and lines never run across Nine-grids. The game ends when all 9 centre cells (local (2, 2)) are marked.
That rule also means the forced Nine-grid always has a free cell: a Nine-grid other than (2, 2) is entered once
per move on its local position, at most 9 times, and (2, 2) at most 1 + (centres marked) ≤ 9 times before the end.

Positions, as Game-RL draws them: both players play greedy-random (in the forced Nine-grid, a cell of the largest
immediate point gain, ties at random; with no gain, any free cell). Play stops at the first move, from move
number `low` on, whose mover has exactly one cell of the largest gain and that gain is above 0; that cell is
`best_next_step` and the board before the move is the position. A game whose 9th centre cell is marked first, or
whose board passes `high` pieces, is thrown away. So positions hold 9-34, 34-59 and 59-80 pieces (Easy, Medium,
Hard). The state is every piece, `last_step` (the opponent's last move, which names the Nine-grid the player to
move must use), `best_next_step`, `total_pieces`, `middle_marked` and `moves`, the game so far in order, plus the
question's own parameters.

Who moves is fixed by the count: X moves when the board holds an even number of pieces. Task 6 leans on a
counting identity: every move into Nine-grid k was sent there by an opponent's piece on local position k, except
X's opening move into (2, 2), and every opponent piece sent a move except the last one. So for the player to
move, (own pieces in Nine-grid k) − (opponent pieces on local position k, over all Nine-grids) is −1 at the forced
Nine-grid and 0 elsewhere, plus 1 at (2, 2) when X is to move; when X's forced Nine-grid is (2, 2) the two cancel
and every difference is 0.

The tasks are Game-RL's seven (its question ids and descriptions; qa_type and qa_level as below):
  1 which player marked a cell (TP, Easy, fixed options First Player / Second Player / Not Marked)
  2 how many cells the next move may use, given the last move (TP, Easy, fixed options 0-9)
  3 how many centre cells are marked (TP, Easy, fixed options 0-9)
  4 how many pieces are on the board (TP, Medium, MC 8)
  5 how many points a player has in a Nine-grid (TP, Medium, MC 8)
  6 in which Nine-grid the player to move must play, the last move not given (SP, Hard, fixed options
    Nine-grid (1, 1) ... Nine-grid (3, 3))
  7 where to play, given the last move, to score the most with this move (SO, Hard, fill-in "(i, j, row, col)")

Deviations from Game-RL:
  1. Task 1 asks about an empty cell one time in three, and otherwise about an occupied one. Game-RL only asks
     about occupied cells, so "Not Marked", one of its three fixed options, was never the answer.
  2. The options of tasks 4 and 5 are 8 consecutive numbers that hold the gold at a random place, within what
     the board allows (0-81 pieces; 0-8 points in one Nine-grid). Game-RL adds 7 random offsets in ±15 to the
     gold, so its options centre on the gold, and for task 5 (gold nearly always 0-2) run to 15 and beyond.
  3. Task 5 asks, half the time, about a Nine-grid and a player with at least one point (when the board has
     one); otherwise about a uniform Nine-grid that has pieces and a uniform player, as Game-RL does. Drawn
     Game-RL's way only, the gold is 0 for most questions.
  4. The rules preamble is our own words, and its placement rule reads the right way round: the next Nine-grid
     is the last move's (row, col). Game-RL's sentence says the reverse (its worked example is right). The
     preamble also gives the end of the game, the colours and how the labels on the image read.
  5. Task 6 is State Prediction, as in Game-RL's code and released data (its README lists it as Target
     Perception); tasks 1-5 are Target Perception and task 7 Strategy Optimization. The counting identity above
     is asserted on every board drawn.
  6. Tasks 6 and 7 say which player you are ("the First Player, X"); Game-RL's task 7 leaves it to be read off
     the piece on the last move's cell.
  7. The picture is drawn with Pillow on Game-RL's layout (40-pixel cells, a 40-pixel gap between Nine-grids,
     a 2-pixel frame round each Nine-grid, local row and col numbers 1-3 on the left and on top), with two
     changes: the Nine-grid indices "i = 1..3" and "j = 1..3" are drawn outside the local numbers (Game-RL draws
     none), and the pieces keep clear of the cell borders (a red cross and a blue ring of radius 13, 3 pixels
     wide; Game-RL's run corner to corner and touch the grid lines). As in Game-RL, the last move is not marked:
     task 6 asks for what it implies.
  8. `state` holds each piece as {"grid": [i, j], "cell": [row, col], "player": "X" or "O"} (Game-RL: strings
     "(i, j)" and "(row, col)" under nine_grid / position / type), the moves of the game in order, so the
     position can be replayed and checked, and the question's own parameters: the queried cell (task 1), Nine-grid
     and player (task 5), and the player to move (tasks 6 and 7). Game-RL stores neither the moves nor these.
  9. A board is thrown away as soon as it passes `high` pieces, not after the stop: the same positions, drawn
     faster. Options are lettered A, B, … by the engine and the gold is the letter (Game-RL numbers them and
     stores the index); the fixed lists keep Game-RL's order.
  10. Task 7 skips a position whose forced Nine-grid has a single free cell (4 % of positions, in our count over
     300), and the engine draws another: the only legal move would be the answer, with no points to weigh.
"""
from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp, font

STOP = {"Easy": (10, 34), "Medium": (35, 59), "Hard": (60, 81)}  # (first move number that may stop, most pieces)
MAX_GAMES = 1_000  # games per position; 11 % are thrown away at Hard (1 % Easy, 0 Medium): never all
PLAYERS = {"X": "First Player", "O": "Second Player"}
NOT_MARKED = "Not Marked"
EMPTY_SHARE = 1 / 3   # task 1: how often the queried cell is empty (deviation 1)
SCORING_SHARE = 0.5   # task 5: how often the queried player has a point in the queried Nine-grid (deviation 3)
OPTIONS = 8           # tasks 4 and 5
MOST_POINTS = 8       # every line of one Nine-grid
COORDS = (1, 2, 3)
NINE_GRIDS = tuple((i, j) for i in COORDS for j in COORDS)  # reading order, like the cells inside one
CENTRE = (2, 2)

# The 8 lines of a Nine-grid as local (row, col) cells, with how the analyses name them
LINES = ([(f"row {r}", "row", tuple((r, c) for c in COORDS)) for r in COORDS]
         + [(f"column {c}", "column", tuple((r, c) for r in COORDS)) for c in COORDS]
         + [("the diagonal from (1, 1) to (3, 3)", "diagonal", ((1, 1), (2, 2), (3, 3))),
            ("the diagonal from (1, 3) to (3, 1)", "diagonal", ((1, 3), (2, 2), (3, 1)))])
LINES_THROUGH = {rc: [line for line in LINES if rc in line[2]] for rc in NINE_GRIDS}  # local cell -> its lines


# ---------------------------------------------------------------------------------------------------------
# The game: the board, a move, the points, and the greedy-random games that make positions

def fmt(cell):
    return "(" + ", ".join(map(str, cell)) + ")"


def other(player):
    return "O" if player == "X" else "X"


class UltraTicTacToe:
    def __init__(self, moves=(), best_next_step=None):
        self.moves = tuple(tuple(cell) for cell in moves)  # every (i, j, row, col) marked, in order; X first
        self.pieces = {cell: "XO"[k % 2] for k, cell in enumerate(self.moves)}  # {(i, j, row, col): "X" or "O"}
        self.last_step = self.moves[-1] if self.moves else None  # the opponent's last move
        self.best_next_step = best_next_step  # task 7's gold, set by new_state

    def to_move(self):
        return "X" if len(self.moves) % 2 == 0 else "O"

    def forced_grid(self):
        return CENTRE if self.last_step is None else self.last_step[2:]

    def free_cells(self, grid):
        return [(*grid, r, c) for r, c in NINE_GRIDS if (*grid, r, c) not in self.pieces]

    def centres_marked(self):
        return sum((*grid, *CENTRE) in self.pieces for grid in NINE_GRIDS)

    def over(self):
        return self.centres_marked() == 9

    def lines(self, player, grid):
        """The lines of `grid` that `player` holds whole, as LINES rows."""
        return [line for line in LINES if all(self.pieces.get((*grid, r, c)) == player for r, c in line[2])]

    def gain(self, cell):
        """The points the player to move scores by marking the free `cell`: the lines through it it completes."""
        player, grid = self.to_move(), cell[:2]
        return sum(all((r, c) == cell[2:] or self.pieces.get((*grid, r, c)) == player for r, c in cells)
                   for _, _, cells in LINES_THROUGH[cell[2:]])

    def move(self, cell):
        """The position after the player to move marks `cell`, which must be free and in the forced Nine-grid."""
        cell = tuple(cell)
        if self.over() or cell not in self.free_cells(self.forced_grid()):
            raise ValueError(f"illegal move {fmt(cell)}: {self.to_move()} must mark a free cell of Nine-grid "
                             f"{fmt(self.forced_grid())}" + (" (the game is over)" if self.over() else ""))
        return UltraTicTacToe(self.moves + (cell,))

    def to_json(self):
        return {"pieces": [{"grid": list(cell[:2]), "cell": list(cell[2:]), "player": self.pieces[cell]}
                           for cell in sorted(self.pieces)],
                "last_step": list(self.last_step), "best_next_step": list(self.best_next_step),
                "total_pieces": len(self.pieces), "middle_marked": self.centres_marked(),
                "moves": [list(cell) for cell in self.moves]}


def best_cells(state):
    """(largest gain, the free cells of the forced Nine-grid that reach it)."""
    gains = {cell: state.gain(cell) for cell in state.free_cells(state.forced_grid())}
    assert gains, "the forced Nine-grid is full, which the end rule rules out"  # see the module docstring
    best = max(gains.values())
    return best, [cell for cell, g in gains.items() if g == best]


def play_game(rng, low, high):
    """One greedy-random game up to its stop; the position, or None when the game is thrown away."""
    state = UltraTicTacToe()
    while len(state.pieces) <= high:
        best, cells = best_cells(state)
        if len(state.pieces) + 1 >= low and best > 0 and len(cells) == 1:
            return UltraTicTacToe(state.moves, best_next_step=cells[0])
        state = state.move(rng.choice(cells))
        if state.over():
            return None
    return None  # past `high` pieces (deviation 9)


def count_differences(state):
    """Task 6's counts for the player to move, per Nine-grid k: own pieces in k, opponent pieces on local
    position k over all Nine-grids, and their difference."""
    me = state.to_move()
    own = {k: sum(cell[:2] == k and p == me for cell, p in state.pieces.items()) for k in NINE_GRIDS}
    theirs = {k: sum(cell[2:] == k and p != me for cell, p in state.pieces.items()) for k in NINE_GRIDS}
    return own, theirs, {k: own[k] - theirs[k] for k in NINE_GRIDS}


def grid_by_counting(state):
    """The forced Nine-grid from the counts alone (the identity in the module docstring)."""
    _, _, diff = count_differences(state)
    low = [k for k in NINE_GRIDS if diff[k] == -1]
    return low[0] if low else CENTRE


def new_state(rng, plot_level):
    low, high = STOP[plot_level]
    for _ in range(MAX_GAMES):
        state = play_game(rng, low, high)
        if state is not None:
            _, _, diff = count_differences(state)
            opening = {k: int(k == CENTRE and state.to_move() == "X") for k in NINE_GRIDS}
            assert all(diff[k] == opening[k] - (k == state.forced_grid()) for k in NINE_GRIDS), diff  # deviation 5
            return state
    raise RuntimeError(f"ultra_tictactoe: no {plot_level} position in {MAX_GAMES} games")


# ---------------------------------------------------------------------------------------------------------
# The image: Game-RL's layout (40-pixel cells, 40-pixel gaps, each Nine-grid 120 pixels), 520 pixels square.
# Outside the board, first the Nine-grid indices (i on the left, j on top), then the local row and col numbers.

CELL, GAP = 40, 40
BAND = 3 * CELL + GAP                 # from one Nine-grid's left edge to the next one's
LEFT, TOP = 70, 64                    # the board's top-left corner
SIDE = LEFT + 3 * BAND - GAP + 10     # 520
RED, BLUE, GREY = (255, 0, 0), (0, 0, 255), (90, 90, 90)
MARK = 13                             # half the cross, and the ring's radius


def cell_box(cell):
    """The pixel rectangle of (i, j, row, col)."""
    i, j, r, c = cell
    x, y = LEFT + (j - 1) * BAND + (c - 1) * CELL, TOP + (i - 1) * BAND + (r - 1) * CELL
    return x, y, x + CELL, y + CELL


def render(state):
    image = Image.new("RGB", (SIDE, SIDE), "white")
    draw = ImageDraw.Draw(image)
    index_font, local_font = font(17), font(15)
    for k in COORDS:
        band = (k - 1) * BAND
        draw.text((LEFT + band + 1.5 * CELL, 16), f"j = {k}", fill=GREY, font=index_font, anchor="mm")
        draw.text((22, TOP + band + 1.5 * CELL), f"i = {k}", fill=GREY, font=index_font, anchor="mm")
        for n in COORDS:
            middle = band + (n - 0.5) * CELL
            draw.text((LEFT + middle, TOP - 14), str(n), fill="black", font=local_font, anchor="mm")  # col n
            draw.text((LEFT - 14, TOP + middle), str(n), fill="black", font=local_font, anchor="mm")  # row n
    for i, j in NINE_GRIDS:
        x0, y0, _, _ = cell_box((i, j, 1, 1))
        for n in (1, 2):
            draw.line([(x0 + n * CELL, y0), (x0 + n * CELL, y0 + 3 * CELL)], fill="black", width=1)
            draw.line([(x0, y0 + n * CELL), (x0 + 3 * CELL, y0 + n * CELL)], fill="black", width=1)
        draw.rectangle((x0, y0, x0 + 3 * CELL, y0 + 3 * CELL), outline="black", width=2)
    for cell, player in sorted(state.pieces.items()):
        x0, y0, x1, y1 = cell_box(cell)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        if player == "X":
            draw.line([(cx - MARK, cy - MARK), (cx + MARK, cy + MARK)], fill=RED, width=3)
            draw.line([(cx - MARK, cy + MARK), (cx + MARK, cy - MARK)], fill=RED, width=3)
        else:
            draw.ellipse((cx - MARK, cy - MARK, cx + MARK, cy + MARK), outline=BLUE, width=3)
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

INTRO = ("This is Ultra TicTacToe, a game for two players on the board in the image.\n"
         "1. Board and coordinates: the board is made of 9 Nine-grids in a 3×3 arrangement, and each Nine-grid is "
         "a 3×3 block of cells. A cell is written (i, j, row, col), all numbered 1 to 3: (i, j) is its Nine-grid, "
         "i counting the bands of Nine-grids from the top and j from the left; (row, col) is the cell inside that "
         "Nine-grid, row counting from the top and col from the left. In the image the grey labels i = 1..3 on the "
         "left and j = 1..3 on top number the Nine-grids, and the small black numbers 1-3 next to the cells number "
         "the rows and columns inside each Nine-grid.\n"
         "2. Pieces: the First Player marks cells with X, drawn as red crosses; the Second Player marks cells with "
         "O, drawn as blue circles. The players take turns, each marking one empty cell per move.\n"
         "3. Where to play: the first move goes on any cell of Nine-grid (2, 2). After that, the (row, col) of the "
         "cell just marked names the Nine-grid where the opponent must play next: if the First Player's first move "
         "is (2, 2, 3, 1), the Second Player must play in Nine-grid (3, 1).\n"
         "4. Points: every complete line of three of one player's pieces inside one Nine-grid (a row, a column or "
         "a diagonal) scores 1 point for that player. One Nine-grid may give several points, and lines never run "
         "across Nine-grids.\n"
         "5. End: the game ends when the centre cells (row 2, col 2) of all 9 Nine-grids are marked.\n\n"
         "**Question:** ")


def you(player):
    return f"the {PLAYERS[player]}, playing {player}"


def pieces_in(state, grid, player):
    return [(*grid, r, c) for r, c in NINE_GRIDS if state.pieces.get((*grid, r, c)) == player]


def cells_text(cells):
    return ", ".join(fmt(cell) for cell in cells) if cells else "none"


def who_marked(rng, state):
    empty = [(*grid, r, c) for grid in NINE_GRIDS for r, c in NINE_GRIDS if (*grid, r, c) not in state.pieces]
    cell = rng.choice(empty if rng.random() < EMPTY_SHARE else sorted(state.pieces))  # deviation 1
    player = state.pieces.get(cell)
    answer = PLAYERS[player] if player else NOT_MARKED
    analysis = (f"The cell {fmt(cell)} is cell ({cell[2]}, {cell[3]}) of Nine-grid ({cell[0]}, {cell[1]}). "
                + (f"It holds {'a red cross, an X' if player == 'X' else 'a blue circle, an O'}, so the "
                   f"{answer} marked it." if player else "It is empty, so no player has marked it."))
    question = INTRO + f"Which player has marked the cell {fmt(cell)}?"
    return QA(question, analysis, answer, options=[PLAYERS["X"], PLAYERS["O"], NOT_MARKED],
              given={"cell": list(cell)})


def free_in_forced_grid(rng, state):
    grid, last = state.forced_grid(), state.last_step
    free = state.free_cells(grid)
    analysis = (f"The opponent's last piece is on {fmt(last)}, whose (row, col) inside its Nine-grid is "
                f"{fmt(grid)}, so the next move must go in Nine-grid {fmt(grid)}. There, X is on "
                f"{cells_text(pieces_in(state, grid, 'X'))} and O is on {cells_text(pieces_in(state, grid, 'O'))}. "
                f"The free cells are {cells_text(free)}: {len(free)} of them.")
    question = (INTRO + f"Your opponent has just placed a piece on {fmt(last)}. On how many cells can you place "
                "your next piece?")
    return QA(question, analysis, str(len(free)), options=[str(n) for n in range(10)])


def centres(rng, state):
    lines, marked = [], 0
    for grid in NINE_GRIDS:
        player = state.pieces.get((*grid, *CENTRE))
        marked += player is not None
        lines.append(f"The centre of Nine-grid {fmt(grid)}, {fmt((*grid, *CENTRE))}, "
                     + (f"holds {player}." if player else "is empty."))
    analysis = ("Check the centre cell of each Nine-grid in turn.\n" + "\n".join(lines)
                + f"\nSo {marked} of the 9 centre cells are marked.")
    question = INTRO + "How many of the 9 centre cells (row 2, col 2 of each Nine-grid) are marked?"
    return QA(question, analysis, str(marked), options=[str(n) for n in range(10)])


def window_options(rng, gold, low, high):
    """OPTIONS consecutive integers in [low, high] with the gold at a random place (deviation 2), gold first."""
    start = rng.randint(max(low, gold - OPTIONS + 1), min(gold, high - OPTIONS + 1))
    return [str(gold)] + [str(v) for v in range(start, start + OPTIONS) if v != gold]


def piece_count(rng, state):
    lines, per_grid = [], []
    for grid in NINE_GRIDS:
        xs, os_ = len(pieces_in(state, grid, "X")), len(pieces_in(state, grid, "O"))
        per_grid.append(xs + os_)
        lines.append(f"Nine-grid {fmt(grid)}: {xs} X and {os_} O, {xs + os_} pieces.")
    total = sum(per_grid)
    analysis = ("Count the pieces Nine-grid by Nine-grid.\n" + "\n".join(lines)
                + f"\nIn all: {' + '.join(map(str, per_grid))} = {total} pieces.")
    gold, *wrong = window_options(rng, total, 0, 81)
    return QA(INTRO + "How many pieces are on the board?", analysis, gold, wrong)


def points_in_grid(rng, state):
    occupied = sorted({cell[:2] for cell in state.pieces})
    scoring = [(grid, p) for grid in occupied for p in "XO" if state.lines(p, grid)]
    if scoring and rng.random() < SCORING_SHARE:  # deviation 3
        grid, player = rng.choice(scoring)
    else:
        grid, player = rng.choice(occupied), rng.choice("XO")
    held = state.lines(player, grid)
    kinds = {kind: sum(k == kind for _, k, _ in held) for kind in ("row", "column", "diagonal")}
    analysis = (f"The {PLAYERS[player]} plays {player}. In Nine-grid {fmt(grid)}, {player} is on "
                f"{cells_text(pieces_in(state, grid, player))}. Complete lines of three {player}: "
                f"{kinds['row']} in rows, {kinds['column']} in columns, {kinds['diagonal']} on diagonals"
                + (f" ({', '.join(name for name, _, _ in held)})" if held else "")
                + f". So {len(held)} point{'' if len(held) == 1 else 's'}.")
    question = INTRO + f"How many points has the {PLAYERS[player]} scored in Nine-grid {fmt(grid)}?"
    gold, *wrong = window_options(rng, len(held), 0, MOST_POINTS)
    return QA(question, analysis, gold, wrong, given={"grid": list(grid), "player": player})


def forced_grid_by_counting(rng, state):
    me = state.to_move()
    own, theirs, diff = count_differences(state)
    grid = grid_by_counting(state)
    assert grid == state.forced_grid()  # the identity, checked again where it is used
    rule = (f"Each of my {me} pieces was placed in the Nine-grid named by the (row, col) of the {other(me)} piece "
            f"just before it, and each {other(me)} piece sent my next move to the Nine-grid named by its (row, col), "
            f"except the last {other(me)} piece, whose move I have still to make.")
    if me == "X":
        rule += (" My first X had no O piece before it and went in Nine-grid (2, 2), so (2, 2) has one X more "
                 "than the O pieces on position (2, 2).")
    if me == "X" and grid == CENTRE:
        found = ("Every difference is 0: at (2, 2) the opening X and the missing move cancel, so my move must go "
                 "in Nine-grid (2, 2).")
    else:
        found = f"Nine-grid {fmt(grid)} is one short, so my move must go there."
    analysis = "\n".join([
        f"I am the {PLAYERS[me]}, playing {me}. {rule}",
        f"My {me} pieces per Nine-grid: " + "; ".join(f"{fmt(k)}: {own[k]}" for k in NINE_GRIDS) + ".",
        f"{other(me)} pieces on each position (row, col), over all Nine-grids: "
        + "; ".join(f"{fmt(k)}: {theirs[k]}" for k in NINE_GRIDS) + ".",
        "Differences (mine − theirs): " + "; ".join(f"{fmt(k)}: {diff[k]}" for k in NINE_GRIDS) + ".",
        found])
    question = (INTRO + f"You are {you(me)}, and it is your turn. The last move is not marked in the image. In which "
                "Nine-grid must you place your piece?")
    return QA(question, analysis, f"Nine-grid {fmt(grid)}", options=[f"Nine-grid {fmt(k)}" for k in NINE_GRIDS],
              given={"player": me})


def best_move(rng, state):
    me, grid, last = state.to_move(), state.forced_grid(), state.last_step
    free = state.free_cells(grid)
    if len(free) == 1:  # the only legal move would be the answer, with nothing to weigh (deviation 10)
        raise GiveUp("the forced Nine-grid has one free cell")
    lines = []
    for cell in free:
        after = state.move(cell)
        held = after.lines(me, grid)
        kinds = [sum(k == kind for _, k, _ in held) for kind in ("row", "column", "diagonal")]
        lines.append(f"{fmt(cell)}: {kinds[0]} in rows, {kinds[1]} in columns, {kinds[2]} on diagonals, "
                     f"{len(held)} point{'' if len(held) == 1 else 's'} in all (a gain of {state.gain(cell)}).")
    best = state.best_next_step
    before = len(state.lines(me, grid))
    analysis = (f"The opponent's last piece is on {fmt(last)}, so my {me} must go in Nine-grid {fmt(grid)}, where "
                f"{me} has {before} point{'' if before == 1 else 's'} now. Its {len(free)} free cells, with "
                f"my points in this Nine-grid after marking each:\n" + "\n".join(lines)
                + f"\nOnly {fmt(best)} gives the most, a gain of {state.gain(best)}.")
    question = (INTRO + f"You are {you(me)}. Your opponent has just placed a piece on {fmt(last)}. Where should you "
                "place your piece to score the most points with this move? Answer with the cell as "
                "(i, j, row, col).")
    return QA(question, analysis, fmt(best), given={"player": me})


TASKS = [
    Task(1, "Find which player marked the cell at a given coordinate.", "Target Perception", "Easy", who_marked),
    Task(2, "Given the coordinate of last step, find the number of possible coordinates of next step.",
         "Target Perception", "Easy", free_in_forced_grid),
    Task(3, "Find the number of marked middle cells in the image.", "Target Perception", "Easy", centres),
    Task(4, "Find the number of pieces in the image.", "Target Perception", "Medium", piece_count),
    Task(5, "Find the points the given player has got within the given Nine-grid.", "Target Perception", "Medium",
         points_in_grid),
    Task(6, "Given the Player name, find in which Nine-grid to place the piece.", "State Prediction", "Hard",
         forced_grid_by_counting),
    Task(7, "Given the coordinate of last step, find the coordinate to place the next piece to get the highest "
            "point.", "Strategy Optimization", "Hard", best_move),
]
