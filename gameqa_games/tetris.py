"""Tetris (Game-RL folder `tetris`; pattern recognition and matching; in-domain split).

The game. A square board of n × n cells, n = 8, 12 or 16. A cell is empty (white), settled (grey: a tetromino
landed there earlier) or part of the falling tetromino (red). The seven tetrominoes are I, O, T, L, J, S and Z;
a piece is only ever turned, never mirrored, so L and J (and S and Z) are different pieces. The falling piece
moves down one row per timestep and stops when a cell directly below one of its cells is settled or the floor;
then it settles, and every row full of settled cells is cleared (the rows above it move down).

A state is built as Game-RL's src/tetris/grid.py builds one: on an empty board, 10-20 greedy placements (each a
uniformly drawn piece, put where the score 100·lines cleared − 50·new holes − 30·height increase is highest over
every turn and column, dropped straight down from the top row), then a falling piece of a random kind and turn
floating over the stack with one fully empty row between them. When no piece fits at the top any more the game
is over and there is no falling piece; there is none either when the stack is too tall to leave that empty row.

Coordinates are (row, column), 0-based, row 0 at the top and column 0 on the left, as the labels drawn left of
and above the board show.

Tasks (Game-RL's question_ids, 0-based): 0 empty cells in a row (fill-in), 1 the falling piece's shape (a fixed
list of 8: the seven pieces and "no falling Tetrimino"), 2 timesteps until the piece collides after one shift
left or right (fill-in; −1 with no piece, 0 when the shift is blocked), 3 the most rows the piece can clear this
turn (fill-in; 0 with no piece).

Deviations from Game-RL:
  1. Task 3 counts only positions the piece can reach. Game-RL takes every resting position of every turn of the
     piece, including ones under overhangs and inside closed holes, so its maximum can be more than any real
     move achieves. Here a breadth-first search from the piece's position, with the moves left, right, down and a
     quarter turn either way (a turn keeps the top-left corner of the piece's bounding box in place), finds the
     positions the piece can reach; it can lock in any of them where it cannot move down. The question states
     these moves.
  2. Task 2 keeps Game-RL's answer 0 for a blocked shift (real Tetris would just ignore the move), and the
     question now states that rule. The analysis gives the true reason: the cell the shift would push off the
     board or onto a settled cell, and the floor or settled cell that stops the fall (Game-RL's text always says
     "other blocks"/"another block", from tests on the unshifted cells with an off-by-one).
  3. Task 0 asks about a row that holds settled cells 3 times in 4, and about any row otherwise. Game-RL draws
     the row uniformly, so many questions ask about an empty top row, whose answer is always the width.
  4. States with no falling piece make tasks 1-3 trivial (answers "no falling Tetrimino", −1 and 0). They are
     kept, but a state without a piece is redrawn 9 times in 10 (at most 8 draws in all). On the 8 × 8 board
     about half of the self-play states have no piece (measured on this file's self-play); here about 7 % of
     the states do, and fewer than 1 % on the larger boards.
  5. Game-RL redraws a task-3 state whose answer is 0 while fewer than 70 % of its task-3 chunk has a non-zero
     answer. A sample stream cannot see a chunk, so here a zero answer (a piece-less state included) is
     redrawn with probability 0.95, which keeps about 80 % of task-3 answers above 0 at every board size (left
     alone, only 15-30 % are; the tests check ≥ 70 %).
  6. Task 1's fixed list keeps Game-RL's order (I, O, T, L, J, S, Z, no falling Tetrimino) but is lettered
     A-H by the engine instead of numbered 1-8.
  7. The texts are ours. Task 1's rules draw every piece in its template turn, where Game-RL's words describe T
     with the bar on top while its template has the bar below.
  8. The image keeps Game-RL's layout (30-px cells, 35-px margin: 310 / 430 / 550 px, grey / red / white cells
     outlined black, row labels left, column labels on top) but draws the labels in PIL's own font, not Arial.
"""
from collections import deque

from PIL import Image, ImageDraw

from gameqa_games.common import QA, Budget, GiveUp, Task, fmt_cell, font

# ---------------------------------------------------------------------------------------------------------
# Levels, pieces and the state

