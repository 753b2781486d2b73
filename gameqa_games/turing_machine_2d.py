"""2D Turing Machine, a GameQA game (Game-RL, arXiv 2505.13886): Game-RL folder `2d_turing_machine`, multi-step
reasoning, in-domain.

The game. A grid of rows × columns cells (3-5 each, never wider than tall), each holding a symbol 0..S-1 (S is 3,
4 or 5) drawn as a colour: 0 red, 1 green, 2 blue, 3 magenta, 4 cyan. A head (a black dot) sits on one cell and
carries an internal state 0..Q-1 (Q is 2, 3 or 4). The rule table gives, for every (state, symbol) pair, a symbol
to write, a direction and a next state. One step: read the symbol under the head, overwrite it with the rule's
symbol, switch to the rule's next state, and move the head one cell up (row − 1), right (column + 1), down
(row + 1) or left (column − 1). The head always moves, and nothing wraps around: a machine is accepted only if
its head stays on the grid for its first 10 steps, and no question asks about more than 8. The text writes the
head's state and the symbol under it as one bracket: state 0 as (a), 1 as [a], 2 as {a}, 3 as <a>. Cells are
written (row, column), 0-based from the top left, as the tick labels on the image show (columns along the top).
The state is the grid, the head (row, column, state), the whole rule table, Q and S, plus the question's own
parameters: the step count `steps`, and task 2's `cell` or task 3's `target_state`.

Machines, as Game-RL draws them: the shape (rows and columns each uniform in 3..5, swapped so columns ≤ rows), S
and Q once; then the grid, the head's cell and state, and every rule uniformly at random, all four redrawn until
the head stays on the grid for 10 steps. The plot level is the shape's cell count: Easy ≤ 12 (3×3, 4×3),
Medium ≤ 16 (5×3, 4×4), Hard above (5×4, 5×5). Every task runs the machine for k steps, k uniform in 3..8.

The tasks are Game-RL's four (0-based question ids, its descriptions), all State Prediction at qa_level Medium,
since every one needs the same execution of the machine:
  0 position: the head's cell after k steps (MC 8)
  1 head_state: the head's state and the symbol under it after k steps, e.g. "{1}: state 2, symbol 1"
    (MC min(8, Q·S))
  2 symbol_at_position: how one cell's symbol evolves over k steps, e.g. "2->3(at step 1)->3(at step 4)" (MC 4-8)
  3 first_state_entry: after how many steps the head first enters a given state (the fixed options 1..8)

Why the options look as they do. The head moves one cell a step, so after t steps it stands on a cell whose
row + column has the parity of its start's plus t. A cell can therefore be written only at the steps s whose
s − 1 has the parity of its Manhattan distance d from the start, and not before step d + 1.

Deviations from Game-RL:
  1. Task 2's wrong histories are ones that neither the picture, the parity nor the rule table rules out. Their
     write steps come from the steps at which the queried cell can be written at all (from 1 to k; always step 1
     when the cell is the head's), their number uniform over the possible counts (as the gold's nearly is, on
     30,000 drawn questions). Each written symbol is what the rule of a random state writes on the symbol the
     cell held before, and every history starts from the cell's symbol in the picture, as the gold does.
     Game-RL draws the steps from 1..k-1, so only the gold could mention step k and half of the steps are
     impossible on parity alone (two writes one step apart, say), and it draws the symbols at random. A cell
     with fewer than 3 wrong histories to offer (only step 3 possible and a rule table that writes 2 symbols
     there, say) is not asked: the state is redrawn (12 % of draws). Game-RL gives up after 50 tries and lists
     what it has; here too 300 draws may find fewer than 7 (the options are 4-7 in 16 % of questions). What is
     left to guess from: real runs repeat a symbol more often than random states do (a head that comes back
     often does so in the same state), so picking the option with the most repeated symbols is right 22 % of
     the time against 13 % by chance (1,500 questions).
  2. Task 0's wrong cells have the parity of the gold (row + column), as far as the board has them; only boards
     with fewer than 8 cells of that parity (4×3, 3×3) add cells of the other. Game-RL draws them uniformly, so
     about half of them could be struck out by parity alone.
  3. Task 3 asks only about a state other than the head's state now, entered within the k steps. Game-RL falls
     back to the current state when no other one is entered, where "first enters" is ambiguous: we redraw.
     Its options are always 1..8 (a permutation in Game-RL, which draws the wrong ones from 1..max(k, 8)); we
     list them in order, as a fixed list, since shuffling a list that always holds every number adds nothing.
  4. Task 3's answers are evened out. Game-RL picks any state entered within k steps, and the answer is 1 in
     51 % of its questions and 1 or 2 in 75 % (6,000 drawn machines), so "1" alone would score half the time.
     We ask about the state entered last (the longest run to follow) and keep a question whose answer is a
     with probability min(1, a / 4), redrawing the others: the answers 1-8 then come 14 / 22 / 25 / 19 / 11 /
     6 / 2 / 0.5 % of the time (1,200 questions).
  5. Task 1's wrong brackets use every symbol 0..S-1 and every state 0..Q-1. Game-RL draws symbols only up to
     the largest one in the initial grid, although the rules may write higher ones. With Q·S < 8 (Q = 2, S = 3)
     the task has Q·S options, every pair, as in Game-RL.
  6. Task 1's options name the state and the symbol in words after the bracket, "{1}: state 2, symbol 1",
     where Game-RL's are the bracket alone. A grader that compares answers to option texts reads "(1)" and
     "{1}" as the same number 1 (rewards.py does), so an answer with the wrong state's bracket would match
     the gold whenever no other option holds the same symbol.
  7. The legends in the text are exact: S colours and Q brackets. Game-RL lists colours only up to the
     largest symbol in the grid (leaving out symbols the rules write) and one bracket too many.
  8. The image is drawn with Pillow in Game-RL's 640×480 layout and colours, with a thin dark border around
     every cell (Game-RL's have none, so same-coloured neighbours merge), the legend beside the board instead
     of over narrow ones, and the symbols' colour key in the legend too. The title gives the head's state.
  9. The state keeps the head as (row, col), directions by name, and Q and S, which Game-RL does not store;
     it also keeps each question's parameters (steps, cell, target state) that Game-RL leaves in the text.
  10. The questions and analyses are our own words; the analyses follow Game-RL's step-by-step trace (where
     each symbol comes from: the picture, or the step that last wrote it). Options are lettered by the engine.
"""
from itertools import product

