"""Jewel2, a match-3 game with clear and swap commands (Game-RL folder `jewel2`; pattern recognition and matching;
out-of-domain, held out).

The game. An n×n board (n = 4, 5, 6 for plot levels Easy, Medium, Hard) holds one element per cell: basic elements
A B C D E (red, green, blue, yellow, purple) or special ones: a b c d e (the same colours), '+' and '|'. Each cell
is drawn independently: basic with probability 0.95 (uniform over A-E), else special (uniform over the seven).
Two commands act on the board:
  - `clear x y` on a basic element works only if the cell is in a horizontal or vertical line of 3 or more
    identical elements; every such line through it (row, column or both) is eliminated. On a special element it
    always works: a-e eliminate themselves and every basic element of their upper-case letter, '|' its whole
    column, '+' the 3×3 block around it (clipped to the board). Specials eliminated this way do not fire.
  - `swap x y pos` (pos up / down / left / right): nothing happens if the neighbour is off the board; it is refused
    if either element is special; otherwise the two are exchanged and every line of 3+ through either cell is
    eliminated, and if there is none they are swapped back.
Eliminated cells (each counted once) are added to Total Cleared; the elements above each gap fall down, new random
elements fill the top, and nothing more happens (no chain reactions).

Coordinates. (x, y) = (row, column), 0-based, (0, 0) top-left and (n-1, n-1) bottom-right, as the tick labels
(columns on top, rows on the left) show; commands are written `clear x y` and `swap x y pos`.

Tasks (Game-RL's question_ids 0-6; the qa_level is fixed per task whatever the board):
  0 Target Perception / Easy        how many of one basic element (fill-in number, may be 0)
  1 Target Perception / Easy        which cell holds one basic element (8 cells)
  2 Target Perception / Easy        how many special elements (fill-in number)
  3 State Prediction / Medium       what `clear x y` does (8 options: nothing, a special fires, 6 counts)
  4 State Prediction / Medium       what `swap x y pos` does (8 options: nothing, refused, 6 counts)
  5 State Prediction / Hard         how many elements two commands in a row eliminate (fill-in number)
  6 Strategy Optimization / Hard    which command eliminates the most in one move (8 options)

Deviations from Game-RL:
  1. Task 6 is multiple choice with 8 options: one command that reaches the largest count, six commands that
     eliminate fewer (those that eliminate something first, then ones that do nothing; no two of them the same
     swap written from either end) and the sentence "No command can clear any elements.", which is the gold when
     nothing can be eliminated. Game-RL asks for the command as fill-in and keeps the first strict maximum of its
     scan, but the best command is rarely unique (`swap r c right` is `swap r c+1 left`, every cell of a line
     gives the same clear), so other right answers would be graded wrong. The record keeps the largest count and
     every command that reaches it (`best_count`, `best_commands`).
  2. Task 5 is decided by the picture. The first command's refill is random and not shown, so the second command
     is evaluated with those cells unknown, and a command that would have to look at one (to extend a line, to
     find every 'A' for an 'a', or to know what is there) is never asked. Game-RL draws both commands at random
     and reads the second off its own random refill. Its draws are also mostly commands that do nothing (gold 0
     in 8 of its 12 examples): here each command is, with probability 0.75, drawn among those that eliminate
     something (the second among those the picture decides), else among all. The question asks how many
     elements are eliminated, not "at least" how many, since the count is exact.
  3. Task 5 counts what each command eliminates. Game-RL reads a swap's count off the board's running score,
     which already holds the first command's count, so a swap as second command counted that twice.
  4. Tasks 3 and 4 ask, with probability 0.75, a command drawn uniformly among those that eliminate something
     (Game-RL takes the first in row-major order, nearly always the top-most) and otherwise a uniform cell (and
     direction, which may point off the board), as in Game-RL.
  5. Tasks 3 and 4's counts are a run of consecutive integers (none below 3, the least a line eliminates, unless
     the true count is) with the true count at a random place in it; when the answer is not a count, the run
     holds a count that some command of the same kind eliminates on this board. Game-RL draws them from 1..9,
     so a true count of 10 or more stood out. In task 3, option B ("a special element fires, the total becomes
     T'") carries the true new total only when it is the gold; otherwise its count is another integer of the
     run (Game-RL printed the true total there, a leak). No count option states the true count unless it is
     the gold. The engine shuffles all eight options; Game-RL keeps "nothing" and "special" at A and B, a prior.
  6. Task 1's seven wrong cells never hold the element; Game-RL's fallback, for a board with fewer than seven
     other cells, drew them from the whole board. Such a board (one letter in 10 of 16 cells) is redrawn.
  7. The qa_types are the paper's names for Game-RL's code labels (StateInfo -> Target Perception, ActionOutcome
     -> State Prediction); task 2 is StateInfo in the code, so Target Perception.
  8. The rules text is ours and shorter; it states the order of a swap's checks (off the board, then special,
     then lines) and that a cell is counted once when two lines cross.
  9. The image keeps Game-RL's layout (480×640, title, board at (60, 150) with 400 // n px cells, tick labels,
     "Total Cleared" under the board) with simple shapes for its gem sprites: a coloured rhombus for A-E, a
     coloured disc for a-e, a black disc for '+', a narrow cyan bar for '|', each on a light grey tile.
  10. The state keeps Game-RL's fields (rows, cols, chessboard, total_cleared) plus each question's parameters:
     the element asked (0, 1), the command (3, 4), the two commands (5), the best count and commands (6).
No search needs a budget: the largest enumeration is every command on a 6×6 board (144 swaps, 36 clears).
"""
from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp, GRID_CONVENTION, MOVE_DELTAS, fmt_cell, font

