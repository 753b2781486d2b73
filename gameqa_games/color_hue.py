"""Color Hue, a GameQA game (Game-RL, arXiv 2505.13886): Game-RL folder `hue`, pattern recognition and matching,
in-domain.

The game. An n×n board (n = 5 to 8) on which some rows and columns carry colour gradients; the other cells are
blank (light grey, cross-hatched). A gradient changes the colour in equal RGB steps from cell to cell. The board
is built by 3 or 4 attempts to paint a line, each trying up to 10 random rows or columns; a line parallel to an
existing gradient line and next to it is refused. How a line is painted depends on how many of its cells are
already coloured (by crossing lines):
  - none: a gradient between two random colours, from cell 0 or 1 to cell n-2 or n-1 of the line;
  - one, at position p: the line is darkened in equal steps towards its first cell, ending at the colour halfway
    to black, and lightened towards its last cell, ending at the colour halfway to white. The step changes at p;
  - two or more: two consecutive coloured cells at least two apart are joined by equal steps (the gap between
    them is filled); a line with no such pair is refused.
Channels are truncated to integers: the cell k steps along a piece of s steps from colour a to colour b is
floor(((s - k)·a + k·b) / s) per channel, so a piece's end cells carry a and b exactly.
Game-RL does not refuse a line that already has a gradient, but with at most 4 lines none can get a second one:
only a gap between crossing cells can be painted on a line that has colour, a painted line has no gap left
unless a third crossing line is painted afterwards, and that takes 2 crossing lines, the line, the third
crossing line and the line again: 5 lines. So "the gradient in row k" is always one gradient (the tests check it).

Coordinates. "row r, column c", both counted from 1 at the top-left, as the labels left of and above the board
show. `state` stores cells as 0-based [row, column] indices into `board` (subtract 1 from the text's numbers),
and a gradient's `index` 0-based, as Game-RL does.

State: `size`; `board`, every cell's [R, G, B] or null for a blank cell, including the true colour of a cell that
a task-0 question blanks out; `colored`, the coloured cells; `gradients`, one record per painted line: type (row
or column), index, from_cell and to_cell (the ends of the painted run), bend_cell (where the step changes, or
null), start_rgb and end_rgb (the colours drawn at from_cell and to_cell); for task 0 `cells_to_fill` (label ->
cell), `removed_rgb` (label -> colour) and `palette` (the 6 colours as drawn and numbered), plus each question's
own parameter (`target_label`, `target`, `gradient`).

Colour names (Game-RL's scheme, on HSV): value below 0.2 is black; value above 0.9 with saturation below 0.1 is
white; saturation below 0.15 is dark gray (value below 0.5) or light gray; otherwise the hue gives red
[330°, 30°], orange (30°, 60°], yellow (60°, 90°], green (90°, 150°], cyan (150°, 200°], blue (200°, 240°],
indigo (240°, 270°] or purple (270°, 330°), preceded by "pale" (saturation below 0.4) or "vivid" (above 0.8) and
then "dark" (value below 0.4) or "bright" (above 0.8).

The tasks are Game-RL's three (its question ids, released descriptions, qa_types and levels):
  0 color_matching: which palette colour belongs in a blanked cell (State Prediction, Hard), options the 6
    palette numbers in order;
  1 color_description: the name of a cell's colour (Target Perception, Easy), 8 names;
  2 gradient_pattern: the gradient of a row or column, "transitioning from X to Y" (Target Perception, Medium),
    8 phrases.

Deviations from Game-RL:
  1. Task 0 stores what it needs to be re-derived: the palette in its drawn order, the blanked cells and their
     colours, the asked label, and each gradient's painted run (from_cell, to_cell, bend_cell). Game-RL saves
     the palette nowhere (its `extra_options` is always empty) and its gradient records do not say which cells
     they cover.
  2. Task 0's blanked cells are checked, and redrawn (up to REMOVAL_TRIES times, then a new board) unless all of
     these hold. A reader infers a blanked cell along a line through it from the unbroken run of non-blank
     cells that holds it: the nearest visible cell on each side, or the two nearest on one side, extended in
     equal steps. (a) Every blanked cell can be inferred so along its row or its column. (b) Every line that
     allows such an inference has it right: the two cells used and the blanked cell lie on one equal-step piece
     of that line's gradient (no crossing cell beside the gradient's run, no bend between them), so the colour
     is exact up to truncation. (c) The 6 palette colours are pairwise at least MIN_PALETTE_GAP apart (RGB
     Euclidean). (d) Each inferred colour is nearer its own palette colour than any other by at least
     MATCH_MARGIN. Game-RL blanks any coloured cells: one with no visible cell of its gradient is
     under-determined, one beside another gradient's cell can be read wrongly, and cells of one smooth gradient
     give near-identical palette colours (its released example 2 has two palette entries both "pale dark blue").
  3. The decoy palette colours are each the best of 100 random colours by their smallest RGB Euclidean distance
     to the colours already chosen (Game-RL sums hue, saturation and value differences, in which colours that
     look alike, such as two near-blacks of different hue, count as far apart).
  4. Blanked cells are labelled P, Q, R, S, T, U (in blanking order), not A, B, …: the engine letters the options
     A to F, and "cell B" next to "option B" invites a mix-up.
  5. Colour names sit on hard bins. Task 1's cell and task 2's two end colours must have a clear name: the same
     name for every hue within HUE_MARGIN degrees and every saturation and value within SV_MARGIN (Game-RL asks
     about any cell, so "red" against "orange" can hinge on one degree). A wrong name must differ from the gold
     in the base colour or in both modifiers ("bright red" is not offered against "vivid bright red"); a wrong
     phrase must differ so at one end at least. Game-RL only requires different text. The naming scheme is
     stated in the question, so the names are defined.
  6. Task 2 asks only about a line whose coloured cells are exactly its gradient's painted run (no crossing cell
     beside it), and only when the two end names differ or, for the "from darker to lighter X" phrase, their
     values differ by at least SAME_NAME_VALUE_GAP.
  7. start_rgb and end_rgb are the colours drawn at the painted run's ends. For a line with one crossing cell
     Game-RL records the half-black and half-white colours even when the crossing cell is at an end of the line
     and that colour is never drawn, so its task 2 could name a colour absent from the image.
  8. Mixing is exact integer arithmetic (floor of the exact value); Game-RL's float mix truncated to uint8 can
     fall one below on values that should be whole.
  9. The texts, the rules and the analyses are ours: the rules state the equal-step rule, the change of step
     at a crossing cell, the coordinates and the naming scheme; task 0's analysis shows the inference
     arithmetic and every palette colour's distance. The image is drawn with PIL in Game-RL's layout; images
     without a palette (tasks 1 and 2) are 90 pixels shorter.
  10. Engine-wide (gameqa.py): options lettered A-H and shuffled, the gold a letter (Game-RL numbers them 1-8);
      task 0's options are the palette numbers "1" to "6" in order, lettered A-F.
"""
import colorsys

