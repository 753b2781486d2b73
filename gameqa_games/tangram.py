"""Tangram (Game-RL folder `tangram`, where the code calls it "Tengram"; pattern recognition and matching; in-domain).

The game. An n×n board is cut into k numbered pieces (k = 4..8): k distinct seed cells are drawn, and every cell
joins the seed nearest to it (smallest squared Euclidean distance, a tie going to the lower seed number). Pieces
are then taken off the board: their cells become empty (white, hatched) and the pieces are drawn, left to right
and one blank column apart, in a "Removed Pieces" panel under the "Main Board". Two pieces are adjacent when
they share a cell edge (touching at a corner does not count); a piece's area is its number of cells. A piece
fits a hole when, after the allowed transform, its cells cover the hole's cells exactly: a rotation by 0, 90, 180
or 270 degrees clockwise as displayed, never a flip; translation is free.

Levels, as Game-RL draws them: n = randint(5, 10) names the plot level (Easy n = 5, Medium 6-8, Hard 9-10), so
here each level draws n uniformly from its sizes. Tasks 1, 3 and 4 remove 1-3 random pieces, task 2 removes one
(shown turned, and mirrored one time in five), task 5 two adjacent ones.

Coordinates are (row, column), 0-based from the top-left cell, as the labels left of and below each panel show
(the Removed Pieces panel is labelled the same way, from its own top-left cell). `state` is Game-RL's (grid after
the removals, 0 = empty; seeds; removed, in panel order) plus removed_shapes, each removed piece's 0/1 bounding-box
matrix as drawn in the panel, and each task's own parameters (target_piece; flipped and rotation; piece1, piece2).

Tasks (Game-RL's question ids 1-5, all multiple choice with 8 options):
  1 pieces on the board (TP)   2 which rotations put the removed piece back (SP, Game-RL's 8 phrases)
  3 area of a piece (TP)       4 pieces adjacent to a piece (TP)   5 where piece P1 goes so P1 and P2 fill the hole (SP)

Deviations from Game-RL:
  1. Boards whose pieces are not all 4-connected are redrawn. Lowest-index tie-breaking can split a piece in two
     (7-8 % of boards), and then "a piece" and its area, adjacency and hole are no longer one region.
  2. Task 5 enumerates every translation of P1 inside the hole's bounding box (P1 must lie inside the hole) and
     keeps those where the empty cells left over are a translate of P2; it asks only when exactly one does.
     Game-RL tries the four corners of the hole's box only, takes the first that works as the gold (about 3 % of
     its questions have two right options), and its guard against P1 and P2 having the same shape never fires
     (it compares arrays that hold the piece numbers); here same-shaped pieces give two placements and are
     redrawn by the uniqueness check.
  3. Task 5 always has 8 options: the gold, then wrong boxes of P1's size inside the hole's box, then boxes shifted
     up to 2 cells beyond it, on the board; a hole with too few of them is redrawn. Game-RL has 1-8 options (a
     single option in about 1 % of its questions). Its P1 is always the lowest-numbered piece (piece 1 on a full
     board) and P2 a random neighbour; here the adjacent pair is drawn uniformly and either piece may be P1.
  4. Tasks 1 and 4 offer 8 consecutive integers (from 0 up) with the gold at a random place among them. Game-RL
     offers the run gold-4..gold+4 (9 options once the gold is 4 or more, the gold always in the middle) and, for
     task 4, a run cut at the number of pieces and padded upward. Task 3 always has 8 options: Game-RL's range
     max(1, a-6)..a+5 has fewer than 8 values when the area a is 1 or 2; here it is extended upward.
  5. Options are shuffled by the engine and lettered A-H; Game-RL numbers them 1-8, sorts task 3's ascending and
     answers with the number.
  6. Task 4 is not asked on a board with a single piece left (the answer would be 0 by default); Game-RL answers a
     task-1 question instead, and also falls back to task 1 when task 5 finds no placement. Here the engine
     draws another board.
  7. The texts, including task 2's eight phrases, are ours and state every rule the question needs (what fits,
     which way rotations turn, that removed pieces do not count as neighbours). Colour names in the analysis are
     the palette's (blue, orange, ...), not Game-RL's HSV buckets ("vivid bright red").
  8. No search needs a step budget (common.Budget): the longest loop, task 5's, tries at most n² positions of one
     piece, and a board is redrawn at most BOARD_TRIES times before the engine is asked for another.
  9. The image keeps Game-RL's layout (Main Board above Removed Pieces, tab10 colours, piece numbers in the
     cells, hatched empty cells, row labels left and column labels below) drawn with PIL instead of matplotlib.
"""
from PIL import Image, ImageDraw