SIZE = {"Easy": 4, "Medium": 5, "Hard": 6}  # plot level -> board side
BASIC, SPECIAL = "ABCDE", "abcde+|"
BASIC_P = 0.95  # chance that a drawn element is basic
DIRECTIONS = ("up", "down", "right", "left")  # Game-RL's scan order
OPTIONS = 8
VALID_P = 0.75  # tasks 3-5: chance that a command is drawn among those that eliminate something
NONE_TEXT = "No command can clear any elements."


class Unseen(Exception):
    """A command had to read a cell whose element is unknown (refilled at random after an earlier command)."""


def random_element(rng):
    return rng.choice(BASIC) if rng.random() < BASIC_P else rng.choice(SPECIAL)


# ---------------------------------------------------------------------------------------------------------
# The game: the board, what a command marks, and the move (elimination, gravity, refill)

class Jewel2:
    def __init__(self, board, total_cleared):
        self.board = [list(row) for row in board]  # None: an unknown element (refilled, not shown)
        self.size, self.total_cleared = len(self.board), total_cleared

    def at(self, r, c):
        element = self.board[r][c]
        if element is None:
            raise Unseen((r, c))
        return element

    def inside(self, r, c):
        return 0 <= r < self.size and 0 <= c < self.size

    def line(self, r, c, dr, dc):
        """The maximal run of (r, c)'s element through (r, c) along (dr, dc), as cells in board order."""
        element, cells = self.at(r, c), [(r, c)]
        for sign in (-1, 1):
            i, j = r + sign * dr, c + sign * dc
            while self.inside(i, j) and self.at(i, j) == element:
                cells.append((i, j))
                i, j = i + sign * dr, j + sign * dc
        return sorted(cells)

    def lines_through(self, r, c):
        """The row run and the column run through a basic cell that are 3 or longer (0, 1 or 2 of them)."""
        return [run for run in (self.line(r, c, 0, 1), self.line(r, c, 1, 0)) if len(run) >= 3]

    def effect(self, command):
        """What `command` does, without doing it: (outcome, marked cells, the board the marks apply to).
        Outcomes: clear -> "special" / "lines" / "invalid"; swap -> "off board" / "special" / "lines" /
        "no line". Reading an unknown cell raises Unseen."""
        kind, *args = command.split()
        r, c = int(args[0]), int(args[1])
        if kind == "clear":
            element = self.at(r, c)
            if element in "abcde":
                marked = {(r, c)} | {(i, j) for i in range(self.size) for j in range(self.size)
                                     if self.at(i, j) == element.upper()}
            elif element == "|":
                marked = {(i, c) for i in range(self.size)}
            elif element == "+":
                marked = {(i, j) for i in range(r - 1, r + 2) for j in range(c - 1, c + 2) if self.inside(i, j)}
            else:
                marked = {cell for run in self.lines_through(r, c) for cell in run}
                return ("lines" if marked else "invalid"), sorted(marked), self
            return "special", sorted(marked), self
        dr, dc = MOVE_DELTAS[args[2]]
        r2, c2 = r + dr, c + dc
        if not self.inside(r2, c2):
            return "off board", [], self
        if self.at(r, c) in SPECIAL or self.at(r2, c2) in SPECIAL:
            return "special", [], self
        swapped = Jewel2(self.board, self.total_cleared)
        swapped.board[r][c], swapped.board[r2][c2] = self.board[r2][c2], self.board[r][c]
        marked = {cell for x in ((r, c), (r2, c2)) for run in swapped.lines_through(*x) for cell in run}
        return ("lines" if marked else "no line"), sorted(marked), swapped

    def count(self, command):
        return len(self.effect(command)[1])

    def move(self, command, rng=None):
        """The state after `command`: marked cells removed, each column falling, the top refilled (from `rng`, or
        with unknown elements when rng is None) and Total Cleared raised. Returns (new state, eliminated count)."""
        _, marked, board = self.effect(command)
        if not marked:
            return Jewel2(self.board, self.total_cleared), 0
        gone, rows = set(marked), [[None] * self.size for _ in range(self.size)]
        for c in range(self.size):
            kept = [board.board[r][c] for r in range(self.size) if (r, c) not in gone]  # top to bottom
            new = [random_element(rng) if rng is not None else None for _ in range(self.size - len(kept))]
            for r, element in enumerate(new + kept):
                rows[r][c] = element
        return Jewel2(rows, self.total_cleared + len(marked)), len(marked)

    def to_json(self):
        return {"rows": self.size, "cols": self.size, "chessboard": [list(row) for row in self.board],
                "total_cleared": self.total_cleared}


