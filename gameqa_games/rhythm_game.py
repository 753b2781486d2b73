"""Rhythm Game, a GameQA game (Game-RL, arXiv 2505.13886): Game-RL folder `rhythm_game`, multi-step reasoning,
in-domain (a training game).

The game. A grid of 15×4 (Easy), 15×6 (Medium) or 20×6 (Hard) cells holds coloured blocks that fall one row a
second. Before the game the player puts a finger on one column and never moves it; a block is clicked when it is
in row 1, the bottom row, in that column. The blocks now in row 1 are clicked first, the blocks now in row r
reach row 1 r - 1 seconds later. Three kinds of block:
  - Click (yellow, 1 cell): 10 points.
  - Reverse (green, 1 cell): 15 points; once it is clicked the whole board is mirrored left to right while the
    finger stays at the same column of the screen, so from then on it clicks the mirror column cols + 1 - c of
    the picture (cols is even, so a mirror always changes the column; a second mirror undoes the first).
  - Snake (2 to 5 cells stacked in one column): the head, its lowest cell, is pink, the body cells between are
    blue, the tail, its top cell, is grey. A snake of l cells scores l·(2l + 7) (22, 39, 60, 85) only if every
    one of its cells is clicked: a finger that a mirror lands on its body or tail has missed the head, and the
    snake scores nothing.
In the flip-delay variant (tasks 5 and 7) mirroring takes a second: the row that reaches row 1 during it passes
unclicked.

Coordinates. Cells are written (row, column), both 1-based, row 1 at the BOTTOM (where blocks are clicked) and
column 1 on the left, as the tick labels on the image show; unlike the other grid games, rows count upwards.
Positions always name the picture as drawn, before any mirroring. `state` is {"rows", "cols", "blocks": [{"row",
"col", "kind", and "snake" (its index in "snakes") for snake cells}], "snakes": [{"col", "head", "length"}]},
kind one of click, reverse, head, body, tail; plus the question's own parameters (the cell of task 1, the head
cell and the seconds of task 3, the column of tasks 4 and 5, the mirror delay of tasks 4 to 7).

Boards, as Game-RL draws them: rows·cols // 2 "blocks" split 7:4:3 into clicks, reverses and snakes (floor
division; snakes take the rest): Easy 15 / 8 / 7, Medium 22 / 12 / 11, Hard 30 / 17 / 13. Snakes are placed
first, each with a uniform column, length 2-5 and head row 1..rows-4, extending upwards; then the clicks, then
the reverses, each in a uniform cell; nothing overlaps. About three quarters of the cells end up occupied.

The tasks are Game-RL's seven (its question ids, descriptions, qa_type and qa_level):
  1 the block type in a cell (TP, Easy): the fixed 6 options Non-type, Click, Reverse, Snake Head, Snake Body,
    Snake Tail
  2 the fraction of cells that hold a block, 3 decimals (TP, Easy): fill-in, like 0.733
  3 the length of the snake whose head is at a given cell after k seconds of falling (SP, Medium): the fixed 4
    options 2, 3, 4, 5
  4 the score when clicking a given column (SP, Medium): 8-option multiple choice
  5 the same with the 1-second mirror (SP, Medium): 8-option multiple choice
  6 the column that scores the most (SO, Hard): the fixed options 1 .. cols
  7 the same with the 1-second mirror (SO, Hard): the fixed options 1 .. cols

Deviations from Game-RL:
  1. Tasks 6 and 7 ask only about boards whose best column is unique (others are redrawn, about 1 in 60):
     Game-RL keeps ties and then answers with several option numbers ("2, 4"), which no single option states.
  2. Tasks 4 and 5's wrong options are scores a player could get: the other columns' scores and this column's
     score under the other mirror rule where they lie within 100 of the gold, then random totals within 100 of
     it that some blocks add up to (sums of 10, 15, 22, 39, 60, 85). The gold's rank among the sorted options is
     drawn uniformly. Game-RL adds 7 distinct offsets in [-15, 15] to the gold, so the options are centred on it
     (their middle gives it away) and can be negative or scores no play can reach. Nor are they the gold plus
     or minus one or two blocks' points: then the gold is the option most others differ from by such a step,
     a guess that found it 6 times in 10 when we tried that scheme.
  3. Task 2's question asks for the fraction of cells as a decimal with 3 decimals. Game-RL asks for a
     "percentage" "to 3 significant figures" and wants a fraction to 3 decimals (the two agree only because the
     fraction is above 0.1); its description keeps Game-RL's words.
  4. Task 3 draws only among snakes whose head is above row 1 (k >= 1 needs one); a board without one is
     redrawn. Game-RL loops forever on such a board.
  5. A block goes to a uniform choice among the placements that overlap nothing. This is the distribution of
     Game-RL's draw-until-it-fits loop, without the loop (a placement always exists: see `new_state`).
  6. The state names block kinds (Game-RL stores colours) and lists the snakes explicitly (Game-RL's are
     recovered by walking up from each head), and it stores each question's parameters.
  7. The picture is Game-RL's layout (430×530, the grid 400×500, a line at the top of every row, separators
     between columns, blocks 80 % of a cell, Game-RL's colours), plus a thicker line under row 1, where blocks
     are clicked.
  8. The questions and analyses are our own words. The rules say when the blocks in row 1 are clicked (at once),
     that a part-clicked snake scores nothing, what the mirror does to the finger's column, and that positions
     name the picture as drawn; "Non-type" is explained as an empty cell. Options are lettered by the engine;
     tasks 4 and 5's are shuffled, the others keep their fixed order as Game-RL lists them.
"""
from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp, fmt_cell, font