from PIL import Image, ImageDraw

from gameqa_games.common import QA, GiveUp, Task, font

# ---------------------------------------------------------------------------------------------------------
# Levels, and the checks that keep every question answerable

SIZES = {"Easy": (5,), "Medium": (6, 7), "Hard": (8,)}  # Game-RL: n = randint(5, 8), the plot level from n
LINE_ATTEMPTS = (3, 4)   # randint(3, 4) lines are attempted per board
LINE_TRIES = 10          # random rows or columns tried per attempt
REMOVED = (3, 6)         # task 0 blanks randint(3, 6) cells; decoys fill the palette up to 6
PALETTE_SIZE = 6
DECOY_CANDIDATES = 100   # random colours per decoy, the farthest from the chosen ones kept
REMOVAL_TRIES = 50       # blankings tried on one board before task 0 asks for another board
OPTIONS = 8              # tasks 1 and 2
NAME_TRIES = 2_000       # random colours drawn for the 7 wrong names or phrases; about 30 are needed
MIN_PALETTE_GAP = 40     # RGB Euclidean distance between any two palette colours
MATCH_MARGIN = 20        # inferred colour: nearer its own palette colour than any other by this much; a guard:
                         # inferences are off by under 5 (truncation, 3,000 boards), so the gap of 40 implies it