def new_state(rng, plot_level):
    n = SIZE[plot_level]
    board = [[random_element(rng) for _ in range(n)] for _ in range(n)]
    return Jewel2(board, rng.randint(0, 100))


def all_commands(n):
    """Every command string on an n×n board, Game-RL's order: per cell, clear, then swaps up, down, right, left."""
    return [cmd for r in range(n) for c in range(n)
            for cmd in [f"clear {r} {c}"] + [f"swap {r} {c} {d}" for d in DIRECTIONS]]


def mirror(command):
    """The same swap written from the other cell (`swap 1 2 right` -> `swap 1 3 left`)."""
    _, r, c, d = command.split()
    dr, dc = MOVE_DELTAS[d]
    back = {"up": "down", "down": "up", "left": "right", "right": "left"}[d]
    return f"swap {int(r) + dr} {int(c) + dc} {back}"


# ---------------------------------------------------------------------------------------------------------
# The image: Game-RL's layout, simple shapes for its gem sprites

WIDTH, HEIGHT, BOARD_X, BOARD_Y, BOARD_PX = 480, 640, 60, 150, 400
COLOUR_NAMES = {"A": "red", "B": "green", "C": "blue", "D": "yellow", "E": "purple"}
FILL = {"A": (220, 30, 30), "B": (30, 160, 60), "C": (30, 80, 225), "D": (245, 200, 0), "E": (140, 50, 190)}
TILE, TILE_EDGE, GEM_EDGE, CYAN, BLACK = (232, 232, 232), (150, 150, 150), (40, 40, 40), (0, 200, 230), (0, 0, 0)