SIZES = {"Easy": 8, "Medium": 12, "Hard": 16}  # square boards, n × n
PLACEMENTS = (10, 20)  # greedy placements played before the falling piece appears
KEEP_NO_PIECE = 0.1  # deviation 4: the share of piece-less states that are kept
REDRAW_ZERO_CLEAR = 0.95  # deviation 5: the chance that a task-3 state whose answer is 0 is redrawn

# Game-RL's templates (grid.py), as pictures: rows top to bottom separated by '/', X a block, . a gap.
TEMPLATES = {"I": "XXXX", "O": "XX/XX", "T": ".X./XXX", "L": "X./X./XX", "J": ".X/.X/XX",
             "S": ".XX/XX.", "Z": "XX./.XX"}
KINDS = list(TEMPLATES)
NO_PIECE = "no falling Tetrimino"
SHAPE_OPTIONS = KINDS + [NO_PIECE]  # task 1's fixed list, in Game-RL's order


def cells_of(picture):
    return tuple((r, c) for r, row in enumerate(picture.split("/")) for c, ch in enumerate(row) if ch == "X")


def picture_of(cells):
    r0, c0 = min(r for r, _ in cells), min(c for _, c in cells)
    h, w = max(r for r, _ in cells) - r0 + 1, max(c for _, c in cells) - c0 + 1
    return "/".join("".join("X" if (r0 + r, c0 + c) in cells else "." for c in range(w)) for r in range(h))


def turned(cells, clockwise=True):
    """The piece turned a quarter, the top-left corner of its bounding box kept in place."""
    r0, c0 = min(r for r, _ in cells), min(c for _, c in cells)
    h, w = max(r for r, _ in cells) - r0 + 1, max(c for _, c in cells) - c0 + 1
    if clockwise:  # local (r, c) -> (c, h-1-r)
        return tuple(sorted((r0 + c - c0, c0 + h - 1 - (r - r0)) for r, c in cells))
    return tuple(sorted((r0 + w - 1 - (c - c0), c0 + r - r0) for r, c in cells))  # (r, c) -> (w-1-c, r)


def turns(kind):
    """The template and its 1, 2, 3 clockwise quarter turns (repeats included: turn k is index k)."""
    out = [tuple(sorted(cells_of(TEMPLATES[kind])))]
    for _ in range(3):
        out.append(turned(out[-1]))
    return out


TURNS = {kind: turns(kind) for kind in KINDS}


def identify(cells):
    """(kind, k): the piece is the template of `kind` turned k quarters clockwise (the smallest such k)."""
    shape = cells_of(picture_of(cells))
    return next((kind, k) for kind in KINDS for k, t in enumerate(TURNS[kind]) if t == shape)


class Tetris:
    """A board: `settled` cells and the falling `piece` (an empty tuple when there is none)."""

    ACTIONS = ("left", "right", "down", "turn clockwise", "turn anticlockwise")

    def __init__(self, n, settled, piece):
        self.rows = self.cols = n
        self.settled, self.piece = frozenset(settled), tuple(sorted(piece))

    def blocker(self, cells):
        """The first cell of `cells` that is off the board or settled, or None when all are free."""
        return next((rc for rc in cells if not (0 <= rc[0] < self.rows and 0 <= rc[1] < self.cols)
                     or rc in self.settled), None)

    def moved_cells(self, action):
        if action.startswith("turn"):
            return turned(self.piece, clockwise=(action == "turn clockwise"))
        dr, dc = {"left": (0, -1), "right": (0, 1), "down": (1, 0)}[action]
        return tuple((r + dr, c + dc) for r, c in self.piece)

    def move(self, action):
        """The falling piece after one of ACTIONS, or None when the move is blocked (a cell would leave the
        board or enter a settled cell)."""
        cells = self.moved_cells(action)
        return None if self.blocker(cells) else Tetris(self.rows, self.settled, cells)

    def fall_distance(self):
        """Rows the piece falls before a cell directly below it is settled or the floor."""
        d = 0
        while self.blocker([(r + d + 1, c) for r, c in self.piece]) is None:
            d += 1
        return d

    def full_rows_with(self, cells):
        """The rows that are full once `cells` are settled too."""
        taken = self.settled | set(cells)
        return [r for r in range(self.rows) if all((r, c) in taken for c in range(self.cols))]

    def to_json(self):
        return {"rows": self.rows, "cols": self.cols, "settled": [list(rc) for rc in sorted(self.settled)],
                "piece": [list(rc) for rc in self.piece]}