from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp, fmt_cell, MOVE_DELTAS, GRID_CONVENTION, font

# Shapes (rows, columns) of each plot level, weighted as Game-RL's draw makes them: 4×3 comes from (3, 4) and
# (4, 3), 3×3 only from (3, 3).
SHAPES = {"Easy": {(3, 3): 1, (4, 3): 2}, "Medium": {(5, 3): 2, (4, 4): 1}, "Hard": {(5, 4): 2, (5, 5): 1}}
SYMBOLS = (3, 5)          # S is uniform in 3..5
STATES = (2, 4)           # Q is uniform in 2..4
STEPS = (3, 8)            # every question runs k steps, k uniform in 3..8
SAFE_STEPS = 10           # a machine is kept only if its head stays on the grid this long
MAX_DRAWS = 20_000        # machines drawn before giving up (3×3 keeps about 1 in 40)
OPTIONS = 8
HISTORY_TRIES = 300       # task 2: wrong histories drawn before settling for fewer than 7
MIN_HISTORY_OPTIONS = 4   # task 2 is asked only where at least this many options can be listed
EVEN_FROM = 4             # task 3 keeps a question whose answer is a with probability min(1, a / 4)

DIRECTIONS = ("up", "right", "down", "left")  # Game-RL's direction codes 0-3
BRACKETS = ("()", "[]", "{}", "<>")           # state 0, 1, 2, 3
COLOURS = (("red", (255, 0, 0)), ("green", (0, 128, 0)), ("blue", (0, 0, 255)), ("magenta", (255, 0, 255)),
           ("cyan", (0, 255, 255)))           # symbol 0..4, matplotlib's named colours as Game-RL uses them


def bracket(state, symbol):
    left, right = BRACKETS[state]
    return f"{left}{symbol}{right}"


# ---------------------------------------------------------------------------------------------------------
# The game: a machine (grid, head, rules) and its step

class Machine:
    def __init__(self, grid, head, state, rules, num_states, num_symbols):
        self.grid = tuple(tuple(row) for row in grid)
        self.head, self.state = tuple(head), state
        self.rules = rules  # {(state, symbol): (write, direction, next state)}
        self.num_states, self.num_symbols = num_states, num_symbols
        self.rows, self.cols = len(self.grid), len(self.grid[0])

    def symbol(self, cell=None):
        r, c = cell or self.head
        return self.grid[r][c]

    def rule(self):
        """The rule this step applies: (write, direction, next state)."""
        return self.rules[(self.state, self.symbol())]

    def on_board(self, cell):
        return 0 <= cell[0] < self.rows and 0 <= cell[1] < self.cols

    def move(self):
        """One step: write, switch state, move. The head may leave the grid; `on_board` says so."""
        write, direction, next_state = self.rule()
        (r, c), (dr, dc) = self.head, MOVE_DELTAS[direction]
        grid = [list(row) for row in self.grid]
        grid[r][c] = write
        return Machine(grid, (r + dr, c + dc), next_state, self.rules, self.num_states, self.num_symbols)

    def to_json(self):
        return {"grid": [list(row) for row in self.grid],
                "head": {"row": self.head[0], "col": self.head[1], "state": self.state},
                "rules": [{"state": q, "symbol": a, "write": w, "direction": d, "next_state": n}
                          for (q, a), (w, d, n) in sorted(self.rules.items())],
                "num_states": self.num_states, "num_symbols": self.num_symbols}