def render(state):
    n = state.size
    cell = BOARD_PX // n
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.text((WIDTH / 2, 60), "Jewel2 Game", fill="black", font=font(55), anchor="mm")
    ticks = font(20)
    for i in range(n):
        x = BOARD_X + i * cell + cell / 2
        draw.text((x, BOARD_Y - 22), str(i), fill="black", font=ticks, anchor="mm")
        draw.line((x, BOARD_Y - 8, x, BOARD_Y), fill="black", width=2)
        y = BOARD_Y + i * cell + cell / 2
        draw.text((BOARD_X - 24, y), str(i), fill="black", font=ticks, anchor="mm")
        draw.line((BOARD_X - 8, y, BOARD_X, y), fill="black", width=2)
    for r in range(n):
        for c in range(n):
            x0, y0 = BOARD_X + c * cell, BOARD_Y + r * cell
            draw.rectangle((x0, y0, x0 + cell - 1, y0 + cell - 1), fill=TILE, outline=TILE_EDGE)
            cx, cy, e = x0 + cell / 2, y0 + cell / 2, state.board[r][c]
            if e in BASIC:  # a rhombus: |dx| + |dy| <= 0.4 cell
                h = 0.4 * cell
                draw.polygon([(cx, cy - h), (cx + h, cy), (cx, cy + h), (cx - h, cy)], fill=FILL[e],
                             outline=GEM_EDGE, width=2)
            elif e in "abcde+":  # a disc of radius 0.38 cell
                h = 0.38 * cell
                draw.ellipse((cx - h, cy - h, cx + h, cy + h), fill=BLACK if e == "+" else FILL[e.upper()],
                             outline=GEM_EDGE, width=2)
            else:  # '|': a bar 0.2 cell wide, 0.8 cell tall
                draw.rectangle((cx - 0.1 * cell, cy - 0.4 * cell, cx + 0.1 * cell, cy + 0.4 * cell), fill=CYAN,
                               outline=GEM_EDGE, width=2)
    draw.text((WIDTH / 2, 595), f"Total Cleared: {state.total_cleared}", fill="black", font=font(30), anchor="mm")
    return image


# ---------------------------------------------------------------------------------------------------------
# Tasks

def intro(state):
    n = state.size
    return (f"Jewel2 is a match-3 game on a {n}×{n} board; each cell holds one element, drawn on a grey tile. "
            "Basic elements are diamond (rhombus) shapes: A red, B green, C blue, D yellow, E purple. Special "
            "elements: a, b, c, d and e are round discs in the same colours (a red, b green, c blue, d yellow, "
            "e purple), '+' is a black disc and '|' is a narrow cyan vertical bar. "
            + GRID_CONVENTION.format(last_r=n - 1, last_c=n - 1)
            + " Commands name a cell row first: 'clear x y' and 'swap x y pos' act on row x, column y.\n"
            "- clear x y on a basic element works only if the cell is part of a horizontal or a vertical line of 3 "
            "or more identical elements next to each other; every such line through the cell is eliminated (both, "
            "if its row and its column each have one). Otherwise nothing happens.\n"
            "- clear x y on a special element always works: a, b, c, d or e eliminates itself and every basic "
            "element of its upper-case letter on the board (a removes every A); '|' eliminates its whole column; "
            "'+' eliminates the 3×3 block around it (itself and its up to 8 neighbours, diagonals included).\n"
            "- swap x y pos exchanges the element at (x, y) with its neighbour in direction pos (up: row - 1, "
            "down: row + 1, left: column - 1, right: column + 1). If that neighbour is off the board, nothing "
            "happens. Otherwise, if either element is special, the swap is refused and nothing happens. Otherwise "
            "the two are exchanged and every line of 3 or more identical elements through either of the two cells "
            "is eliminated (also when the two elements are identical); if there is none, they are swapped back and "
            "nothing happens.\n"
            "When a command eliminates elements, the number of eliminated cells (each cell once, special elements "
            "included) is added to Total Cleared, shown under the board; the elements above each gap fall down and "
            "new random elements fill the empty cells at the top. Special elements eliminated by another effect do "
            "not fire, and there are no chain reactions: lines formed by falling or new elements stay.")