# ---------------------------------------------------------------------------------------------------------
# Drawing a state: Game-RL's greedy self-play, then the falling piece

def row_masks(cells):
    """A piece's rows as bit masks (bit c = column c), with its height and width."""
    h, w = max(r for r, _ in cells) + 1, max(c for _, c in cells) + 1
    return [sum(1 << c for rr, c in cells if rr == r) for r in range(h)], h, w


def greedy_play(rng, n, placements):
    """Game-RL's self-play on an empty n × n board. The board is a list of row bit masks. Returns (board,
    game_over). Each move tries every distinct turn (in clockwise order from the template) and every column
    where the piece fits at row 0, drops it straight down and keeps the first best score."""
    full, board = (1 << n) - 1, [0] * n
    for _ in range(placements):
        kind = rng.choice(KINDS)
        tops = [next((r for r in range(n) if board[r] >> c & 1), n) for c in range(n)]  # first filled row per column
        highest = min(tops)
        best = None
        for shape in dict.fromkeys(TURNS[kind]):  # repeated turns give the same placements, never a better one
            masks, h, w = row_masks(shape)
            shape_tops = [min(r for r, c in shape if c == j) for j in range(w)]
            for col in range(n - w + 1):
                m = [mask << col for mask in masks]
                if any(board[i] & m[i] for i in range(h)):
                    continue
                r = max(0, highest - h)  # every row above the stack is empty, so the piece falls at least this far
                while r + h < n and not any(board[r + 1 + i] & m[i] for i in range(h)):
                    r += 1
                lines = sum((board[r + i] | m[i]) == full for i in range(h))
                new_tops = [min(tops[col + j], r + shape_tops[j]) for j in range(w)]
                # holes = sum over columns of (n - top) minus filled cells, so 4 new cells change it by:
                new_holes = sum(tops[col + j] - new_tops[j] for j in range(w)) - 4
                score = 100 * lines - 50 * new_holes - 30 * max(0, highest - r)
                if best is None or score > best[0]:
                    best = (score, r, m)
        if best is None:
            return board, True
        _, r, m = best
        for i, mask in enumerate(m):
            board[r + i] |= mask
        kept = [row for row in board if row != full]
        board = [0] * (n - len(kept)) + kept
    return board, False


def new_state(rng, plot_level):
    n = SIZES[plot_level]
    for _ in range(8):
        board, game_over = greedy_play(rng, n, rng.randint(*PLACEMENTS))
        settled = {(r, c) for r in range(n) for c in range(n) if board[r] >> c & 1}
        piece = ()
        if not game_over:
            shape = TURNS[rng.choice(KINDS)][rng.randint(0, 3)]
            h, w = max(r for r, _ in shape) + 1, max(c for _, c in shape) + 1
            highest = min((r for r, _ in settled), default=n)
            if highest >= h + 1:  # room for the piece with one empty row below it
                col = rng.randint(0, n - w)
                piece = [(highest - h - 1 + r, col + c) for r, c in shape]
        if piece or rng.random() < KEEP_NO_PIECE:
            break
    return Tetris(n, settled, piece)


# ---------------------------------------------------------------------------------------------------------
# The image: Game-RL's layout (30-px cells, 35-px margin)

CELL, MARGIN = 30, 35
COLOURS = {"empty": (255, 255, 255), "settled": (128, 128, 128), "piece": (255, 0, 0)}


def render(state):
    n = state.rows
    side = CELL * n + 2 * MARGIN
    image = Image.new("RGB", (side, side), "white")
    draw = ImageDraw.Draw(image)
    label = font(20)
    for i in range(n):
        draw.text((MARGIN / 2, MARGIN + i * CELL + CELL / 2), str(i), fill="black", font=label, anchor="mm")
        draw.text((MARGIN + i * CELL + CELL / 2, MARGIN / 2), str(i), fill="black", font=label, anchor="mm")
    for r in range(n):
        for c in range(n):
            kind = "piece" if (r, c) in state.piece else "settled" if (r, c) in state.settled else "empty"
            x, y = MARGIN + c * CELL, MARGIN + r * CELL
            draw.rectangle((x, y, x + CELL, y + CELL), fill=COLOURS[kind], outline="black")
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

