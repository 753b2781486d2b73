"""Tetris (pattern recognition, in-domain). A board of settled cells and one falling tetromino near the top.
Boards 8×6 / 12×8 / 16×10 (rows × columns). The stack is built full, then a piece-shaped well is carved into
it (and other rows are left one cell short), so clearing rows is possible but not trivial.
"""
from gameqa_games.common import QA, Task, numeric_distractors, fmt_cell, MOVE_DELTAS, GRID_CONVENTION, grid_canvas


SIZE = {"Easy": (8, 6), "Medium": (12, 8), "Hard": (16, 10)}
STACK = {"Easy": (2, 3), "Medium": (3, 5), "Hard": (4, 7)}
TETROMINOES = {  # one orientation each, as (row, column) cells; the others come from rotating
    "I": [(0, 0), (0, 1), (0, 2), (0, 3)], "O": [(0, 0), (0, 1), (1, 0), (1, 1)],
    "T": [(0, 0), (0, 1), (0, 2), (1, 1)], "S": [(0, 1), (0, 2), (1, 0), (1, 1)],
    "Z": [(0, 0), (0, 1), (1, 1), (1, 2)], "J": [(0, 0), (1, 0), (1, 1), (1, 2)],
    "L": [(0, 2), (1, 0), (1, 1), (1, 2)],
}
TETROMINO_GUIDE = ("Tetrominoes are named by the usual Tetris letters; drawn upright (rows top to bottom, X a cell) "
                   "they are I = XXXX, O = XX/XX, T = XXX/.X., S = .XX/XX., Z = XX./.XX, J = X../XXX and L = ..X/XXX, "
                   "and a turned piece keeps its name (S and Z, or J and L, are mirror images, not turns of each other).")


def normalise(cells):
    r0, c0 = min(r for r, _ in cells), min(c for _, c in cells)
    return tuple(sorted((r - r0, c - c0) for r, c in cells))


def orientations(kind):
    """The distinct orientations of a tetromino, each rotated 90° clockwise from the one before."""
    shapes, cells = [], normalise(TETROMINOES[kind])
    for _ in range(4):
        if cells not in shapes:
            shapes.append(cells)
        cells = normalise([(c, -r) for r, c in cells])
    return shapes


def shape_kind(cells):
    shape = normalise(cells)
    return next(k for k in TETROMINOES if shape in orientations(k))


class Tetris:
    def __init__(self, rows, cols, settled, piece):
        self.rows, self.cols, self.settled, self.piece = rows, cols, frozenset(settled), tuple(sorted(piece))

    def fits(self, cells):
        return all(0 <= r < self.rows and 0 <= c < self.cols and (r, c) not in self.settled for r, c in cells)

    def move(self, action):
        """'down', 'left' or 'right' shifts the falling piece one cell when it fits (else nothing changes);
        'drop' lets it fall until it rests, settles it and clears every full row. Returns (state, rows cleared)."""
        if action != "drop":
            dr, dc = MOVE_DELTAS[action]
            moved = [(r + dr, c + dc) for r, c in self.piece]
            return (Tetris(self.rows, self.cols, self.settled, moved) if self.fits(moved) else self), 0
        cells = self.piece
        while self.fits([(r + 1, c) for r, c in cells]):
            cells = [(r + 1, c) for r, c in cells]
        settled = set(self.settled) | set(cells)
        full = [r for r in range(self.rows) if all((r, c) in settled for c in range(self.cols))]
        kept = [r for r in range(self.rows) if r not in full]
        shift = {r: sum(f > r for f in full) for r in kept}  # rows above a cleared row fall by one per row cleared
        settled = {(r + shift[r], c) for r, c in settled if r in shift}
        return Tetris(self.rows, self.cols, settled, []), len(full)

    def drop_distance(self):
        d = 0
        while self.fits([(r + d + 1, c) for r, c in self.piece]):
            d += 1
        return d

    def to_json(self):
        """Rows of characters: # settled cell, @ falling piece, . empty; plus the piece's cells."""
        return {"board": ["".join("@" if (r, c) in self.piece else "#" if (r, c) in self.settled else "."
                                  for c in range(self.cols)) for r in range(self.rows)],
                "piece_cells": [list(rc) for rc in self.piece]}


def new_state(rng, plot_level):
    rows, cols = SIZE[plot_level]
    height = rng.randint(*STACK[plot_level])
    settled = {(r, c) for r in range(rows - height, rows) for c in range(cols)}
    wells = [o for k in TETROMINOES for o in orientations(k) if max(r for r, _ in o) < height]
    well = rng.choice(wells)
    wr = rng.randint(rows - height, rows - 1 - max(r for r, _ in well))
    wc = rng.randint(0, cols - 1 - max(c for _, c in well))
    carved = {(wr + r, wc + c) for r, c in well}
    for r, c in list(carved):  # open the well to the sky: a piece dropped from above must be able to reach it
        carved |= {(rr, c) for rr in range(rows - height, r)}
    settled -= carved
    for r in range(rows - height, rows):  # rows the well does not touch lose one cell, so they cannot clear
        if not any(rc[0] == r for rc in carved) and rng.random() < 0.8:
            settled.discard((r, rng.randrange(cols)))
    kind = rng.choice(list(TETROMINOES))
    shape = rng.choice(orientations(kind))
    c0 = rng.randint(0, cols - 1 - max(c for _, c in shape))
    piece = [(r, c0 + c) for r, c in shape]
    return Tetris(rows, cols, settled, piece)