SIZE = {"Easy": (15, 4), "Medium": (15, 6), "Hard": (20, 6)}  # plot level -> (rows, cols)
SNAKE_LENGTHS = (2, 3, 4, 5)
KINDS = ("click", "reverse", "head", "body", "tail")
NAMES = {None: "Non-type", "click": "Click", "reverse": "Reverse", "head": "Snake Head", "body": "Snake Body",
         "tail": "Snake Tail"}
TYPE_OPTIONS = [NAMES[k] for k in (None,) + KINDS]  # task 1's list, in Game-RL's order
COLOURS = {"click": (255, 255, 0), "reverse": (0, 255, 0), "head": (255, 105, 180), "body": (0, 0, 255),
           "tail": (128, 128, 128)}
COLOUR_NAMES = {"click": "yellow", "reverse": "green", "head": "pink", "body": "blue", "tail": "grey"}
CLICK_POINTS, REVERSE_POINTS = 10, 15


def snake_points(length):
    return length * (2 * length + 7)


BLOCK_POINTS = (CLICK_POINTS, REVERSE_POINTS) + tuple(snake_points(n) for n in SNAKE_LENGTHS)  # 10 15 22 39 60 85
OPTIONS = 8            # tasks 4 and 5
DISTRACTOR_SPAN = 100  # tasks 4 and 5's wrong scores lie within this many points of the gold


def block_counts(rows, cols):
    """Game-RL's 7:4:3 split of rows·cols // 2 into (clicks, reverses, snakes), snakes taking the rest."""
    total = rows * cols // 2
    clicks, reverses = total * 7 // 14, total * 4 // 14
    return clicks, reverses, total - clicks - reverses


# ---------------------------------------------------------------------------------------------------------
# The game: the board in picture coordinates, one second of falling, and a game played with one column