def rules(state, *extra):
    """The numbered rules block every question opens with."""
    lines = [f"The image shows a Tetris grid with {state.rows} rows and {state.cols} columns.",
             "White cells are empty, grey cells hold blocks of tetrominoes placed earlier, and red cells are the "
             "falling tetromino (there may be none, if the game is over).", *extra]
    return "Rules:\n" + "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))


COORDINATES = ("Cells are written (row, column): rows are numbered from 0 at the top and columns from 0 on the "
               "left, as the labels left of and above the grid show.")
FALLING = ("The falling tetromino moves down one row per timestep. It collides when a cell directly below one of "
           "its cells is grey or below the bottom of the grid; then it stops.")
PIECES = ("A tetromino is four blocks; there are seven kinds, drawn here row by row (top to bottom, '/' between "
          "rows, X a block, . a gap): " + ", ".join(f"{k} = {p}" for k, p in TEMPLATES.items()) + ". A piece "
          "keeps its name when turned a quarter, a half or three quarters, but it is never mirrored: L and J, "
          "and S and Z, are different pieces.")


def plural(k, noun):
    return f"{k} {noun}{'' if k == 1 else 's'}"


def shape_sentence(state):
    if not state.piece:
        return "There are no red cells, so there is no falling tetromino."
    kind, k = identify(state.piece)
    turn = "in its template turn" if k == 0 else f"turned {90 * k}° clockwise from its template"
    return (f"The red cells {', '.join(map(fmt_cell, state.piece))} form the picture {picture_of(state.piece)}: "
            f"the {kind} tetromino {turn} ({TEMPLATES[kind]}).")


def empty_cells_in_row(rng, state):
    with_blocks = sorted({r for r, _ in state.settled})
    row = rng.choice(with_blocks) if with_blocks and rng.random() < 0.75 else rng.randrange(state.rows)
    empty = [(row, c) for c in range(state.cols) if (row, c) not in state.settled and (row, c) not in state.piece]
    question = (rules(state, COORDINATES) + f"\n\nQuestion:\nHow many empty (white) cells are there in row {row} "
                "of the grid? Red cells are not empty.")
    analysis = (f"In row {row} the white cells are {', '.join(map(fmt_cell, empty)) or 'none'}. "
                f"That is {plural(len(empty), 'empty cell')}.")
    return QA(question, analysis, str(len(empty)), given={"row": row})


def piece_shape(rng, state):
    answer = identify(state.piece)[0] if state.piece else NO_PIECE
    question = rules(state, PIECES) + "\n\nQuestion:\nWhat is the shape of the falling (red) tetromino?"
    return QA(question, f"{shape_sentence(state)} So it is: {answer}.", answer, options=SHAPE_OPTIONS)


def steps_after_shift(rng, state):
    action = rng.choice(["left", "right"])
    question = (rules(state, COORDINATES, FALLING,
                      f"First the falling tetromino is moved one column {action}. If that would put one of its cells "
                      "outside the grid or on a grey cell, it collides at once and the answer is 0.",
                      "If there is no falling tetromino, the answer is -1.")
                + f"\n\nQuestion:\nAfter the falling tetromino is moved one column {action}, how many timesteps "
                  "does it fall before it collides with a grey block or the bottom of the grid?")
    if not state.piece:
        return QA(question, f"{shape_sentence(state)} With no falling tetromino the answer is -1.", "-1",
                  given={"action": action})
    lines = [shape_sentence(state)]
    cells = state.moved_cells(action)
    blocker = state.blocker(cells)
    if blocker is not None:
        where = "outside the grid" if blocker not in state.settled else "on a grey cell"
        lines.append(f"Moved one column {action}, its cell would be at {fmt_cell(blocker)}, which is {where}, so it "
                     "collides at once: 0 timesteps.")
        steps = 0
    else:
        shifted = Tetris(state.rows, state.settled, cells)
        steps = shifted.fall_distance()
        landed = [(r + steps, c) for r, c in cells]
        stop = next((r, c) for r, c in landed if r + 1 == state.rows or (r + 1, c) in state.settled)
        reason = (f"the bottom of the grid is below {fmt_cell(stop)}" if stop[0] + 1 == state.rows
                  else f"the grey cell {fmt_cell((stop[0] + 1, stop[1]))} is below {fmt_cell(stop)}")
        lines.append(f"Moved one column {action}, it covers {', '.join(map(fmt_cell, cells))}. It can fall freely "
                     f"for {plural(steps, 'timestep')}, to {', '.join(map(fmt_cell, landed))}, where {reason}.")
    lines.append(f"So it will take {plural(steps, 'timestep')} to collide.")
    return QA(question, "\n".join(lines), str(steps), given={"action": action})