from gameqa_games.common import QA, GiveUp, Task, fmt_cell, font

# ---------------------------------------------------------------------------------------------------------
# Levels and the state

SIZES = {"Easy": (5,), "Medium": (6, 7, 8), "Hard": (9, 10)}  # Game-RL: n = randint(5, 10), level from n
PIECES = (4, 8)         # k = randint(4, 8) seeds
REMOVED = (1, 3)        # tasks 1, 3 and 4 remove randint(1, 3) pieces
FLIP_CHANCE = 0.2       # task 2 mirrors the removed piece this often before turning it
BOARD_TRIES = 50        # seed draws per board; 7-8 % of them have a split piece (deviation 1)
OPTIONS = 8
# tab10, the matplotlib palette Game-RL's colours are: piece p is COLOURS[p - 1]
COLOURS = [("blue", (31, 119, 180)), ("orange", (255, 127, 14)), ("green", (44, 160, 44)), ("red", (214, 39, 40)),
           ("purple", (148, 103, 189)), ("brown", (140, 86, 75)), ("pink", (227, 119, 194)),
           ("gray", (127, 127, 127)), ("olive", (188, 189, 34)), ("cyan", (23, 190, 207))]
SIDES = (("up", -1, 0), ("down", 1, 0), ("left", 0, -1), ("right", 0, 1))


def nearest_seed_grid(n, seeds):
    """Every cell's piece: the 1-based number of the nearest seed, ties to the lower number."""
    return [[min(range(len(seeds)), key=lambda i: ((r - seeds[i][0]) ** 2 + (c - seeds[i][1]) ** 2, i)) + 1
             for c in range(n)] for r in range(n)]


def shape_of(cells):
    """The 0/1 matrix of the smallest rectangle around `cells`, rows top to bottom."""
    r0, c0 = min(r for r, _ in cells), min(c for _, c in cells)
    h, w = max(r for r, _ in cells) - r0 + 1, max(c for _, c in cells) - c0 + 1
    return tuple(tuple(int((r0 + i, c0 + j) in cells) for j in range(w)) for i in range(h))


def mirrored(matrix):
    return tuple(row[::-1] for row in matrix)