def run(machine, steps):
    """The machine now and after each of the next `steps` steps, or None if the head leaves the grid."""
    history = [machine]
    for _ in range(steps):
        history.append(history[-1].move())
        if not history[-1].on_board(history[-1].head):
            return None
    return history


def new_state(rng, plot_level):
    shapes = SHAPES[plot_level]
    rows, cols = rng.choices(list(shapes), list(shapes.values()))[0]
    num_symbols, num_states = rng.randint(*SYMBOLS), rng.randint(*STATES)
    for _ in range(MAX_DRAWS):
        grid = [[rng.randrange(num_symbols) for _ in range(cols)] for _ in range(rows)]
        head, state = (rng.randrange(rows), rng.randrange(cols)), rng.randrange(num_states)
        rules = {(q, a): (rng.randrange(num_symbols), rng.choice(DIRECTIONS), rng.randrange(num_states))
                 for q in range(num_states) for a in range(num_symbols)}
        machine = Machine(grid, head, state, rules, num_states, num_symbols)
        if run(machine, SAFE_STEPS) is not None:
            return machine
    raise RuntimeError(f"no {rows}×{cols} machine stayed on the grid for {SAFE_STEPS} steps in {MAX_DRAWS} draws")


# ---------------------------------------------------------------------------------------------------------
# The image: Game-RL's 640×480 figure. Cells are solid squares in their symbol's colour with thin dark borders,
# the head a black dot with a white rim, column numbers along the top and row numbers down the left, the head's
# state in the title and a legend (head, then each symbol's colour) to the right of the board.

WIDTH, HEIGHT = 640, 480
LEFT, TOP, BOARD = 60, 80, 380   # the board's top-left corner and the most it may take each way
BORDER = (40, 40, 40)


def cell_size(rows, cols):
    return min(BOARD // rows, BOARD // cols)


def render(state):
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    size = cell_size(state.rows, state.cols)
    title_x = max(LEFT + size * state.cols / 2, 200)  # over the board, but never off a narrow board's left edge
    draw.text((title_x, 24), f"Turing machine board (head state: {state.state})",
              fill="black", font=font(20), anchor="mm")
    ticks = font(20)
    for c in range(state.cols):
        draw.text((LEFT + c * size + size / 2, TOP - 16), str(c), fill="black", font=ticks, anchor="mm")
    for r in range(state.rows):
        draw.text((LEFT - 18, TOP + r * size + size / 2), str(r), fill="black", font=ticks, anchor="mm")
    for r in range(state.rows):
        for c in range(state.cols):
            x0, y0 = LEFT + c * size, TOP + r * size
            draw.rectangle((x0, y0, x0 + size, y0 + size), fill=COLOURS[state.grid[r][c]][1], outline=BORDER, width=2)
    r, c = state.head
    cx, cy, radius = LEFT + c * size + size / 2, TOP + r * size + size / 2, size * 0.28
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill="black", outline="white", width=3)

    x, y, label = LEFT + size * state.cols + 40, TOP, font(18)  # the legend
    draw.rectangle((x - 12, y - 12, WIDTH - 12, y + 44 + 34 * state.num_symbols), outline=(160, 160, 160))
    draw.ellipse((x, y, x + 22, y + 22), fill="black", outline="white", width=2)
    draw.text((x + 34, y + 11), "Head", fill="black", font=label, anchor="lm")
    for a in range(state.num_symbols):
        y = TOP + 40 + 34 * a
        draw.rectangle((x, y, x + 22, y + 22), fill=COLOURS[a][1], outline=BORDER, width=1)
        draw.text((x + 34, y + 11), f"{a}: {COLOURS[a][0]}", fill="black", font=label, anchor="lm")
    return image


# ---------------------------------------------------------------------------------------------------------
# The text: rules, legends and the head now (Game-RL's preamble), then the step-by-step trace