def resting_positions(state, budget):
    """Every position the falling piece can reach with ACTIONS (breadth-first) where it cannot move down: the
    places it can lock."""
    seen, queue, rests = {state.piece}, deque([state]), []
    while queue:
        here = queue.popleft()
        for action in Tetris.ACTIONS:
            budget.tick()
            there = here.move(action)
            if there is None:
                if action == "down":
                    rests.append(here.piece)
            elif there.piece not in seen:
                seen.add(there.piece)
                queue.append(there)
    return rests


def most_rows_cleared(rng, state):
    question = (rules(state, "You may move the falling tetromino left, right or down one cell at a time, and turn "
                      "it a quarter clockwise or anticlockwise (a turn keeps the top-left corner of the smallest "
                      "rectangle around the piece in place), as often as you like, but never onto a grey cell or "
                      "out of the grid. It settles in a position where it cannot move down.",
                      "A row whose cells all hold blocks (grey, or the settled tetromino) is cleared. Count only the "
                      "rows cleared in this turn. If there is no falling tetromino, the answer is 0.")
                + "\n\nQuestion:\nWhat is the largest number of rows that can be cleared by placing the falling "
                  "tetromino in this turn?")
    # A piece fills at most 4 cells of a row, so when every row has 5 or more gaps the answer is 0 without a
    # search; that keeps the zero-answer redraws (deviation 5) cheap.
    gaps, fullest = min((sum((r, c) not in state.settled for c in range(state.cols)), r) for r in range(state.rows))
    rests = []
    if state.piece and gaps <= 4:  # a position is (turn, row, column): at most 4·n² of them, 5 moves from each
        rests = resting_positions(state, Budget(4 * len(Tetris.ACTIONS) * state.rows * state.cols))
    best, cells = max(((len(state.full_rows_with(cells)), cells) for cells in rests), default=(0, ()),
                      key=lambda x: x[0])  # the first best, in search order
    if best == 0 and rng.random() < REDRAW_ZERO_CLEAR:
        raise GiveUp("no row can be cleared")
    analysis = [shape_sentence(state)]
    if state.piece and not rests:
        analysis.append(f"The fullest row, row {fullest}, still has {gaps} empty cells, and a tetromino fills at "
                        "most 4 cells of a row, so no row can be completed.")
    elif rests:
        analysis.append(f"Moving and turning it, it can reach {len(rests)} positions where it cannot move down.")
        if best:
            analysis.append(f"Placed at {', '.join(map(fmt_cell, cells))}, it completes row"
                            f"{'s' if best > 1 else ''} {', '.join(map(str, state.full_rows_with(cells)))}; "
                            "no reachable position completes more.")
        else:
            analysis.append("None of them completes a row.")
    analysis.append(f"So at most {plural(best, 'row')} can be cleared." if best else "So no row can be cleared.")
    return QA(question, "\n".join(analysis), str(best))

TASKS = [
    Task(0, "empty cells in row", "Target Perception", "Easy", empty_cells_in_row),
    Task(1, "shape_recognizing", "Target Perception", "Easy", piece_shape),
    Task(2, "timesteps_until_collision", "State Prediction", "Medium", steps_after_shift),
    Task(3, "maximum rows to be cleared", "Strategy Optimization", "Hard", most_rows_cleared),
]