def render(state):
    cell = 34 if state.rows <= 12 else 28
    image, draw, box = grid_canvas(state.rows, state.cols, cell)
    for r in range(state.rows):
        for c in range(state.cols):
            x0, y0, x1, y1 = box(r, c)
            fill = (240, 150, 30) if (r, c) in state.piece else (70, 110, 180) if (r, c) in state.settled else (250, 250, 250)
            draw.rectangle((x0, y0, x1, y1), fill=fill, outline=(170, 170, 170))
    return image


def intro(state):
    return (f"This is a Tetris board with {state.rows} rows and {state.cols} columns. Blue cells are settled "
            "blocks, the orange cells form the falling tetromino, white cells are empty. " +
            GRID_CONVENTION.format(last_r=state.rows - 1, last_c=state.cols - 1) + " The falling piece moves down one "
            "row at a time and stops when the cell below any of its cells is a settled block or the bottom of the "
            "board; then it settles, and every row that is completely filled is cleared (the rows above it move "
            "down).")


def piece_shape(rng, state):
    kind = shape_kind(state.piece)
    question = intro(state) + f" {TETROMINO_GUIDE}\n\nWhich tetromino is the falling (orange) piece?"
    analysis = (f"The orange cells are {', '.join(fmt_cell(c) for c in state.piece)}. Shifted to the corner they "
                f"form {list(normalise(state.piece))}, which is a rotation of the {kind} piece.")
    return QA(question, analysis, kind, [k for k in TETROMINOES if k != kind])


def empty_in_row(rng, state):
    filled_rows = sorted({r for r, _ in state.settled})
    r = rng.choice(filled_rows)
    empty = [c for c in range(state.cols) if (r, c) not in state.settled and (r, c) not in state.piece]
    question = intro(state) + f"\n\nHow many empty cells are there in row {r}?"
    analysis = (f"Row {r} has {state.cols} cells; reading left to right, the empty ones are in columns "
                f"{', '.join(map(str, empty)) or 'none'}. That is {len(empty)} empty cells.")
    return QA(question, analysis, str(len(empty)), numeric_distractors(rng, len(empty), k=min(7, state.cols)), {"row": r})


def drop_distance(rng, state):
    d = state.drop_distance()
    lowest = max(r for r, _ in state.piece)
    question = (intro(state) + "\n\nThe falling piece drops straight down without turning or moving sideways. "
                "How many rows does it move down before it settles?")
    analysis = ""
    for k in range(d + 1):
        cells = [(r + k, c) for r, c in state.piece]
        blocked = not state.fits([(r + 1, c) for r, c in cells])
        analysis += (f"After {k} rows down its lowest cell is in row {lowest + k}; "
                     + ("the cell below is blocked, so it settles.\n" if blocked else "the cells below are free.\n"))
    return QA(question, analysis + f"It moves down {d} rows.", str(d), numeric_distractors(rng, d, k=min(7, state.rows - 3)))


def best_clear(rng, state):
    kind = shape_kind(state.piece)
    lines, best = [], 0
    for k, shape in enumerate(orientations(kind)):
        width = max(c for _, c in shape) + 1
        results = []
        for c0 in range(state.cols - width + 1):
            start = Tetris(state.rows, state.cols, state.settled, [(r, c0 + c) for r, c in shape])
            if not start.fits(start.piece):
                continue
            _, cleared = start.move("drop")
            results.append(cleared)
            best = max(best, cleared)
        lines.append(f"Orientation {k + 1} {list(shape)}: dropped at columns 0..{state.cols - width}, rows cleared "
                     f"{results}.")
    question = (intro(state) + "\n\nBefore it falls, the piece may be turned to any orientation and shifted to "
                "any column at the top of the board; then it drops straight down. What is the largest number of rows "
                "that this single piece can clear?")
    analysis = (f"The falling piece is a {kind}. Try every orientation and every column:\n" + "\n".join(lines) +
                f"\nThe best placement clears {best} row(s).")
    return QA(question, analysis, str(best), [str(v) for v in range(5) if v != best])


TASKS = [
    Task(1, "the shape of the falling piece", "Target Perception", "Easy", piece_shape),
    Task(2, "the number of empty cells in a row", "Target Perception", "Easy", empty_in_row),
    Task(3, "how many rows the piece falls before it lands", "State Prediction", "Medium", drop_distance),
    Task(4, "the most rows one placement of the piece can clear", "Strategy Optimization", "Hard", best_clear),
]
