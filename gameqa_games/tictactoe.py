"""TicTacToe, a GameQA game (Game-RL, arXiv 2505.13886): Game-RL folder `tictactoe`, strategic planning, in-domain.

The game. A 3×3 board; player O (a red cell in the image) and player X (a blue cell) take turns marking an empty
cell, O first, so it is O's turn when both have the same number of marks and X's otherwise. Three marks in a line
(a row, a column or a diagonal) win and end the game; a full board without such a line is a draw. Cells are
written (row, column), 0-based from the top left, as the tick labels on the image show. The state is Game-RL's
`{"board": 3 rows of "O", "X" or " "}`, plus the question's own parameter: task 1's `cell`, task 3's `move`.

"The optimal move" is Game-RL's rule-based advisor: the first of these rules that applies, each taking the first
fitting cell in reading order ((0, 0), (0, 1), …, (2, 2)):
  1. win: a cell that completes a line of the player's;
  2. block: the one cell where the opponent would complete a line;
  3. fork: a cell on two or more lines that each hold exactly one of the player's marks and none of the opponent's;
  4. block a fork: a cell where the opponent could make such a fork;
  5. otherwise the first empty cell.
Boards are drawn as Game-RL draws them: the 9 cells shuffled, a number of moves uniform in 0..9, played in that
order by O and X in turn, stopping as soon as a line is made. The plot level is the rule that fires for the
player to move (Game-RL classifies the advisor's reason): win or block Easy, fork or block a fork Medium, the
first empty cell Hard; a board that is already over is Hard too ("no move possible", as in Game-RL's examples).

The tasks are Game-RL's three (its question ids, descriptions, qa_type and qa_level):
  1 the colour of one cell (TP, Easy): fixed options red, blue, white
  2 the optimal move of the player to move, None if the game is over (SO, Medium): fixed options None + 9 cells
  3 after a given move of the player to move, the opponent's optimal reply, None if the move cannot be made, wins,
    or fills the board (SO, Hard): fixed options None + 9 cells

Deviations from Game-RL:
  1. Tasks 2 and 3 offer ten options, None and each of the nine cells in reading order, as Game-RL's README lists
     them (A-J). Its code and example data have eight, with the whole bottom row merged into one option
     "(2, 0) or (2, 1) or (2, 2)", so a bottom-row answer never named its cell. The list is fixed (like a
     palette), not shuffled: its order is the board's.
  2. Every question states the five rules, their order and the reading-order tie-break. Game-RL's prompt only
     says to use "some rules" when they apply and the first free cell otherwise, so a strong player could
     answer another, equally good move.
  3. The rules' move is always also a move a perfect player could make: a board where it would give away a win
     or a draw (by full minimax search) is redrawn, for task 2 on the board shown and for task 3 on the board
     after the given move. Without this the "optimal" gold is a losing move on 1 in 3 boards where rule 5 fires
     and 1 in 3 where rule 4 does (measured on 100,000 drawn boards): e.g. after O in two opposite corners
     and X in the centre, rule 4 takes a corner and loses, where an edge draws.
  4. A board where the player to move cannot win and the opponent has two winning cells is redrawn: no move
     saves it, and neither Game-RL answer is a real optimal move (its example data answers None, "cannot block
     all"; its game.py the first empty cell, classed Easy). Task 3 redraws a given move that leaves the opponent
     in that spot. Such boards never reach any task.
  5. Boards that are already over are classed Hard without running the advisor (Game-RL's advisor still runs
     on a won board, where every empty cell "wins" for the side that made the line), and only OVER_SHARE of
     Hard boards are over. In Game-RL's draws about a quarter of all boards are over, which would make None
     the gold of most Hard task-2 questions.
  6. Task 3's given move is an empty cell of an unfinished game with probability TESTED_EMPTY_SHARE, any of
     the nine cells otherwise. Game-RL draws it uniformly, so the cell is often taken: 7 of its 10 example
     task-3 golds are None.
  7. Task 1's cell is drawn by colour first: one of the colours on the board, uniformly, then a cell of that
     colour. Game-RL draws a uniform cell, so on sparse boards the gold is nearly always white.
  8. The question's parameters (task 1's cell, task 3's move) are stored in `state`; Game-RL does not keep them.
  9. The analysis names each line and says why the game is over (Game-RL prints "… wins in [cells] in True").
     Question texts are our own words; the image uses Pillow's default font, not Game-RL's bundled Arial.
There is no step budget: the minimax search is memoised over boards and so visits at most the 5,478 legal
tic-tac-toe positions, once each, whatever the seed.
"""
from functools import lru_cache