def intro(state):
    rules = "\n".join(f"State {q}, symbol {a} {bracket(q, a)}: write {w}, move {d}, new state {n}."
                      for (q, a), (w, d, n) in sorted(state.rules.items()))
    colours = ", ".join(f"{a} = {COLOURS[a][0]}" for a in range(state.num_symbols))
    brackets = ", ".join(f"state {q} = {bracket(q, 'a')}" for q in range(state.num_states))
    (r, c), a = state.head, state.symbol()
    return (f"This is a 2D Turing machine on the {state.rows}×{state.cols} grid in the image. Each cell holds a "
            f"symbol from 0 to {state.num_symbols - 1}, shown by its colour: {colours}. The head (the black dot) "
            f"sits on one cell and has a state from 0 to {state.num_states - 1}.\n"
            "One step: (1) read the symbol under the head; (2) overwrite that cell with the rule's symbol; "
            "(3) switch to the rule's new state; (4) move the head one cell: up (row - 1), right (column + 1), "
            "down (row + 1) or left (column - 1). The head moves at every step and stays on the grid for every "
            "step asked about.\n"
            f"A state and the symbol under the head are written as one bracket around the symbol a: {brackets}.\n"
            + GRID_CONVENTION.format(last_r=state.rows - 1, last_c=state.cols - 1) + "\n\n"
            f"Rules (one for each state and symbol):\n{rules}\n\n"
            f"The head is now at {fmt_cell((r, c))} in state {state.state}, on symbol {a} ({COLOURS[a][0]}): "
            f"{bracket(state.state, a)}.\n\n")


def source(history, t, cell):
    """Where the symbol on `cell` at time t comes from: the picture, or the last step before t that wrote it."""
    written = [s for s in range(1, t + 1) if history[s - 1].head == cell]
    a = history[t].symbol(cell)
    if written:
        return f"symbol {a}, written at step {written[-1]}"
    return f"{COLOURS[a][0]} in the image, so symbol {a}"


def trace(history, steps):
    """One paragraph per step: where the head is, what it reads and from where, the rule, what it leaves."""
    lines = []
    for s in range(1, steps + 1):
        m, after = history[s - 1], history[s]
        write, direction, next_state = m.rule()
        lines.append(f"Step {s}: the head is at {fmt_cell(m.head)} in state {m.state}; the cell is "
                     f"{source(history, s - 1, m.head)}: {bracket(m.state, m.symbol())}. Its rule: write {write}, "
                     f"move {direction}, new state {next_state}. {fmt_cell(m.head)} now holds {write}; the head "
                     f"moves to {fmt_cell(after.head)} in state {after.state}.")
    return lines


def draw_steps(rng, state):
    """k for this question, and the machine's history over it (always on the grid: k < SAFE_STEPS)."""
    steps = rng.randint(*STEPS)
    return steps, run(state, steps)


# ---------------------------------------------------------------------------------------------------------
# The tasks

def position(rng, state):
    steps, history = draw_steps(rng, state)
    end = history[-1].head
    # Wrong cells of the gold's parity first (deviation 2), in random order.
    same = [(r, c) for r in range(state.rows) for c in range(state.cols) if (r + c) % 2 == sum(end) % 2]
    other = [(r, c) for r in range(state.rows) for c in range(state.cols) if (r + c) % 2 != sum(end) % 2]
    same.remove(end)
    rng.shuffle(same)
    wrong = same[:OPTIONS - 1]
    wrong += rng.sample(other, OPTIONS - 1 - len(wrong))
    question = intro(state) + f"Question: where will the head be after {steps} steps? Give its cell (row, column)."
    analysis = "\n".join(trace(history, steps) + [f"After {steps} steps the head is at {fmt_cell(end)}."])
    return QA(question, analysis, fmt_cell(end), [fmt_cell(cell) for cell in wrong], {"steps": steps})


def head_state(rng, state):
    steps, history = draw_steps(rng, state)
    final = history[-1]
    gold = pair_text(final.state, final.symbol())
    pairs = [pair_text(q, a) for q, a in product(range(state.num_states), range(state.num_symbols))]
    pairs.remove(gold)
    question = intro(state) + (f"Question: what will be the head's state and the symbol under it after {steps} "
                               "steps?")
    analysis = "\n".join(trace(history, steps) + [
        f"After {steps} steps: the head is at {fmt_cell(final.head)} in state {final.state}; the cell is "
        f"{source(history, steps, final.head)}. The head's state and symbol: {gold}."])
    return QA(question, analysis, gold, rng.sample(pairs, min(OPTIONS, len(pairs) + 1) - 1), {"steps": steps})


def pair_text(state, symbol):
    """Task 1's option: the bracket, then in words (deviation 6)."""
    return f"{bracket(state, symbol)}: state {state}, symbol {symbol}"