class Board:
    def __init__(self, rows, cols, snakes, singles):
        """`snakes`: (col, head row, length) each; `singles`: {(row, col): "click" | "reverse"}."""
        self.rows, self.cols = rows, cols
        self.snakes = [tuple(s) for s in snakes]
        self.kinds, self.snake_of = dict(singles), {}
        for i, (col, head, length) in enumerate(self.snakes):
            for k in range(length):
                self.kinds[(head + k, col)] = "head" if k == 0 else "tail" if k == length - 1 else "body"
                self.snake_of[(head + k, col)] = i

    def kind(self, cell):
        return self.kinds.get(tuple(cell))

    def snake_cells(self, i):
        col, head, length = self.snakes[i]
        return [(head + k, col) for k in range(length)]

    def mirror_column(self, col):
        return self.cols + 1 - col

    def move(self):
        """One second with no click: every block falls a row and row 1's blocks leave the board. A snake that
        has partly left keeps its remaining cells (its head row may then be below 1)."""
        singles = {(r - 1, c): kind for (r, c), kind in self.kinds.items() if kind in ("click", "reverse") and r > 1}
        fallen = Board(self.rows, self.cols, [], singles)
        fallen.snakes = [(col, head - 1, length) for col, head, length in self.snakes]
        for i in range(len(fallen.snakes)):
            for r, c in self.snake_cells(i):
                if r > 1:
                    fallen.kinds[(r - 1, c)], fallen.snake_of[(r - 1, c)] = self.kinds[(r, c)], i
        return fallen

    def to_json(self):
        blocks = []
        for (r, c), kind in sorted(self.kinds.items()):
            block = {"row": r, "col": c, "kind": kind}
            if (r, c) in self.snake_of:
                block["snake"] = self.snake_of[(r, c)]
            blocks.append(block)
        return {"rows": self.rows, "cols": self.cols, "blocks": blocks,
                "snakes": [{"col": c, "head": h, "length": n} for c, h, n in self.snakes]}


def play(board, column, delay):
    """The game with the finger on `column` and a mirror that takes `delay` seconds (0 or 1): the score and the
    blocks the finger meets, bottom to top, as (row, col, kind, points). The finger is followed in picture
    coordinates: a mirror moves it to the mirror column, a head takes its whole snake (no mirror can come
    between two cells of one snake), a body or tail met after a mirror forfeits the rest of its snake."""
    row, col, score, hits = 1, column, 0, []
    while row <= board.rows:  # row grows every pass: at most `rows` passes
        kind = board.kind((row, col))
        if kind is None:
            row += 1
            continue
        if kind == "click":
            points, step = CLICK_POINTS, 1
        elif kind == "reverse":
            points, step = REVERSE_POINTS, 1 + delay
        elif kind == "head":
            length = board.snakes[board.snake_of[(row, col)]][2]
            points, step = snake_points(length), length
        else:  # body or tail: the head went by unclicked
            _, head, length = board.snakes[board.snake_of[(row, col)]]
            points, step = 0, head + length - row
        hits.append((row, col, kind, points))
        score += points
        if kind == "reverse":
            col = board.mirror_column(col)
        row += step
    return score, hits


def new_state(rng, plot_level):
    """A board as Game-RL draws one (see the module docstring, and deviation 5). A placement always exists.
    A snake of l <= 5 cells rules out at most l + 1 <= 6 head rows of its column, of rows - 4 (11 or 16), so a
    15-row column with at most 1 snake, or a 20-row one with at most 2, still takes one; with 6, 10 or 12 snakes
    placed (of 7, 11, 13) some column of 4, 6 or 6 holds that few. The snakes cover at most 35, 55 or 65 cells,
    leaving >= 25, 35, 55 for the 23, 34 or 47 single blocks."""
    rows, cols = SIZE[plot_level]
    clicks, reverses, snake_count = block_counts(rows, cols)
    taken, snakes = set(), []
    for _ in range(snake_count):
        fits = [(col, head, length) for col in range(1, cols + 1) for length in SNAKE_LENGTHS
                for head in range(1, rows - 3)
                if not any((head + k, col) in taken for k in range(length))]
        col, head, length = rng.choice(fits)
        snakes.append((col, head, length))
        taken |= {(head + k, col) for k in range(length)}
    singles = {}
    for kind, count in (("click", clicks), ("reverse", reverses)):
        for _ in range(count):
            cell = rng.choice([(r, c) for r in range(1, rows + 1) for c in range(1, cols + 1) if (r, c) not in taken])
            singles[cell] = kind
            taken.add(cell)
    return Board(rows, cols, sorted(snakes), singles)


# ---------------------------------------------------------------------------------------------------------
# The image: Game-RL's layout. A 430×530 white canvas, the grid 400×500 from x = 30, row numbers (rows at the
# top, 1 at the bottom) on the left, column numbers under the grid.

WIDTH, HEIGHT, LEFT, GRID_W, GRID_H = 430, 530, 30, 400, 500
BLOCK_SHARE = 0.8