from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp, GRID_CONVENTION, fmt_cell, font

EMPTY = " "
CELLS = [(r, c) for r in range(3) for c in range(3)]  # reading order: every tie-break follows it
LINES = ([(f"row {r}", [(r, c) for c in range(3)]) for r in range(3)]
         + [(f"column {c}", [(r, c) for r in range(3)]) for c in range(3)]
         + [("the diagonal (0, 0)-(2, 2)", [(0, 0), (1, 1), (2, 2)]),
            ("the anti-diagonal (0, 2)-(2, 0)", [(0, 2), (1, 1), (2, 0)])])
RULE_LEVEL = {"win": "Easy", "block": "Easy", "fork": "Medium", "block fork": "Medium", "first empty": "Hard"}
OVER_SHARE = 0.2          # share of Hard boards that are already over (deviation 5)
TESTED_EMPTY_SHARE = 0.8  # task 3: how often the given move is an empty cell of an unfinished game (deviation 6)
MAX_DRAWS = 2_000         # board draws per state; the rarest level (Medium) is about 1 draw in 13
COLOURS = {"O": "red", "X": "blue", EMPTY: "white"}
MOVE_OPTIONS = ["None"] + [fmt_cell(cell) for cell in CELLS]


# ---------------------------------------------------------------------------------------------------------
# The game: the board, whose turn it is, lines and moves

class TicTacToe:
    def __init__(self, board):
        self.board = tuple(board)  # 9 marks, "O", "X" or EMPTY, in reading order

    def at(self, cell):
        return self.board[cell[0] * 3 + cell[1]]

    def empty_cells(self):
        return [cell for cell in CELLS if self.at(cell) == EMPTY]

    def player(self):
        """Whose turn it is: O moves first, so equal counts mean O."""
        return "O" if self.board.count("O") == self.board.count("X") else "X"

    def winning_line(self):
        """(mark, line name) of a completed line, or None."""
        for name, cells in LINES:
            marks = {self.at(cell) for cell in cells}
            if len(marks) == 1 and EMPTY not in marks:
                return marks.pop(), name
        return None

    def full(self):
        return EMPTY not in self.board

    def over(self):
        return self.winning_line() is not None or self.full()

    def move(self, cell):
        """The board after the player to move marks `cell`, which must be empty in a game not over."""
        if self.over() or self.at(cell) != EMPTY:
            raise ValueError(f"no move at {cell} on {self.to_json()['board']}")
        board = list(self.board)
        board[cell[0] * 3 + cell[1]] = self.player()
        return TicTacToe(board)

    def to_json(self):
        return {"board": [list(self.board[3 * r:3 * r + 3]) for r in range(3)]}


def other(mark):
    return "X" if mark == "O" else "O"


def new_board(rng):
    """Game-RL's draw: shuffle the cells, play 0-9 of them in turn from O, stop at the first line."""
    order = rng.sample(CELLS, 9)
    state = TicTacToe([EMPTY] * 9)
    for cell in order[:rng.randint(0, 9)]:
        state = state.move(cell)
        if state.over():
            break
    return state


# ---------------------------------------------------------------------------------------------------------
# The advisor (Game-RL's five rules) and a minimax check that its move is really optimal