def history_text(start, writes):
    """Game-RL's form of a cell's history: "2->3(at step 1)->3(at step 4)"."""
    return f"{start}" + "".join(f"->{v}(at step {s})" for s, v in writes)


def writable_steps(state, cell, steps):
    """The steps 1..steps at which the head can stand on `cell` before it moves (deviation 1): s − 1 at least
    the cell's Manhattan distance from the head, and of the same parity."""
    d = abs(cell[0] - state.head[0]) + abs(cell[1] - state.head[1])
    return [s for s in range(1, steps + 1) if s - 1 >= d and (s - 1 - d) % 2 == 0]


def wrong_histories(rng, state, cell, steps, gold):
    """Up to 7 wrong histories of `cell` that neither the picture, the parity nor the rules rule out (deviation 1).
    The writes fall on possible steps, their number uniform over the possible counts, as the gold's nearly is.
    Each written symbol is what the rule of a random state writes on the symbol before it (the cell keeps its
    symbol between writes), so no option breaks the rule table."""
    possible = writable_steps(state, cell, steps)
    required = possible[:1] if cell == state.head else []  # the head starts here: step 1 writes it
    free = [s for s in possible if s not in required]
    counts = [n for n in range(len(required), len(possible) + 1) if n >= 1]
    wrong = []
    for _ in range(HISTORY_TRIES):
        chosen = sorted(required + rng.sample(free, rng.choice(counts) - len(required)))
        symbol, writes = state.symbol(cell), []
        for s in chosen:
            symbol = state.rules[(rng.randrange(state.num_states), symbol)][0]
            writes.append((s, symbol))
        text = history_text(state.symbol(cell), writes)
        if text != gold and text not in wrong:
            wrong.append(text)
            if len(wrong) == OPTIONS - 1:
                break
    return wrong


def symbol_at_position(rng, state):
    steps, history = draw_steps(rng, state)
    end = history[-1].head
    # Game-RL's pick: a cell the head stood on before the last step, other than where it ends, weighted by visits.
    visits = [m.head for m in history[:-1] if m.head != end]
    cell = rng.choice(visits)
    start = state.symbol(cell)
    writes = [(s, history[s].symbol(cell)) for s in range(1, steps + 1) if history[s - 1].head == cell]
    gold = history_text(start, writes)

    wrong = wrong_histories(rng, state, cell, steps, gold)
    if len(wrong) < MIN_HISTORY_OPTIONS - 1:
        raise GiveUp(f"only {len(wrong)} other histories are possible for {fmt_cell(cell)} over {steps} steps")
    question = intro(state) + (
        f"Question: how does the symbol at {fmt_cell(cell)} change during the next {steps} steps? Its history is "
        "written as the symbol it holds now, then \"->v(at step s)\" for every step s (counted from 1) that "
        "writes symbol v to it, in order. Every write counts, even one that writes the symbol the cell already "
        "holds.")
    analysis = "\n".join(trace(history, steps) + [
        f"{fmt_cell(cell)} starts as {COLOURS[start][0]} in the image, symbol {start}; it is written at "
        + ", ".join(f"step {s} ({v})" for s, v in writes) + f". Its history is {gold}."])
    return QA(question, analysis, gold, wrong, {"steps": steps, "cell": list(cell)})


def first_state_entry(rng, state):
    steps, history = draw_steps(rng, state)
    entered = {}
    for s in range(1, steps + 1):
        entered.setdefault(history[s].state, s)
    targets = [q for q in entered if q != state.state]
    if not targets:  # deviation 3: no other state is entered within k steps
        raise GiveUp(f"the head stays in state {state.state} for {steps} steps")
    target = max(targets, key=lambda q: entered[q])  # the one entered last: the longest run to follow
    first = entered[target]
    if rng.random() >= min(1.0, first / EVEN_FROM):  # deviation 4: early answers are kept less often
        raise GiveUp(f"answer {first} not kept")
    question = intro(state) + f"Question: after how many steps will the head first enter state {target}?"
    analysis = "\n".join(trace(history, first) + [
        f"The head is in state {target} for the first time after step {first}: {first} steps."])
    return QA(question, analysis, str(first), options=[str(v) for v in range(1, OPTIONS + 1)],
              given={"steps": steps, "target_state": target})


TASKS = [
    Task(0, "position", "State Prediction", "Medium", position),
    Task(1, "head_state", "State Prediction", "Medium", head_state),
    Task(2, "symbol_at_position", "State Prediction", "Medium", symbol_at_position),
    Task(3, "first_state_entry", "State Prediction", "Medium", first_state_entry),
]