def show(board):
    """A board as text rows, '?' for an unknown element."""
    return "\n".join(" ".join(e or "?" for e in row) for row in board)


def cells_text(cells):
    return ", ".join(fmt_cell(x) for x in cells) if cells else "none"


def explain(state, command):
    """One sentence on what `command` does on `state` and how many cells it eliminates."""
    outcome, marked, board = state.effect(command)
    kind, *args = command.split()
    r, c = int(args[0]), int(args[1])
    if kind == "clear":
        e = state.at(r, c)
        if outcome == "special":
            what = {"|": f"the '|' eliminates column {c}", "+": f"the '+' eliminates the block around {fmt_cell((r, c))}"}
            return (f"`{command}`: {fmt_cell((r, c))} holds the special '{e}'; "
                    + what.get(e, f"it eliminates itself and every '{e.upper()}'")
                    + f": {cells_text(marked)}, {len(marked)} elements.")
        row, col = state.line(r, c, 0, 1), state.line(r, c, 1, 0)
        return (f"`{command}`: {fmt_cell((r, c))} holds '{e}'; its line in row {r} has {len(row)} "
                f"({cells_text(row)}), its line in column {c} has {len(col)} ({cells_text(col)}). "
                + (f"Eliminated: {cells_text(marked)}, {len(marked)} elements." if marked
                   else "Neither reaches 3, so nothing happens."))
    dr, dc = MOVE_DELTAS[args[2]]
    other = (r + dr, c + dc)
    if outcome == "off board":
        return f"`{command}`: the neighbour {fmt_cell(other)} is off the board, so nothing happens."
    pair = f"{fmt_cell((r, c))} '{state.board[r][c]}' and {fmt_cell(other)} '{state.board[other[0]][other[1]] or '?'}'"
    if outcome == "special":
        return f"`{command}`: {pair}; one of them is special, so the swap is refused."
    lines = []
    for x in ((r, c), other):
        row, col = board.line(*x, 0, 1), board.line(*x, 1, 0)
        lines.append(f"{fmt_cell(x)} then holds '{board.at(*x)}' with a row line of {len(row)} and a column line "
                     f"of {len(col)}")
    return (f"`{command}`: swapping {pair}; " + "; ".join(lines) + ". "
            + (f"Eliminated: {cells_text(marked)}, {len(marked)} elements." if marked
               else "No line reaches 3, so they are swapped back and nothing happens."))


def pick_command(rng, state, candidates):
    """With probability VALID_P a uniform candidate that eliminates something (if any), else a uniform candidate."""
    valid = [cmd for cmd in candidates if state.count(cmd) > 0]
    return rng.choice(valid if valid and rng.random() < VALID_P else candidates)


def typical_count(rng, state, candidates):
    """A count some candidate command eliminates on this board (3 if none does): where the count options of a
    question whose answer is not a count are centred, so their place does not tell whether it is."""
    counts = [k for k in (state.count(cmd) for cmd in candidates) if k > 0]
    return rng.choice(counts) if counts else 3


def count_run(rng, true, k):
    """k consecutive integers containing `true` at a uniformly random place it can take, none below 3 (the least a
    line eliminates) unless `true` is."""
    low = rng.randint(max(min(3, true), true - k + 1), true)
    return list(range(low, low + k))


def element_count(rng, state):
    element = rng.choice(BASIC)
    cells = [(r, c) for r in range(state.size) for c in range(state.size) if state.board[r][c] == element]
    question = intro(state) + f"\n\nHow many '{element}' elements ({COLOUR_NAMES[element]} diamonds) are on the board?"
    analysis = (f"Scanning the board row by row, '{element}' is at: {cells_text(cells)}.\n"
                f"So there are {len(cells)} '{element}' elements.")
    return QA(question, analysis, str(len(cells)), given={"element": element})