def render(state):
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    cw, ch = GRID_W / state.cols, GRID_H / state.rows

    inset_x, inset_y = cw * (1 - BLOCK_SHARE) / 2, ch * (1 - BLOCK_SHARE) / 2
    for (r, c), kind in sorted(state.kinds.items()):  # row r's top edge is (rows - r) cells down
        x0, y0 = LEFT + (c - 1) * cw, (state.rows - r) * ch
        draw.rectangle((round(x0 + inset_x), round(y0 + inset_y), round(x0 + cw - inset_x) - 1,
                        round(y0 + ch - inset_y) - 1), fill=COLOURS[kind])
    for r in range(1, state.rows + 1):  # the top edge of every row
        y = round((state.rows - r) * ch)
        draw.line((LEFT, y, LEFT + GRID_W, y), fill="black")
    draw.line((LEFT, GRID_H - 1, LEFT + GRID_W, GRID_H - 1), fill="black", width=3)  # row 1's click line
    for c in range(1, state.cols):  # separators between columns
        x = round(LEFT + c * cw)
        draw.line((x, 0, x, GRID_H), fill="black")
    row_font, col_font = font(15 if state.rows <= 15 else 13), font(18)
    for r in range(1, state.rows + 1):
        draw.text((LEFT / 2, (state.rows - r + 0.5) * ch), str(r), fill="black", font=row_font, anchor="mm")
    for c in range(1, state.cols + 1):
        draw.text((LEFT + (c - 0.5) * cw, GRID_H + (HEIGHT - GRID_H) / 2), str(c), fill="black", font=col_font,
                  anchor="mm")
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

def intro(state):
    rows, cols = state.rows, state.cols
    return ("The image shows a rhythm game: coloured blocks on a grid of "
            f"{rows} rows and {cols} columns. Cells are written (row, column): rows are numbered from 1 at the "
            f"bottom to {rows} at the top, columns from 1 on the left to {cols} on the right, as the tick labels "
            "show.\n"
            "Every second all blocks fall down one row. Before the game you choose one column and put your finger "
            "on it; the finger never moves. A block is clicked when it is in row 1 (the bottom row, above the "
            "thick line) in your column: the blocks in row 1 now are clicked at once, the blocks in row r reach "
            "row 1 after r - 1 seconds. Not clicking does not stop the blocks from falling.\n"
            "There are three kinds of blocks:\n"
            "1. A Click block is yellow and fills 1 cell. Clicking it scores 10 points.\n"
            "2. A Reverse block is green and fills 1 cell. Clicking it scores 15 points, and right after it is "
            "clicked the whole board is mirrored left to right, while your finger stays at the same place on the "
            "screen. So if your finger is on column c of the picture, after the mirror it clicks column "
            f"{cols + 1} - c of the picture; a second mirror brings it back.\n"
            "3. A Snake block fills 2 to 5 consecutive cells of one column. Its lowest cell, the Snake Head, is "
            "pink; its top cell, the Snake Tail, is grey; the cells between them, the Snake Body, are blue. A "
            "snake of l cells (head and tail included) scores l·(2l + 7) points (22, 39, 60 or 85 for l = 2, 3, "
            "4, 5), but only if every one of its cells is clicked; clicking part of a snake scores nothing.\n"
            "Positions in the questions always name the cells of the picture as it is drawn, before any mirror.\n\n")


DELAY_RULE = ("This time mirroring the board takes 1 second: the blocks keep falling during that second, and "
              "the row that reaches row 1 while the board is mirroring cannot be clicked. ")


def block_type(rng, state):
    cell = (rng.randint(1, state.rows), rng.randint(1, state.cols))
    kind = state.kind(cell)
    question = (intro(state) + f"What type of block is in the cell at row {cell[0]} and column {cell[1]}, that is "
                f"{fmt_cell(cell)}? \"Non-type\" means the cell is empty.")
    if kind is None:
        analysis = f"The cell {fmt_cell(cell)} in the image is empty, so it holds no block: Non-type."
    else:
        analysis = (f"The cell {fmt_cell(cell)} in the image is {COLOUR_NAMES[kind]}, which means it is a "
                    f"{NAMES[kind]} block.")
    return QA(question, analysis, NAMES[kind], options=TYPE_OPTIONS, given={"cell": list(cell)})