HUE_MARGIN = 10          # degrees: a clear name stays the same within this hue ...
SV_MARGIN = 0.05         # ... and within this saturation and value
SAME_NAME_VALUE_GAP = 0.1  # "from darker to lighter X" needs this much difference in value
LABELS = "PQRSTU"        # blanked cells, in blanking order (deviation 4)


def mix(a, b, k, steps):
    """The colour k of `steps` equal steps from a towards b, each channel floored (Game-RL's uint8 cast)."""
    return tuple(((steps - k) * x + k * y) // steps for x, y in zip(a, b))


def random_rgb(rng):
    return tuple(rng.randint(0, 255) for _ in range(3))


def distance(a, b):
    return sum((x - y) ** 2 for x, y in zip(a, b)) ** 0.5


# ---------------------------------------------------------------------------------------------------------
# Colour names (Game-RL's HSV bins)

HUES = ((30, "red"), (60, "orange"), (90, "yellow"), (150, "green"), (200, "cyan"), (240, "blue"),
        (270, "indigo"), (330, "purple"))  # upper bounds, inclusive; above 330° is red again


def hsv(rgb):
    """(hue in degrees, saturation, value), each of saturation and value in [0, 1]."""
    h, s, v = colorsys.rgb_to_hsv(*(x / 255 for x in rgb))
    return h * 360, s, v


def name_parts(h, s, v):
    """(saturation word, value word, base) of a colour, the words "" when absent."""
    if v < 0.2:
        return "", "", "black"
    if v > 0.9 and s < 0.1:
        return "", "", "white"
    if s < 0.15:
        return "", "", "dark gray" if v < 0.5 else "light gray"
    h %= 360
    base = "red" if h >= 330 else next(name for top, name in HUES if h <= top)
    return ("pale" if s < 0.4 else "vivid" if s > 0.8 else "",
            "dark" if v < 0.4 else "bright" if v > 0.8 else "", base)


def text_of(parts):
    return " ".join(word for word in parts if word)


def name(rgb):
    return text_of(name_parts(*hsv(rgb)))


def clear_name(rgb):
    """True when nudging hue by HUE_MARGIN degrees and saturation and value by SV_MARGIN, singly or together,
    never changes the name: the colour sits well inside its bin (deviation 5)."""
    h, s, v = hsv(rgb)
    names = {name_parts(h + dh, s + ds, v + dv) for dh in (-HUE_MARGIN, 0, HUE_MARGIN)
             for ds in (-SV_MARGIN, 0, SV_MARGIN) for dv in (-SV_MARGIN, 0, SV_MARGIN)}
    return len(names) == 1


def clearly_different(a, b):
    """Two names (as parts) that a reader cannot take for each other: other bases, or both modifiers differ."""
    return a[2] != b[2] or (a[0] != b[0] and a[1] != b[1])


def gradient_phrase(start, end):
    """Game-RL's phrase for a gradient from `start` to `end`, and its two ends' name parts (a same-name phrase
    has the same parts at both ends)."""
    a, b = name_parts(*hsv(start)), name_parts(*hsv(end))
    if a != b:
        return f"transitioning from {text_of(a)} to {text_of(b)}", (a, b)
    order = "darker to lighter" if hsv(end)[2] > hsv(start)[2] else "lighter to darker"
    return f"transitioning from {order} {text_of(a)}", (a, b)


def naming_steps(rgb):
    """Why `rgb` gets its name, one clause per rule of the scheme."""
    h, s, v = hsv(rgb)
    head = f"hue {h:.0f}°, saturation {s:.2f}, value {v:.2f}"
    if v < 0.2:
        return f"{head}: value below 0.2 is black"
    if v > 0.9 and s < 0.1:
        return f"{head}: value above 0.9 with saturation below 0.1 is white"
    if s < 0.15:
        shade = "dark (value below 0.5)" if v < 0.5 else "light (value 0.5 or more)"
        return f"{head}: saturation below 0.15 is gray, {shade}"
    sat, val, base = name_parts(h, s, v)
    words = [f"the hue gives {base}",
             {"pale": "saturation below 0.4 adds pale", "vivid": "saturation above 0.8 adds vivid",
              "": "saturation 0.4 to 0.8 adds no word"}[sat],
             {"dark": "value below 0.4 adds dark", "bright": "value above 0.8 adds bright",
              "": "value 0.4 to 0.8 adds no word"}[val]]
    return f"{head}: {', '.join(words)}, so it is {text_of((sat, val, base))}"


# ---------------------------------------------------------------------------------------------------------
# The game: state and moves

class HueBoard:
    def __init__(self, n):
        self.n = n
        self.board = [[None] * n for _ in range(n)]  # (R, G, B) or None for a blank cell
        self.gradients = []    # one dict per painted line, in painting order
        self.cells_to_fill = {}  # task 0: label -> (r, c), drawn white with its label
        self.palette = []      # task 0: the 6 colours under the board, numbered from 1

    def line(self, kind, index):
        """The cells of row or column `index` (0-based), in order: left to right, or top to bottom."""
        return [(index, i) if kind == "row" else (i, index) for i in range(self.n)]

    def colour(self, cell):
        return self.board[cell[0]][cell[1]]

    def paint(self, cells, start, end):
        """Colour `cells` (a run along one line) in equal steps from `start` to `end`."""
        steps = len(cells) - 1
        for k, (r, c) in enumerate(cells):
            self.board[r][c] = mix(start, end, k, steps)

    def move(self, rng, kind, index):
        """The game's one move: paint a gradient on row or column `index` (Game-RL's add_line), drawing its
        colours and ends from `rng`. Returns False, changing nothing, when the line may not take one."""
        if any(g["type"] == kind and abs(g["index"] - index) == 1 for g in self.gradients):
            return False
        cells = self.line(kind, index)
        coloured = [i for i, cell in enumerate(cells) if self.colour(cell) is not None]
        bend = None
        if not coloured:
            first, last = rng.randint(0, 1), rng.randint(self.n - 2, self.n - 1)
            self.paint(cells[first:last + 1], random_rgb(rng), random_rgb(rng))
        elif len(coloured) == 1:
            p, base = coloured[0], self.colour(cells[coloured[0]])
            first, last = 0, self.n - 1
            if p > 0:
                self.paint(cells[:p + 1], mix(base, (0, 0, 0), 1, 2), base)  # halfway to black at the first cell
            if p < self.n - 1:
                self.paint(cells[p:], base, mix(base, (255, 255, 255), 1, 2))  # halfway to white at the last
            if 0 < p < self.n - 1:
                bend = cells[p]
        else:
            gaps = [(a, b) for a, b in zip(coloured, coloured[1:]) if b - a >= 2]
            if not gaps:
                return False
            first, last = rng.choice(gaps)
            self.paint(cells[first:last + 1], self.colour(cells[first]), self.colour(cells[last]))
        self.gradients.append({"type": kind, "index": index, "from_cell": cells[first], "to_cell": cells[last],
                               "bend_cell": bend, "start_rgb": self.colour(cells[first]),
                               "end_rgb": self.colour(cells[last])})
        return True

    def run(self, gradient):
        """The cells a gradient painted, from from_cell to to_cell."""
        cells = self.line(gradient["type"], gradient["index"])
        return cells[cells.index(gradient["from_cell"]):cells.index(gradient["to_cell"]) + 1]

    def pieces(self, gradient):
        """The gradient's equal-step pieces: its run, or the two parts of it that meet at the bend cell."""
        cells = self.run(gradient)
        if gradient["bend_cell"] is None:
            return [cells]
        p = cells.index(gradient["bend_cell"])
        return [cells[:p + 1], cells[p:]]

    def coloured_cells(self):
        return [(r, c) for r in range(self.n) for c in range(self.n) if self.board[r][c] is not None]

    def to_json(self):
        cell = lambda rc: None if rc is None else list(rc)
        return {"size": self.n,
                "board": [[None if rgb is None else list(rgb) for rgb in row] for row in self.board],
                "colored": [list(rc) for rc in self.coloured_cells()],
                "gradients": [{**g, "from_cell": cell(g["from_cell"]), "to_cell": cell(g["to_cell"]),
                               "bend_cell": cell(g["bend_cell"]), "start_rgb": list(g["start_rgb"]),
                               "end_rgb": list(g["end_rgb"])} for g in self.gradients],
                "cells_to_fill": {label: list(rc) for label, rc in self.cells_to_fill.items()},
                "removed_rgb": {label: list(self.colour(rc)) for label, rc in self.cells_to_fill.items()},
                "palette": [list(rgb) for rgb in self.palette]}


def new_state(rng, plot_level):
    state = HueBoard(rng.choice(SIZES[plot_level]))
    for _ in range(rng.randint(*LINE_ATTEMPTS)):
        for _ in range(LINE_TRIES):
            if state.move(rng, rng.choice(("row", "column")), rng.randrange(state.n)):
                break
    return state


# ---------------------------------------------------------------------------------------------------------
# The image: the board with 1-based labels left and on top, the numbered palette under it (task 0)

CELL, MARGIN = 60, 30          # cell side; room for the row and column labels
PALETTE_TOP, SWATCH_H = 40, 40  # below the board: the numbers, then the swatches
BLANK, HATCH = (245, 245, 245), (200, 200, 200)


def blank_tile():
    """A blank cell: light grey with grey cross-hatching and a black border, drawn once and pasted."""
    tile = Image.new("RGB", (CELL, CELL), BLANK)
    draw = ImageDraw.Draw(tile)
    for d in range(-CELL, 2 * CELL, 12):
        draw.line((d, 0, d + CELL, CELL), fill=HATCH, width=2)
        draw.line((d, 0, d - CELL, CELL), fill=HATCH, width=2)
    draw.rectangle((0, 0, CELL - 1, CELL - 1), outline="black")
    return tile


BLANK_TILE = blank_tile()


def render(state):
    n = state.n
    width = MARGIN + n * CELL + 10
    height = MARGIN + n * CELL + (PALETTE_TOP + SWATCH_H + 20 if state.palette else 10)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    ticks, letters = font(18), font(34)
    for k in range(n):
        middle = MARGIN + k * CELL + CELL / 2
        draw.text((MARGIN / 2, middle), str(k + 1), fill="black", font=ticks, anchor="mm")  # row k + 1
        draw.text((middle, MARGIN / 2), str(k + 1), fill="black", font=ticks, anchor="mm")  # column k + 1
    labels = {rc: label for label, rc in state.cells_to_fill.items()}
    for r in range(n):
        for c in range(n):
            x, y = MARGIN + c * CELL, MARGIN + r * CELL
            if (r, c) in labels:
                draw.rectangle((x, y, x + CELL - 1, y + CELL - 1), fill="white", outline="black")
                draw.text((x + CELL / 2, y + CELL / 2), labels[(r, c)], fill="black", font=letters, anchor="mm")
            elif state.board[r][c] is None:
                image.paste(BLANK_TILE, (x, y))
            else:
                draw.rectangle((x, y, x + CELL - 1, y + CELL - 1), fill="white", outline="black")
                draw.rectangle((x + 2, y + 2, x + CELL - 3, y + CELL - 3), fill=state.board[r][c])
    if state.palette:
        slot = width // PALETTE_SIZE
        top = MARGIN + n * CELL + PALETTE_TOP
        for k, rgb in enumerate(state.palette):
            x = k * slot + 5
            draw.text((x + (slot - 10) / 2, top - 12), str(k + 1), fill="black", font=ticks, anchor="mm")
            draw.rectangle((x, top, x + slot - 11, top + SWATCH_H - 1), fill=rgb, outline="black")
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

def where(cell):
    return f"row {cell[0] + 1}, column {cell[1] + 1}"


def rgb_text(rgb):
    return "(" + ", ".join(f"{x:g}" for x in rgb) + ")"


def intro(state, *extra):
    n = state.n
    lines = [f"The image shows a {n}×{n} board. Rows are numbered 1 to {n} from top to bottom (the labels on the "
             f"left) and columns 1 to {n} from left to right (the labels on top); a cell is named by its row and "
             "column.",
             "Some rows and columns carry a colour gradient: along the line the colour changes in equal steps of "
             "red, green and blue from one cell to the next. Each gradient line is independent of the others.",
             "A gradient that passes through a cell already coloured by a crossing gradient may change its step "
             "at that cell.",
             "Cross-hatched light grey cells are blank: they belong to no gradient.",
             *extra]
    return "Rules:\n" + "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))


NAMING_RULE = ("Colours are named by hue, saturation and value (HSV, saturation and value from 0 to 1): value below "
               "0.2 is black; value above 0.9 with saturation below 0.1 is white; otherwise saturation below 0.15 "
               "is dark gray (value below 0.5) or light gray. Any other colour is named by its hue: red (330° to "
               "30°), orange (30° to 60°), yellow (60° to 90°), green (90° to 150°), cyan (150° to 200°), blue "
               "(200° to 240°), indigo (240° to 270°) or purple (270° to 330°), preceded by \"pale\" if the "
               "saturation is below 0.4 or \"vivid\" if it is above 0.8, and then by \"dark\" if the value is "
               "below 0.4 or \"bright\" if it is above 0.8 (for example \"vivid dark blue\").")


def line_inference(state, kind, index, cell, hidden):
    """How a reader infers a blanked cell from one line through it: within the unbroken run of non-blank cells
    (visible or blanked) that holds it, take the nearest visible cell on each side, or the two nearest on one
    side when the other has none, and extend the equal steps between them to the cell. Returns (a, b, colour),
    the colour unrounded, or None when the run has too few visible cells."""
    cells = state.line(kind, index)
    i = cells.index(cell)
    lo, hi = i, i
    while lo > 0 and state.colour(cells[lo - 1]) is not None:
        lo -= 1
    while hi < state.n - 1 and state.colour(cells[hi + 1]) is not None:
        hi += 1
    before = [rc for rc in cells[lo:i] if rc not in hidden]
    after = [rc for rc in cells[i + 1:hi + 1] if rc not in hidden]
    if before and after:
        a, b = before[-1], after[0]
    elif len(before) >= 2:
        a, b = before[-2], before[-1]
    elif len(after) >= 2:
        a, b = after[0], after[1]
    else:
        return None
    t = (i - cells.index(a)) / (cells.index(b) - cells.index(a))
    return a, b, tuple(x + t * (y - x) for x, y in zip(state.colour(a), state.colour(b)))


def inferences(state, cell, hidden):
    """The reader's inferences of a blanked cell, one per line through it that allows one, as (gradient, piece,
    a, b, colour); None when one of them would mislead: its three cells are not on one equal-step piece of
    that line's gradient (a crossing cell beside the gradient's run, or a bend between them)."""
    found = []
    for kind, index in (("row", cell[0]), ("column", cell[1])):
        seen = line_inference(state, kind, index, cell, hidden)
        if seen is None:
            continue
        a, b, colour = seen
        gradient = next((g for g in state.gradients if g["type"] == kind and g["index"] == index), None)
        piece = next((p for p in state.pieces(gradient) if {a, b, cell} <= set(p)), None) if gradient else None
        if piece is None:
            return None
        found.append((gradient, piece, a, b, colour))
    return found


def nearest(colour, palette):
    """Palette indices by distance from `colour`, nearest first (ties to the lower number)."""
    return sorted(range(len(palette)), key=lambda k: (distance(colour, palette[k]), k))


def decoys(rng, chosen, count):
    """`count` colours, each the farthest of DECOY_CANDIDATES random colours from those chosen so far (deviation 3)."""
    out = []
    for _ in range(count):
        candidates = [random_rgb(rng) for _ in range(DECOY_CANDIDATES)]
        out.append(max(candidates, key=lambda rgb: min(distance(rgb, other) for other in chosen + out)))
    return out


def blank_out(rng, state):
    """Choose the cells to blank and the palette (deviation 2); None when this blanking fails a check."""
    coloured = state.coloured_cells()
    count = rng.randint(*REMOVED)
    if count > len(coloured):
        return None
    hidden = rng.sample(coloured, count)
    colours = [state.colour(rc) for rc in hidden]
    palette = colours + decoys(rng, colours, PALETTE_SIZE - count)
    if any(distance(a, b) < MIN_PALETTE_GAP for i, a in enumerate(palette) for b in palette[i + 1:]):
        return None
    order = list(range(PALETTE_SIZE))
    rng.shuffle(order)
    palette = [palette[k] for k in order]
    for rc in hidden:
        ways = inferences(state, rc, set(hidden))
        if not ways:  # None (a line would mislead) or [] (no line shows enough)
            return None
        own = palette.index(state.colour(rc))
        for *_, colour in ways:
            others = min(distance(colour, rgb) for k, rgb in enumerate(palette) if k != own)
            if others - distance(colour, palette[own]) < MATCH_MARGIN:
                return None
    return hidden, palette


def step_text(state, cell, way):
    """Task 0's arithmetic for one line through `cell`."""
    gradient, piece, a, b, colour = way
    axis, unit = ("horizontally", "column") if gradient["type"] == "row" else ("vertically", "row")
    pos = lambda rc: rc[1] + 1 if gradient["type"] == "row" else rc[0] + 1
    ca, cb = state.colour(a), state.colour(b)
    steps, k = pos(b) - pos(a), pos(cell) - pos(a)
    change = tuple(y - x for x, y in zip(ca, cb))
    plural = lambda m: f"{m} step{'s' if m != 1 else ''}"
    side = "on either side of it" if pos(a) < pos(cell) < pos(b) else "on one side of it"
    where_k = f"{plural(k)} after" if k >= 0 else f"{plural(-k)} before"
    exact = rgb_text(tuple(round(x, 1) for x in colour))
    return (f"Looking {axis} along {gradient['type']} {gradient['index'] + 1}: its gradient runs in equal steps from "
            f"{unit} {pos(piece[0])} to {unit} {pos(piece[-1])}. The nearest visible cells {side} are {unit} "
            f"{pos(a)} {rgb_text(ca)} and {unit} {pos(b)} {rgb_text(cb)}: a change of {rgb_text(change)} over "
            f"{plural(steps)}. {unit.capitalize()} {pos(cell)} is {where_k} {unit} {pos(a)}, so its colour is "
            f"{rgb_text(ca)} + ({k}/{steps}) × {rgb_text(change)} = {exact}.")


def color_matching(rng, state):
    for _ in range(REMOVAL_TRIES):
        chosen = blank_out(rng, state)
        if chosen is not None:
            break
    else:
        raise GiveUp("no blanking of this board passes the checks")
    hidden, palette = chosen
    state.cells_to_fill = {label: rc for label, rc in zip(LABELS, hidden)}
    state.palette = palette
    label = rng.choice(LABELS[:len(hidden)])
    cell = state.cells_to_fill[label]
    gold = palette.index(state.colour(cell))
    ways = inferences(state, cell, set(hidden))
    colour = ways[0][4]
    lines = [f"Cell {label} is at {where(cell)}."]
    lines += [step_text(state, cell, way) for way in ways]
    lines.append("The palette colours and their distances from " + rgb_text(tuple(round(x) for x in colour)) + ":")
    lines += [f"  {k + 1}: {rgb_text(rgb)} {name(rgb)}, distance {distance(colour, rgb):.0f}"
              for k, rgb in enumerate(palette)]
    runner_up = nearest(colour, palette)[1]
    lines.append(f"The nearest is colour {gold + 1}; the next nearest, colour {runner_up + 1}, is "
                 f"{distance(colour, palette[runner_up]):.0f} away. So cell {label} takes colour {gold + 1}.")
    labels = ", ".join(LABELS[:len(hidden)])
    question = intro(state, f"The white cells labelled {labels} have had their colours removed. The palette under "
                     "the board shows 6 colours numbered 1 to 6: the removed colours, each exactly once, and "
                     "some other colours.") + \
        (f"\n\nQuestion:\nWhich palette colour belongs in cell {label}? Answer with the option whose text is the "
         "palette number.")
    return QA(question, "\n".join(lines), str(gold + 1), options=[str(k) for k in range(1, PALETTE_SIZE + 1)],
              given={"target_label": label})


def wrong_texts(rng, gold_ends, make):
    """OPTIONS - 1 distinct texts from random colours: make(rng) -> (text, ends); each must differ clearly from
    the gold at one end at least (deviation 5)."""
    out = []
    for _ in range(NAME_TRIES):
        text, ends = make(rng)
        if text not in out and any(clearly_different(e, g) for e, g in zip(ends, gold_ends)):
            out.append(text)
            if len(out) == OPTIONS - 1:
                return out
    raise GiveUp("too few clearly different wrong options")


def color_description(rng, state):
    cells = [rc for rc in state.coloured_cells() if clear_name(state.colour(rc))]
    if not cells:
        raise GiveUp("no cell with a clear colour name")
    cell = rng.choice(cells)
    rgb = state.colour(cell)
    gold_parts = name_parts(*hsv(rgb))
    gold = text_of(gold_parts)

    def one_name(rng):
        parts = name_parts(*hsv(random_rgb(rng)))
        return text_of(parts), (parts,)
    wrong = wrong_texts(rng, (gold_parts,), one_name)
    question = intro(state, NAMING_RULE) + f"\n\nQuestion:\nWhat colour is the cell at {where(cell)}?"
    analysis = f"The cell at {where(cell)} has RGB {rgb_text(rgb)}: {naming_steps(rgb)}."
    return QA(question, analysis, gold, wrong, given={"target": list(cell)})


def askable(state, k):
    """Task 2 may ask about gradient k (deviation 6)."""
    gradient = state.gradients[k]
    line = state.line(gradient["type"], gradient["index"])
    if [rc for rc in line if state.colour(rc) is not None] != state.run(gradient):
        return False
    start, end = gradient["start_rgb"], gradient["end_rgb"]
    if not (clear_name(start) and clear_name(end)):
        return False
    return name(start) != name(end) or abs(hsv(start)[2] - hsv(end)[2]) >= SAME_NAME_VALUE_GAP


def gradient_pattern(rng, state):
    ks = [k for k in range(len(state.gradients)) if askable(state, k)]
    if not ks:
        raise GiveUp("no gradient line that task 2 can ask about")
    k = rng.choice(ks)
    gradient = state.gradients[k]
    start, end = gradient["start_rgb"], gradient["end_rgb"]
    gold, gold_ends = gradient_phrase(start, end)
    wrong = wrong_texts(rng, gold_ends, lambda rng: gradient_phrase(random_rgb(rng), random_rgb(rng)))
    line = f"{gradient['type']} {gradient['index'] + 1}"
    first, last = ("left", "right") if gradient["type"] == "row" else ("top", "bottom")
    question = intro(state, NAMING_RULE, f"A gradient is described from its {first}most coloured cell to its "
                     f"{last}most one, as \"transitioning from <colour> to <colour>\", or, when both ends have the "
                     "same name, \"transitioning from darker to lighter <colour>\" (or lighter to darker) by their "
                     "values.") + f"\n\nQuestion:\nWhat is the gradient pattern in {line}?"
    analysis = (f"The coloured cells of {line} run from {where(gradient['from_cell'])} to "
                f"{where(gradient['to_cell'])}.\n"
                f"The {first} end {rgb_text(start)} has {naming_steps(start)}.\n"
                f"The {last} end {rgb_text(end)} has {naming_steps(end)}.\n"
                f"So {line} is {gold}.")
    return QA(question, analysis, gold, wrong, given={"gradient": k})


TASKS = [
    Task(0, "color_matching", "State Prediction", "Hard", color_matching),
    Task(1, "color_description", "Target Perception", "Easy", color_description),
    Task(2, "gradient_pattern", "Target Perception", "Medium", gradient_pattern),
]