def winning_cells(state, mark):
    """(cell, line) for each empty cell, in reading order, that completes a line of `mark`'s."""
    found = []
    for cell in state.empty_cells():
        for name, cells in LINES:
            if cell in cells and all(state.at(x) == mark for x in cells if x != cell):
                found.append((cell, name))
                break
    return found


def fork_cells(state, mark):
    """(cell, lines) for each empty cell on two or more lines holding one `mark` and no opponent mark."""
    found = []
    for cell in state.empty_cells():
        lines = [name for name, cells in LINES if cell in cells
                 and [state.at(x) for x in cells].count(mark) == 1
                 and other(mark) not in [state.at(x) for x in cells]]
        if len(lines) >= 2:
            found.append((cell, lines))
    return found


def also(found):
    """A note on the cells a rule passed over for the first one, if any."""
    rest = [fmt_cell(cell) for cell, _ in found[1:]]
    if not rest:
        return ""
    return f" (the rule also fits {', '.join(rest)}, which come{'s' if len(rest) == 1 else ''} later in reading order)"


def advise(state):
    """(cell, rule, reason) for the player to move on a board that is not over. cell is None when the opponent
    has two winning cells and the player cannot win (deviation 4)."""
    me, you = state.player(), other(state.player())
    head = f"The player to move is {me}, the opponent is {you}. "
    wins = winning_cells(state, me)
    if wins:
        cell, line = wins[0]
        return cell, "win", head + f"Rule 1: {me} can complete {line} at {fmt_cell(cell)} and win{also(wins)}."
    threats = winning_cells(state, you)
    if len(threats) >= 2:
        return None, "cannot block", head + f"{you} threatens to win at " + " and ".join(
            fmt_cell(cell) for cell, _ in threats) + f", and {me} cannot block both."
    if threats:
        cell, line = threats[0]
        return cell, "block", head + (f"Rule 1: {me} cannot win at once. Rule 2: {you} would complete {line} at "
                                      f"{fmt_cell(cell)}, so {me} must block it there.")
    no_win = f"Rules 1 and 2: {me} cannot win at once and {you} threatens no line. "
    forks = fork_cells(state, me)
    if forks:
        cell, lines = forks[0]
        return cell, "fork", head + no_win + (
            f"Rule 3: {me} can fork at {fmt_cell(cell)}, which lies on {' and '.join(lines)}, each holding one {me} "
            f"and no {you}{also(forks)}.")
    their_forks = fork_cells(state, you)
    if their_forks:
        cell, lines = their_forks[0]
        return cell, "block fork", head + no_win + (
            f"Rule 3: {me} has no fork. Rule 4: {you} could fork at {fmt_cell(cell)}, on {' and '.join(lines)}, "
            f"so {me} takes {fmt_cell(cell)} first{also(their_forks)}.")
    cell = state.empty_cells()[0]
    return cell, "first empty", head + no_win + (
        f"Rules 3 and 4: neither player can fork. Rule 5: {me} takes the first empty cell in reading order, "
        f"{fmt_cell(cell)}.")


@lru_cache(maxsize=None)
def outcome(board):
    """What the player to move gets with perfect play on both sides: 1 a win, 0 a draw, -1 a loss."""
    state = TicTacToe(board)
    if state.winning_line():
        return -1  # the line was made by the player who just moved
    if state.full():
        return 0
    return max(-outcome(state.move(cell).board) for cell in state.empty_cells())


def is_perfect(state, cell):
    """Whether marking `cell` keeps the best result the player to move can force (deviation 3)."""
    return -outcome(state.move(cell).board) == outcome(state.board)


def plot_level_of(state):
    """The plot level of a board (deviation 5), or None for a board no task uses (deviation 4)."""
    if state.over():
        return "Hard"
    cell, rule, _ = advise(state)
    return RULE_LEVEL[rule] if cell is not None else None