def fraction_text(count, total):
    """count / total rounded half up to 3 decimals, by integer arithmetic (no float ties)."""
    thousandths = (2000 * count + total) // (2 * total)
    return f"{thousandths // 1000}.{thousandths % 1000:03d}"


def occupied_fraction(rng, state):
    total = state.rows * state.cols
    per_row = [sum((r, c) in state.kinds for c in range(1, state.cols + 1)) for r in range(1, state.rows + 1)]
    answer = fraction_text(sum(per_row), total)
    question = (intro(state) + "What fraction of the cells of the grid hold a block (each cell of a snake counts "
                "as one)? Give it as a decimal rounded to 3 decimal places, like 0.583.")
    lines = [f"The grid has {state.rows} rows and {state.cols} columns, so {state.rows} * {state.cols} = {total} "
             "cells."]
    lines += [f"Row {r}: {n} block{'' if n == 1 else 's'}." for r, n in enumerate(per_row, 1)]
    lines.append(f"In total {' + '.join(map(str, per_row))} = {sum(per_row)} cells hold a block, and "
                 f"{sum(per_row)} / {total} = {answer} to 3 decimals.")
    return QA(question, "\n".join(lines), answer)


def snake_length(rng, state):
    heads = [(head, col) for col, head, _ in state.snakes if head > 1]
    if not heads:
        raise GiveUp("no snake head above row 1")
    head_now = rng.choice(heads)
    seconds = rng.randint(1, head_now[0] - 1)
    later = state
    for _ in range(seconds):
        later = later.move()
    head_then = (head_now[0] - seconds, head_now[1])
    i = later.snake_of[head_then]
    length = sum(r >= 1 for r, _ in later.snake_cells(i))
    assert later.kind(head_then) == "head" and length == state.snakes[i][2]
    question = (intro(state) + "Suppose you click nothing. After "
                f"{seconds} second{'' if seconds == 1 else 's'}, the head (the lowest, pink cell) of a snake block "
                f"is at {fmt_cell(head_then)}. How many cells long is that snake, head and tail included?")
    cells = state.snake_cells(i)
    above = ", ".join(f"{NAMES[state.kind(c)]} at {fmt_cell(c)}" for c in cells[1:])
    analysis = (f"The blocks fall 1 row a second, so {seconds} second{'' if seconds == 1 else 's'} earlier, in the "
                f"picture, that head is {seconds} row{'' if seconds == 1 else 's'} higher, at {fmt_cell(head_now)}, "
                f"a pink cell. Above it in column {head_now[1]}: {above}. The snake has {length} cells.")
    return QA(question, analysis, str(length), options=[str(n) for n in SNAKE_LENGTHS],
              given={"head_after": list(head_then), "seconds": seconds})


def walk_lines(state, hits, delay):
    lines = []
    for r, c, kind, points in hits:
        at = f"At {fmt_cell((r, c))} there is a {NAMES[kind]} block"
        if kind == "head":
            n = [n for n in SNAKE_LENGTHS if snake_points(n) == points][0]
            lines.append(f"{at}; its snake is {n} cells long and is clicked whole: {n}·(2·{n} + 7) = {points} "
                         "points.")
        elif kind in ("body", "tail"):
            lines.append(f"{at}: the finger missed this snake's head, so the snake scores nothing; skip the rest "
                         "of it.")
        elif kind == "reverse":
            skip = f"; row {r + 1} passes while the board mirrors: skip 1 row" if delay and r < state.rows else ""
            lines.append(f"{at}: 15 points. The board mirrors, so the finger now clicks column "
                         f"{state.mirror_column(c)} of the picture{skip}.")
        else:
            lines.append(f"{at}: 10 points.")
    return lines


def sum_text(hits):
    points = [p for *_, p in hits]
    return f"{' + '.join(map(str, points))} = {sum(points)}" if len(points) > 1 else str(sum(points))


def reachable_scores(limit):
    """Every total up to `limit` that some set of blocks can score: sums of 10, 15, 22, 39, 60 and 85."""
    ok = [True] + [False] * limit
    for total in range(1, limit + 1):
        ok[total] = any(total >= p and ok[total - p] for p in BLOCK_POINTS)
    return ok