def turned(matrix, degrees):
    """`matrix` turned clockwise by a multiple of 90 degrees (works on any matrix, not only 0/1 shapes)."""
    for _ in range(degrees // 90 % 4):
        matrix = tuple(zip(*matrix[::-1]))
    return matrix


def size_text(matrix):
    return f"{len(matrix)}×{len(matrix[0])}"


class Tangram:
    """A board cut into pieces, and the pieces taken off it so far (with the shape each is drawn in)."""

    def __init__(self, n, seeds):
        self.n, self.seeds = n, [tuple(s) for s in seeds]
        self.pieces = nearest_seed_grid(n, self.seeds)  # the whole board, before any removal
        self.grid = [row[:] for row in self.pieces]     # the board shown: 0 where a piece was taken off
        self.removed, self.shown = [], []               # piece numbers in panel order, and their drawn matrices

    def move(self, piece, flip=False, rotation=0):
        """The game's one move: take `piece` off the board into the Removed Pieces panel, drawn mirrored left to
        right if `flip`, then turned `rotation` degrees clockwise. It changes this state in place, because a
        task sets up the board its question asks about before the engine draws and records it."""
        cells = self.cells(piece)
        for r, c in cells:
            self.grid[r][c] = 0
        matrix = shape_of(set(cells))
        self.removed.append(piece)
        self.shown.append(turned(mirrored(matrix) if flip else matrix, rotation))

    def cells(self, piece):
        """The piece's cells, row by row, whether or not it is still on the board."""
        return [(r, c) for r in range(self.n) for c in range(self.n) if self.pieces[r][c] == piece]

    def on_board(self):
        return sorted({p for row in self.grid for p in row if p})

    def empty_cells(self):
        return {(r, c) for r in range(self.n) for c in range(self.n) if not self.grid[r][c]}

    def neighbours(self, cell):
        """(side, cell) for each of the up to 4 cells sharing an edge with `cell`."""
        r, c = cell
        return [(side, (r + dr, c + dc)) for side, dr, dc in SIDES if 0 <= r + dr < self.n and 0 <= c + dc < self.n]

    def is_connected(self, piece):
        cells = set(self.cells(piece))
        seen, todo = {min(cells)}, [min(cells)]
        while todo:
            for _, nb in self.neighbours(todo.pop()):
                if nb in cells and nb not in seen:
                    seen.add(nb)
                    todo.append(nb)
        return seen == cells

    def to_json(self):
        return {"grid": [row[:] for row in self.grid], "seeds": [list(s) for s in self.seeds],
                "removed": list(self.removed), "removed_shapes": [[list(row) for row in m] for m in self.shown]}


def new_state(rng, plot_level):
    """A whole board (nothing removed yet: each task takes off the pieces its question needs)."""
    n = rng.choice(SIZES[plot_level])
    for _ in range(BOARD_TRIES):
        k = rng.randint(*PIECES)
        state = Tangram(n, [divmod(i, n) for i in rng.sample(range(n * n), k)])
        if all(state.is_connected(p) for p in range(1, k + 1)):
            return state
    raise GiveUp("every drawn board had a piece in two parts")


def remove_random(rng, state):
    """Tasks 1, 3 and 4: take 1-3 random pieces off the board, in random panel order."""
    for piece in rng.sample(range(1, len(state.seeds) + 1), rng.randint(*REMOVED)):
        state.move(piece)


# ---------------------------------------------------------------------------------------------------------
# The image: Main Board above Removed Pieces, both with row labels on the left and column labels below

BOARD_PX = 360       # the board's side; a cell is BOARD_PX // n pixels
PANEL_MAX_PX = 760   # the panel's widest; three wide pieces get smaller cells
MARGIN, TITLE_PX, TICK_PX = 36, 34, 26
EMPTY, PANEL_BLANK = (255, 255, 255), (240, 240, 240)


def panel_matrix(state):
    """The Removed Pieces panel as a matrix of piece numbers (0 = blank): the shapes top-aligned, left to right,
    one blank column apart."""
    height = max((len(m) for m in state.shown), default=0)
    rows = [[] for _ in range(height)]
    for k, (piece, matrix) in enumerate(zip(state.removed, state.shown)):
        for i in range(height):
            gap = [0] if k else []
            rows[i] += gap + ([piece * v for v in matrix[i]] if i < len(matrix) else [0] * len(matrix[0]))
    return rows


def hatch(draw, box):
    """Dense diagonal lines (top-left to bottom-right) across an empty cell, as Game-RL marks them."""
    x0, y0, x1, y1 = box
    side = x1 - x0
    step = max(4, side // 6)
    for d in range(-side + step, side, step):
        if d >= 0:
            draw.line((x0 + d, y0, x1, y1 - d), fill="black", width=1)
        else:
            draw.line((x0, y0 - d, x1 + d, y1), fill="black", width=1)


def draw_cells(draw, left, top, cell, matrix, blank):
    """A matrix of piece numbers as coloured, numbered cells; 0 cells in `blank`, hatched; labels around it."""
    number_font, tick_font = font(max(10, cell * 9 // 20)), font(max(10, min(18, cell // 2)))
    for r, row in enumerate(matrix):
        for c, piece in enumerate(row):
            box = (left + c * cell, top + r * cell, left + (c + 1) * cell, top + (r + 1) * cell)
            draw.rectangle(box, fill=COLOURS[piece - 1][1] if piece else blank, outline="black")
            if piece:
                draw.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), str(piece), fill="black",
                          font=number_font, anchor="mm")
            else:
                hatch(draw, box)
    for r in range(len(matrix)):
        draw.text((left - 14, top + r * cell + cell / 2), str(r), fill="black", font=tick_font, anchor="mm")
    for c in range(len(matrix[0]) if matrix else 0):
        draw.text((left + c * cell + cell / 2, top + len(matrix) * cell + 12), str(c), fill="black",
                  font=tick_font, anchor="mm")


def render(state):
    n, panel = state.n, panel_matrix(state)
    cell = BOARD_PX // n
    panel_cell = min(cell, PANEL_MAX_PX // len(panel[0])) if panel else cell
    content = max(n * cell, len(panel[0]) * panel_cell if panel else 0)
    board_top = TITLE_PX
    panel_title = board_top + n * cell + TICK_PX + 6
    panel_top = panel_title + TITLE_PX
    height = panel_top + max(len(panel) * panel_cell, 20) + TICK_PX + 6
    image = Image.new("RGB", (MARGIN + content + 16, height), "white")
    draw = ImageDraw.Draw(image)
    title_font, centre = font(20), MARGIN + content / 2
    draw.text((centre, TITLE_PX / 2), "Main Board", fill="black", font=title_font, anchor="mm")
    draw_cells(draw, MARGIN + (content - n * cell) // 2, board_top, cell, state.grid, EMPTY)
    draw.text((centre, panel_title + TITLE_PX / 2), "Removed Pieces", fill="black", font=title_font, anchor="mm")
    if panel:
        draw_cells(draw, MARGIN + (content - len(panel[0]) * panel_cell) // 2, panel_top, panel_cell, panel,
                   PANEL_BLANK)
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

def rules(state, *extra):
    n = state.n
    lines = [f"The upper image, Main Board, is a {n}×{n} grid cut into pieces. Each cell shows the number of the "
             "piece it belongs to, in that piece's colour.",
             "Two pieces are adjacent if they share at least one cell edge; pieces that only touch at a corner "
             "are not adjacent. A piece's area is the number of cells it covers.",
             "Pieces taken off the board leave their cells empty (white, hatched). The lower image, Removed "
             "Pieces, shows them left to right, one blank column apart, each in the smallest rectangle around it "
             "(grey hatched cells are not part of any piece).",
             *extra,
             f"Cells are written (row, column): rows are numbered from 0 at the top to {n - 1} at the bottom (the "
             f"labels left of the board) and columns from 0 on the left to {n - 1} on the right (the labels below "
             "it). The Removed Pieces panel is labelled the same way from its own top-left cell."]
    return "Rules:\n" + "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))


def colour(piece):
    return COLOURS[piece - 1][0]


def span(what, first, last):
    return f"{what} {first}" if first == last else f"{what}s {first} to {last}"


def consecutive_options(rng, gold):
    """8 consecutive integers from 0 up with `gold` at a random place among them (deviation 4)."""
    start = max(0, gold - rng.randrange(OPTIONS))
    return [str(v) for v in range(start, start + OPTIONS) if v != gold]


def piece_count(rng, state):
    remove_random(rng, state)
    count = len(state.on_board())
    question = rules(state) + "\n\nQuestion:\nHow many pieces are on the main board?"
    listed = "; ".join(f"piece {p} ({colour(p)}) around {fmt_cell(state.seeds[p - 1])}" for p in state.on_board())
    analysis = (f"Pieces on the main board: {listed}.\n"
                f"Removed pieces, shown below the board: {', '.join(f'piece {p}' for p in state.removed)}.\n"
                f"The board shows {count} different piece numbers, so {count} pieces are on the main board.")
    return QA(question, analysis, str(count), consecutive_options(rng, count))


# Task 2's eight answers, keyed by the set of clockwise turns (degrees) that make the shown piece fit its hole.
ROTATION_PHRASES = {
    (0,): "only as shown, with no rotation (0 degrees)",
    (90,): "only after a 90-degree clockwise rotation",
    (180,): "only after a 180-degree rotation",
    (270,): "only after a 90-degree counterclockwise rotation",
    (): "it cannot fit by rotation alone (it was flipped)",
    (0, 180): "as shown or after a 180-degree rotation, no other way",
    (90, 270): "after a 90-degree rotation either way (clockwise or counterclockwise), no other way",
    (0, 90, 180, 270): "after any rotation: 0, 90, 180 or 270 degrees",
}


def piece_rotation(rng, state):
    piece = rng.randint(1, len(state.seeds))
    flip, rotation = rng.random() < FLIP_CHANCE, rng.choice((0, 90, 180, 270))
    state.move(piece, flip, rotation)
    shown, hole_cells = state.shown[0], state.empty_cells()
    hole = shape_of(hole_cells)
    top, left = min(r for r, _ in hole_cells), min(c for _, c in hole_cells)
    fits = tuple(d for d in (0, 90, 180, 270) if turned(shown, d) == hole)
    h, w = len(shown), len(shown[0])
    labels = tuple(tuple((i, j) for j in range(w)) for i in range(h))  # panel cells, turned along with the piece
    lines = [f"The hole on the board is {size_text(hole)} (rows {top}-{top + len(hole) - 1}, columns "
             f"{left}-{left + len(hole[0]) - 1}); piece {piece} is drawn {size_text(shown)}."]
    sized = [d for d in (0, 90, 180, 270) if size_text(turned(shown, d)) == size_text(hole)]
    lines.append(f"Only turns that give it the hole's size can fit: {', '.join(f'{d}°' for d in sized)}."
                 if sized else "No turn gives it the hole's size.")
    for d in sized:
        piece_now, where = turned(shown, d), turned(labels, d)
        bad = next(((i, j) for i in range(len(hole)) for j in range(len(hole[0])) if piece_now[i][j] != hole[i][j]),
                   None)
        if bad is None:
            lines.append(f"Turned {d}° clockwise, its cells match the hole's cells exactly: it fits.")
        else:
            i, j = bad
            what = "the hole has an empty cell but the piece has none" if hole[i][j] else \
                "the piece has a cell but the board cell is filled"
            lines.append(f"Turned {d}° clockwise it does not fit: at board cell {fmt_cell((top + i, left + j))} "
                         f"(panel cell {fmt_cell(where[i][j])}) {what}.")
    lines.append(f"Turns that fit: {', '.join(f'{d}°' for d in fits) if fits else 'none'}, so the answer is "
                 f"\"{ROTATION_PHRASES[fits]}\".")
    question = rules(state, f"Exactly one piece, piece {piece}, has been taken off. In the Removed Pieces panel it "
                     "is drawn turned by a multiple of 90 degrees (possibly 0), and it may also have been flipped "
                     "(mirrored).",
                     "The piece fits back when its cells cover the empty cells exactly. You may rotate it by 0, 90, "
                     "180 or 270 degrees as it is drawn and move it, but not flip it.") + \
        ("\n\nQuestion:\nCan the removed piece be put back into the main board by rotating it, and if so, which "
         "rotation(s) make it fit?")
    return QA(question, "\n".join(lines), ROTATION_PHRASES[fits],
              [p for k, p in ROTATION_PHRASES.items() if k != fits], {"flipped": flip, "rotation": rotation})


def piece_area(rng, state):
    remove_random(rng, state)
    piece = rng.choice(state.on_board())
    cells = state.cells(piece)
    area = len(cells)
    lines, total = [f"Piece {piece} ({colour(piece)}) lies in {span('row', cells[0][0], cells[-1][0])}, row by row:"], 0
    for r in range(cells[0][0], cells[-1][0] + 1):
        cols = [c for rr, c in cells if rr == r]
        total += len(cols)
        where = span("column", cols[0], cols[-1]) if cols[-1] - cols[0] + 1 == len(cols) else \
            f"columns {', '.join(map(str, cols))}"
        lines.append(f"row {r}: {len(cols)} cell{'s' if len(cols) > 1 else ''}, {where} (running total {total})")
    lines.append(f"So piece {piece} covers {area} cells: its area is {area}.")
    low = max(1, area - 6)
    pool = [v for v in range(low, max(area + 6, low + OPTIONS)) if v != area]
    question = rules(state) + f"\n\nQuestion:\nWhat is the area (number of cells) of piece {piece}?"
    return QA(question, "\n".join(lines), str(area), [str(v) for v in rng.sample(pool, OPTIONS - 1)],
              {"target_piece": piece})


def piece_adjacency(rng, state):
    remove_random(rng, state)
    if len(state.on_board()) < 2:
        raise GiveUp("one piece left: it has no neighbours to count")
    piece = rng.choice(state.on_board())
    cells = state.cells(piece)
    lines = [f"Piece {piece} ({colour(piece)}) lies in {span('row', cells[0][0], cells[-1][0])} and "
             f"{span('column', min(c for _, c in cells), max(c for _, c in cells))}. Its cells that share an edge "
             "with another piece on the board:"]
    contacts = {}
    for cell in cells:
        touching = [(side, nb, state.grid[nb[0]][nb[1]]) for side, nb in state.neighbours(cell)
                    if state.grid[nb[0]][nb[1]] not in (0, piece)]
        for _, _, other in touching:
            contacts[other] = contacts.get(other, 0) + 1
        if touching:
            lines.append(f"cell {fmt_cell(cell)}: " + "; ".join(f"{side}, piece {other} at {fmt_cell(nb)}"
                                                                for side, nb, other in touching))
    if contacts:
        lines.append("Contacts: " + "; ".join(f"piece {p} ({colour(p)}) on {k} edge{'s' if k > 1 else ''}"
                                              for p, k in sorted(contacts.items())) + ".")
    else:
        lines.append("none: every edge of the piece meets the board's border, an empty cell or itself.")
    count = len(contacts)
    lines.append(f"So {count} different piece{'s are' if count != 1 else ' is'} adjacent to piece {piece}.")
    question = rules(state, "Only pieces on the main board count as neighbours; empty cells are not pieces.") + \
        f"\n\nQuestion:\nHow many different pieces are adjacent to piece {piece}?"
    return QA(question, "\n".join(lines), str(count), consecutive_options(rng, count), {"target_piece": piece})


def box_text(top, left, h, w):
    return f"{fmt_cell((top, left))} to {fmt_cell((top + h - 1, left + w - 1))}"


def piece_placement(rng, state):
    pairs = sorted({tuple(sorted((state.pieces[r][c], state.pieces[nb[0]][nb[1]])))
                    for r in range(state.n) for c in range(state.n) for _, nb in state.neighbours((r, c))
                    if state.pieces[r][c] != state.pieces[nb[0]][nb[1]]})
    first, second = rng.sample(rng.choice(pairs), 2)
    state.move(first)
    state.move(second)
    hole = state.empty_cells()
    top, left = min(r for r, _ in hole), min(c for _, c in hole)
    height, width = max(r for r, _ in hole) - top + 1, max(c for _, c in hole) - left + 1
    p1, p2 = state.shown
    h1, w1 = len(p1), len(p1[0])
    p1_cells = [(i, j) for i in range(h1) for j in range(w1) if p1[i][j]]
    lines = [f"The empty cells fill rows {top}-{top + height - 1} and columns {left}-{left + width - 1}: a "
             f"{height}×{width} box. Piece {first} is {size_text(p1)} and piece {second} is {size_text(p2)}.",
             f"Piece {first} must lie inside the empty cells, so its top-left cell is in rows "
             f"{top}-{top + height - h1} and columns {left}-{left + width - w1}. Each such position:"]
    right = []
    for r in range(top, top + height - h1 + 1):
        for c in range(left, left + width - w1 + 1):
            blocked = next(((i, j) for i, j in p1_cells if (r + i, c + j) not in hole), None)
            where = box_text(r, c, h1, w1)
            if blocked is not None:
                i, j = blocked
                lines.append(f"- {where}: its panel cell {fmt_cell(blocked)} would land on board cell "
                             f"{fmt_cell((r + i, c + j))}, which holds piece {state.grid[r + i][c + j]}.")
                continue
            rest = hole - {(r + i, c + j) for i, j in p1_cells}
            if shape_of(rest) == p2:
                right.append((r, c))
                lines.append(f"- {where}: it fits, and the {len(rest)} cells left over have exactly the shape of "
                             f"piece {second} ({size_text(p2)}).")
            else:
                lines.append(f"- {where}: it fits, but the cells left over (in a {size_text(shape_of(rest))} box) "
                             f"do not have the shape of piece {second}.")
    if len(right) != 1:
        raise GiveUp(f"{len(right)} placements of piece {first} leave piece {second}'s shape")
    (r, c), = right
    inside = [(a, b) for a in range(top, top + height - h1 + 1) for b in range(left, left + width - w1 + 1)]
    around = [(a, b) for a in range(max(0, top - 2), min(state.n - h1, top + height - h1 + 2) + 1)
              for b in range(max(0, left - 2), min(state.n - w1, left + width - w1 + 2) + 1) if (a, b) not in inside]
    wrong = [rc for rc in inside if rc != (r, c)]
    rng.shuffle(wrong)
    rng.shuffle(around)
    wrong += around
    if len(wrong) < OPTIONS - 1:
        raise GiveUp("too few boxes of the first piece's size near the hole for 8 options")
    lines.append(f"Only one position works: piece {first} goes at {box_text(r, c, h1, w1)}.")
    question = rules(state, f"Two adjacent pieces, piece {first} and piece {second}, have been taken off. They are "
                     "drawn as they lay on the board: not rotated, not flipped.",
                     "A placement puts a piece, without rotating or flipping it, with every one of its cells on an "
                     "empty cell.") + \
        (f"\n\nQuestion:\nWhere must piece {first} be placed so that piece {second} can then fill the remaining "
         f"empty cells exactly? Each option gives the smallest rectangle around piece {first} on the main board, "
         "from its top-left cell to its bottom-right cell, as (row, column) to (row, column).")
    return QA(question, "\n".join(lines), box_text(r, c, h1, w1),
              [box_text(a, b, h1, w1) for a, b in wrong[:OPTIONS - 1]], {"piece1": first, "piece2": second})


TASKS = [
    Task(1, "piece_count", "Target Perception", "Easy", piece_count),
    Task(2, "piece_rotation", "State Prediction", "Medium", piece_rotation),
    Task(3, "piece_area", "Target Perception", "Medium", piece_area),
    Task(4, "piece_adjacency", "Target Perception", "Medium", piece_adjacency),
    Task(5, "piece_placement", "State Prediction", "Hard", piece_placement),
]