def new_state(rng, plot_level):
    want_over = plot_level == "Hard" and rng.random() < OVER_SHARE
    for _ in range(MAX_DRAWS):
        state = new_board(rng)
        if state.over() == want_over and plot_level_of(state) == plot_level:
            return state
    raise RuntimeError(f"no {plot_level} board in {MAX_DRAWS} draws")  # (12/13) ** 2000: never


# ---------------------------------------------------------------------------------------------------------
# The image: Game-RL's 300×300 board of 100-pixel cells, O cells filled red and X cells blue, the two inner
# lines each way in black, 3 pixels wide, no outer border; white tick digits outlined in black, column numbers
# at the top of each column and row numbers at the left of each row.

CELL, SIDE = 100, 300
RED, BLUE = (255, 0, 0), (0, 0, 255)
FILL = {"O": RED, "X": BLUE, EMPTY: (255, 255, 255)}


def render(state):
    image = Image.new("RGB", (SIDE, SIDE), "white")
    draw = ImageDraw.Draw(image)
    for r, c in CELLS:
        draw.rectangle((c * CELL, r * CELL, (c + 1) * CELL - 1, (r + 1) * CELL - 1), fill=FILL[state.at((r, c))])
    for k in (1, 2):
        draw.line((k * CELL, 0, k * CELL, SIDE), fill="black", width=3)
        draw.line((0, k * CELL, SIDE, k * CELL), fill="black", width=3)
    digits = font(25)
    for k in range(3):
        middle = k * CELL + CELL // 2
        draw.text((middle, 16), str(k), fill="white", font=digits, anchor="mm", stroke_width=2, stroke_fill="black")
        draw.text((14, middle), str(k), fill="white", font=digits, anchor="mm", stroke_width=2, stroke_fill="black")
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

INTRO = ("This is Tic-Tac-Toe on the 3×3 board in the image. Two players take turns marking one empty cell each: "
         "player O, whose cells are red, and player X, whose cells are blue; white cells are empty. O always moves "
         "first, so when O and X have the same number of cells it is O's turn, otherwise X's. A player who gets "
         "three cells in a line (a row, a column or a diagonal) wins and the game ends; a full board without such "
         "a line is a draw.\n" + GRID_CONVENTION.format(last_r=2, last_c=2) + "\n")

RULES = ("The optimal move of a player is the cell chosen by the first of these rules that applies:\n"
         "1. Win: a cell that completes a line of the player's own three.\n"
         "2. Block: the cell where the opponent would complete a line on their next move (the boards asked about "
         "never give the opponent two such cells when the player cannot win at once).\n"
         "3. Fork: a cell that lies on two or more lines each holding exactly one of the player's cells and none of "
         "the opponent's.\n"
         "4. Block a fork: a cell where the opponent could make such a fork.\n"
         "5. Otherwise: the first empty cell.\n"
         "When a rule fits several cells, take the first in reading order: (0, 0), (0, 1), (0, 2), (1, 0), …, "
         "(2, 2). "
         "On the boards asked about, the move these rules choose is also one a perfect player could make.\n")


def board_text(state):
    return f"The board, row by row, is {state.to_json()['board']}."


def turn_text(state):
    o, x = state.board.count("O"), state.board.count("X")
    return (f"O has {o} cells and X has {x}; O moves first, so it is {state.player()}'s turn "
            f"({'equal counts' if o == x else 'O has one more'}).")


def over_text(state):
    line = state.winning_line()
    if line:
        return f"{line[0]} has three in a line on {line[1]}, so the game is already over."
    return "The board is full with no line of three, so the game is over in a draw."