REACHABLE = reachable_scores(1000)  # a 20-row column scores at most 20·17 = 340


def score_options(rng, state, column, delay, gold):
    """Task 4 and 5's 7 wrong scores (deviation 2). The gold's rank among the sorted 8 is drawn uniformly; each
    side is filled with the other columns' and the other rule's scores first, then with random reachable
    totals, all within DISTRACTOR_SPAN of the gold."""
    fine = lambda v: v != gold and 0 <= v and abs(v - gold) <= DISTRACTOR_SPAN and REACHABLE[v]
    played = sorted(filter(fine, {play(state, c, d)[0] for c in range(1, state.cols + 1) for d in (0, 1)}))
    others = [v for v in range(gold - DISTRACTOR_SPAN, gold + DISTRACTOR_SPAN + 1) if fine(v) and v not in played]
    rng.shuffle(played)
    rng.shuffle(others)
    below, above = [v for v in played + others if v < gold], [v for v in played + others if v > gold]
    rank = rng.choice(range(max(0, OPTIONS - 1 - len(above)), min(OPTIONS - 1, len(below)) + 1))
    return [str(v) for v in below[:rank] + above[:OPTIONS - 1 - rank]]


def column_score(rng, state, delay):
    column = rng.randint(1, state.cols)
    gold, hits = play(state, column, delay)
    question = (intro(state) + (DELAY_RULE if delay else "") +
                f"You put your finger on column {column}. How many points do you score in the whole game?")
    lines = ["Go from the bottom row to the top, following the finger's column:"] + walk_lines(state, hits, delay)
    lines.append(f"The score is {sum_text(hits)} points." if hits else "The finger clicks nothing: 0 points.")
    return QA(question, "\n".join(lines), str(gold), score_options(rng, state, column, delay, gold),
              {"column": column, "mirror_delay": delay})


def hit_text(hit):
    r, c, kind, points = hit
    note = {"head": f" ({points} points)", "body": " (head missed: 0)", "tail": " (head missed: 0)"}.get(kind, "")
    return f"{NAMES[kind]} at {fmt_cell((r, c))}{note}"


def best_column(rng, state, delay):
    scores = [play(state, c, delay) for c in range(1, state.cols + 1)]
    best = max(s for s, _ in scores)
    winners = [c for c, (s, _) in enumerate(scores, 1) if s == best]
    if len(winners) > 1:
        raise GiveUp(f"columns {winners} tie for the best score")
    question = (intro(state) + (DELAY_RULE if delay else "") +
                "Which column should you put your finger on to score the most points in the whole game?")
    lines = []
    for c, (s, hits) in enumerate(scores, 1):
        path = " -> ".join(hit_text(hit) for hit in hits) or "nothing"
        lines.append(f"Column {c}: {path}. Score: {sum_text(hits) if hits else '0'}.")
    lines.append(f"The highest score, {best}, comes from column {winners[0]} alone.")
    return QA(question, "\n".join(lines), str(winners[0]), options=[str(c) for c in range(1, state.cols + 1)],
              given={"mirror_delay": delay})


TASKS = [
    Task(1, "Find the type of the block in a given coordinate.", "Target Perception", "Easy", block_type),
    Task(2, "Find the percentage of cells with blocks, retaining 3 significant figures.", "Target Perception",
         "Easy", occupied_fraction),
    Task(3, "Find the length of the snake block headed by a given coordinate after a given number of seconds.",
         "State Prediction", "Medium", snake_length),
    Task(4, "Find the final point of choosing a given column to click.", "State Prediction", "Medium",
         lambda rng, state: column_score(rng, state, 0)),
    Task(5, "Find the final point of choosing a given column to click when it takes 1 second to reverse the grid.",
         "State Prediction", "Medium", lambda rng, state: column_score(rng, state, 1)),
    Task(6, "Find choosing which column to click can get the highest score.", "Strategy Optimization", "Hard",
         lambda rng, state: best_column(rng, state, 0)),
    Task(7, "Find choosing which column to click can get the highest score when it takes 1 second to reverse the "
         "grid.", "Strategy Optimization", "Hard", lambda rng, state: best_column(rng, state, 1)),
]