def element_position(rng, state):
    n = state.size
    present = sorted({e for row in state.board for e in row if e in BASIC})
    element = rng.choice(present)
    cells = [(r, c) for r in range(n) for c in range(n) if state.board[r][c] == element]
    others = [(r, c) for r in range(n) for c in range(n) if state.board[r][c] != element]
    if len(others) < OPTIONS - 1:
        raise GiveUp("too few cells without the element for seven wrong options")
    gold = rng.choice(cells)
    question = (intro(state) + f"\n\nWhich of the following cells holds the element '{element}' "
                f"(a {COLOUR_NAMES[element]} diamond)?")
    analysis = (f"'{element}' is at: {cells_text(cells)}. Among the options only {fmt_cell(gold)} is one of them; "
                "every other option holds something else.")
    return QA(question, analysis, fmt_cell(gold), [fmt_cell(x) for x in rng.sample(others, OPTIONS - 1)],
              {"element": element})


def special_count(rng, state):
    n = state.size
    lines = []
    for s in SPECIAL:
        cells = [(r, c) for r in range(n) for c in range(n) if state.board[r][c] == s]
        if cells:
            lines.append(f"'{s}': {cells_text(cells)}")
    total = sum(e in SPECIAL for row in state.board for e in row)
    question = intro(state) + "\n\nHow many special elements (a, b, c, d, e, +, |) are on the board?"
    analysis = ("Special elements on the board: " + ("; ".join(lines) if lines else "none") +
                f".\nSo there are {total} special elements.")
    return QA(question, analysis, str(total))


def clear_outcome(rng, state):
    n, t = state.size, state.total_cleared
    clears = [f"clear {r} {c}" for r in range(n) for c in range(n)]
    command = pick_command(rng, state, clears)
    outcome, marked, _ = state.effect(command)
    k = len(marked)
    nothing = "Nothing happens: the clear is not valid, so the board and Total Cleared stay as they are."

    def special(v):
        return f"A special element fires; Total Cleared becomes {t + v}."

    def lines(v):
        return f"Lines are eliminated: {v} elements are removed and Total Cleared becomes {t + v}."

    # Seven consecutive counts: one for option B, six for the line options. The true count goes only to the
    # option that states what happens, so no wrong option carries it.
    run = count_run(rng, k or typical_count(rng, state, clears), OPTIONS - 1)
    if outcome == "special":
        answer, distractors = special(k), [nothing] + [lines(v) for v in run if v != k]
    else:
        b = rng.choice([v for v in run if v != k])
        line_counts = [v for v in run if v != b]
        if outcome == "lines":
            answer, distractors = lines(k), [nothing, special(b)] + [lines(v) for v in line_counts if v != k]
        else:
            answer, distractors = nothing, [special(b)] + [lines(v) for v in line_counts]
    question = intro(state) + f"\n\nWhat happens if you execute `{command}`?"
    analysis = explain(state, command) + (f"\nTotal Cleared: {t} + {k} = {t + k}." if k else "")
    return QA(question, analysis, answer, distractors, {"command": command})


def swap_outcome(rng, state):
    t = state.total_cleared
    swaps = [cmd for cmd in all_commands(state.size) if cmd.startswith("swap")]
    command = pick_command(rng, state, swaps)
    outcome, marked, _ = state.effect(command)
    k = len(marked)
    nothing = ("Nothing happens: the neighbour is off the board or the swap forms no line of 3, so the board and "
               "Total Cleared stay as they are.")
    refused = "The swap is refused because one of the two elements is special."

    def lines(v):
        return f"After the swap, {v} elements are eliminated and Total Cleared becomes {t + v}."

    run = count_run(rng, k or typical_count(rng, state, swaps), OPTIONS - 2)
    if outcome == "lines":
        answer, distractors = lines(k), [nothing, refused] + [lines(v) for v in run if v != k]
    else:
        answer = refused if outcome == "special" else nothing
        distractors = [refused if answer == nothing else nothing] + [lines(v) for v in run]
    question = intro(state) + f"\n\nWhat happens if you execute `{command}`?"
    analysis = explain(state, command) + (f"\nTotal Cleared: {t} + {k} = {t + k}." if k else "")
    return QA(question, analysis, answer, distractors, {"command": command})