def cell_colour(rng, state):
    colours = sorted({COLOURS[mark] for mark in state.board})  # sorted: a set's order is not fixed
    colour = rng.choice(colours)
    cell = rng.choice([cell for cell in CELLS if COLOURS[state.at(cell)] == colour])  # deviation 7
    mark = state.at(cell)
    question = INTRO + f"\nWhat is the colour of the cell at {fmt_cell(cell)}?"
    analysis = (board_text(state) + f" The cell at {fmt_cell(cell)} is "
                + (f"marked {mark}, and {mark}'s cells are {colour}." if mark != EMPTY else "empty, so it is white."))
    return QA(question, analysis, colour, options=["red", "blue", "white"], given={"cell": list(cell)})


def optimal_move(rng, state):
    question = (INTRO + RULES + "\nWhat is the optimal move for the player whose turn it is? If the game is already "
                "over, choose None.")
    lines = [board_text(state)]
    if state.over():
        lines.append(over_text(state) + " No move can be made.")
        return QA(question, " ".join(lines), "None", options=MOVE_OPTIONS)
    cell, _, reason = advise(state)
    if not is_perfect(state, cell):
        raise GiveUp("the rules' move throws away a win or a draw")  # deviation 3
    lines += [turn_text(state), reason, f"So the optimal move is {fmt_cell(cell)}."]
    return QA(question, " ".join(lines), fmt_cell(cell), options=MOVE_OPTIONS)


def reply_to_move(rng, state):
    if not state.over() and rng.random() < TESTED_EMPTY_SHARE:  # deviation 6
        tested = rng.choice(state.empty_cells())
    else:
        tested = rng.choice(CELLS)
    me = state.player()
    question = (INTRO + RULES + f"\nSuppose the player whose turn it is marks the cell at {fmt_cell(tested)}. If that "
                "move cannot be made (the game is already over, or the cell is taken), choose None. If it wins the "
                "game at once, or fills the board, choose None. Otherwise, what is the opponent's optimal reply?")
    lines = [board_text(state)]
    given = {"move": list(tested)}
    if state.over():
        lines.append(over_text(state) + " No move can be made, so the answer is None.")
        return QA(question, " ".join(lines), "None", options=MOVE_OPTIONS, given=given)
    lines.append(turn_text(state))
    if state.at(tested) != EMPTY:
        lines.append(f"The cell {fmt_cell(tested)} is already taken by {state.at(tested)}, so the move cannot be made.")
        return QA(question, " ".join(lines), "None", options=MOVE_OPTIONS, given=given)
    after = state.move(tested)
    lines.append(f"{me} marks {fmt_cell(tested)}; the board becomes {after.to_json()['board']}.")
    if after.winning_line():
        lines.append(f"That completes {after.winning_line()[1]}: {me} wins at once, so there is no reply.")
        return QA(question, " ".join(lines), "None", options=MOVE_OPTIONS, given=given)
    if after.full():
        lines.append("That fills the board without a line of three: a draw, so there is no reply.")
        return QA(question, " ".join(lines), "None", options=MOVE_OPTIONS, given=given)
    cell, _, reason = advise(after)
    if cell is None:
        raise GiveUp("the move leaves the opponent two threats to block")  # deviation 4
    if not is_perfect(after, cell):
        raise GiveUp("the rules' reply throws away a win or a draw")  # deviation 3
    lines += [f"The move does not end the game. Now it is {other(me)}'s turn.", reason,
              f"So {other(me)}'s optimal reply is {fmt_cell(cell)}."]
    return QA(question, " ".join(lines), fmt_cell(cell), options=MOVE_OPTIONS, given=given)


TASKS = [
    Task(1, "Questions about the current state of a specific block of the board.", "Target Perception", "Easy",
         cell_colour),
    Task(2, "Questions about the optimal strategy to take a move of the current player of the board.",
         "Strategy Optimization", "Medium", optimal_move),
    Task(3, "Questions about the outcome to take a specific move of the current player of the board, and the "
            "optimal strategy to take a move of the opponent player after the specific move.",
         "Strategy Optimization", "Hard", reply_to_move),
]