def decided(state, command):
    """Does the picture decide what `command` does on `state` (it reads no unknown cell)?"""
    try:
        state.effect(command)
    except Unseen:
        return False
    return True


def two_commands(rng, state):
    commands = all_commands(state.size)
    first = pick_command(rng, state, commands)
    after, k1 = state.move(first)  # the refill stays unknown
    candidates = [cmd for cmd in commands if cmd != first and decided(after, cmd)]
    if not candidates:
        raise GiveUp("every second command would read a refilled cell")
    second = pick_command(rng, after, candidates)
    k2 = after.count(second)
    question = (intro(state) + f"\n\nYou execute `{first}` and then `{second}` on the board that results. How many "
                "elements do the two commands eliminate in total? (A command that does nothing eliminates 0.) The "
                "new elements that fill the board after the first command are random; this question is asked only "
                "when the answer does not depend on them.")
    analysis = (explain(state, first)
                + (f"\nAfter it, the elements fall and the top is refilled ('?' = a new, unknown element):\n"
                   f"{show(after.board)}" if k1 else "\nThe board is unchanged.")
                + "\n" + explain(after, second)
                + f"\nIn total: {k1} + {k2} = {k1 + k2} elements.")
    return QA(question, analysis, str(k1 + k2), given={"commands": [first, second]})


def best_command(rng, state):
    commands = all_commands(state.size)
    counts = {cmd: state.count(cmd) for cmd in commands}
    best = max(counts.values())
    optimal = [cmd for cmd in commands if counts[cmd] == best] if best else []
    # Wrong options: commands that eliminate fewer (those that eliminate something first), each swap once
    # whichever end names it (then written from either end at random), no swap off the board.
    lower = [cmd for cmd in commands if (counts[cmd] < best or not best) and
             (cmd.startswith("clear") or (cmd.endswith(("down", "right")) and state.effect(cmd)[0] != "off board"))]
    useful = [cmd for cmd in lower if counts[cmd] > 0]
    useless = [cmd for cmd in lower if counts[cmd] == 0]
    wanted = OPTIONS - 1 if best == 0 else OPTIONS - 2
    picks = rng.sample(useful, min(wanted, len(useful)))
    picks += rng.sample(useless, wanted - len(picks))
    picks = [mirror(cmd) if cmd.startswith("swap") and rng.random() < 0.5 else cmd for cmd in picks]
    if best:
        answer, distractors = rng.choice(optimal), picks + [NONE_TEXT]
    else:
        answer, distractors = NONE_TEXT, picks
    valid = sorted((cmd for cmd in commands if counts[cmd]), key=lambda cmd: -counts[cmd])  # stable: scan order
    question = (intro(state) + "\n\nWhich of the following commands eliminates the most elements in a single move, "
                "the largest number any one command can eliminate on this board? If no command can eliminate "
                "anything, choose the option that says so.")
    if best:
        analysis = ("Every command that eliminates something, with its count:\n"
                    + "\n".join(f"- `{cmd}`: {counts[cmd]}" for cmd in valid)
                    + f"\nThe most is {best}, reached by: {', '.join(f'`{cmd}`' for cmd in optimal)}. "
                    f"Of the options, `{answer}` is one of them; every other command option eliminates fewer.")
    else:
        analysis = ("No clear is valid (no special element, no line of 3) and no swap forms a line of 3, so no "
                    "command can eliminate anything.")
    return QA(question, analysis, answer, distractors, {"best_count": best, "best_commands": optimal})


TASKS = [
    Task(0, "Count specific element", "Target Perception", "Easy", element_count),
    Task(1, "Identify element position", "Target Perception", "Easy", element_position),
    Task(2, "Count special elements", "Target Perception", "Easy", special_count),
    Task(3, "Simulate clear operation", "State Prediction", "Medium", clear_outcome),
    Task(4, "Simulate swap operation", "State Prediction", "Medium", swap_outcome),
    Task(5, "Simulate command sequence", "State Prediction", "Hard", two_commands),
    Task(6, "Optimize command choice", "Strategy Optimization", "Hard", best_command),
]
