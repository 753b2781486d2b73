"""Chess Ranger, capture-only chess solitaire, a GameQA game (Game-RL, arXiv 2505.13886): Game-RL folder
`chess_ranger`, strategic planning, out-of-domain (held out of training).

The game. A standard 8×8 board holds 4, 5 or 6 pieces (plot level Easy, Medium, Hard), all of one side: any
piece may capture any other, the king included. The only moves are captures: a piece moves onto a square that
holds another piece, which is removed. The puzzle is solved when one piece is left, so a solution from N pieces
is always N - 1 captures long. Pieces capture as in chess: a rook along its rank or file, a bishop along a
diagonal, a queen along either, each taking the first piece on its line (no jumping); a knight jumps in an L
over anything between; a king takes on any of the 8 squares around it; a pawn only one square diagonally
forward, towards rank 8 (the top of the image). There are no pawn pushes, promotions, castling or en passant.

Coordinates. Squares are written the chess way, file then rank, like d5: files a-h from left to right, ranks
1-8 from bottom to top, as the labels on the image show. Internally a square is an index 0..63 in reading
order, a8 = 0, h8 = 7, a1 = 56, h1 = 63 (Game-RL's order: the move generator and the search scan it). `state`
is {"pieces": N, "board": 8 strings, rank 8 first, "." empty, else the piece letter P R N B Q K}, plus the
question's own parameters (the asked piece of tasks 2 and 3, the square of task 4, the candidate moves of 5).

Puzzles, as Game-RL draws them: N distinct random squares, each with a piece type drawn uniformly from the six,
redrawn until a depth-first search solves it (about one draw in five is solvable).

The tasks are Game-RL's five (its question ids, qa_type and qa_level):
  1 the number of moves that solves the puzzle (SP, Hard): 8-option multiple choice or fill-in, half each
  2 how many pieces of a named type are on the board (TP, Medium): fill-in number
  3 the square of the one piece of a named type (TP, Easy): fill-in square, like d5
  4 the piece on a named square, or none (TP, Easy): 7-option multiple choice
  5 which of four numbered first moves still lead to a solution (SO, Hard): 8-option multiple choice

Deviations from Game-RL:
  1. Task 1's answer is always N - 1, since every move removes one piece; its analysis says so and then shows
     the search that finds a solution (Game-RL gives only the search). Its options are 8 consecutive counts
     that cover every answer the game can have (3, 4, 5), placed without looking at the gold. Game-RL's are
     gold - 2 … gold + 5, so the gold is the third smallest every time.
  2. Task 1's answer form is drawn with the sample's generator, half multiple choice, half fill-in; Game-RL
     alternates them by sample number.
  3. Task 4's seven options are shuffled by the engine; Game-RL lists them in a fixed order (A.Pawn … G.No
     Piece), so the letter is the piece, a prior a model can learn. Half its squares are drawn among the
     occupied ones and half among all 64 (Game-RL: by even / odd sample number).
  4. Task 5's 8 options always include "None" and "1, 2, 3, 4", the two answers at the ends, and the rest are
     drawn from the other non-empty sets of the four moves; all 8 are shuffled. Game-RL draws its wrong sets
     among sets of one to three moves only, so when all four moves work (a quarter of our puzzles), "1234" is
     the only four-move option and gives itself away; and it keeps None fixed at H.
  5. Every question opens with the full rules: that all pieces are on one side, the pawn's direction (towards
     rank 8; Game-RL's text never says), what the letters in the picture mean, and the square naming (Game-RL's
     tasks 2-4 are bare questions).
  6. Over-long analyses are never kept. Game-RL redraws a task 1 or 5 sample whose analysis passes 5,000
     characters up to 100 times and then keeps it anyway; here a search trace over MAX_TRACE_LINES lines
     gives up, and the engine draws another puzzle (at Hard, about 1 task-1 draw in 8 and 4 task-5 draws in
     10 that have four captures to offer). Every search also runs under a step budget.
  7. Task 5's traces number their steps from the candidate move on (it is step 1, the search starts at step
     2). Game-RL restarts at step 1 after the candidate, so its traces read as if from the starting board.
     A dead end reads "none of the N captures leads to a solution" where Game-RL writes "No moves left",
     which is wrong whenever moves were tried and failed.
  8. The picture draws each piece as a circle with its letter, where Game-RL pastes black piece sprites;
     the board, its square colours (a8 white, a1 grey) and its labels are Game-RL's, with wider margins.
  9. Descriptions follow Game-RL's code ("Asking for the …") where its example data reads "Asking the …".
     The questions and analyses are our own words; task 5's sets are written "1, 3" where Game-RL writes "13".
"""
from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp, Budget, font

PIECE_COUNT = {"Easy": 4, "Medium": 5, "Hard": 6}
NAMES = {"P": "Pawn", "R": "Rook", "N": "Knight", "B": "Bishop", "Q": "Queen", "K": "King"}
NO_PIECE = "No Piece"
FILES = "abcdefgh"
EMPTY = "."

# Capture directions as (row, column) steps, row 0 being rank 8, so "forward" for the pawn is row - 1. The
# order is Game-RL's: it fixes which capture the search tries first, and so the traces.
UP, DOWN, LEFT, RIGHT = (-1, 0), (1, 0), (0, -1), (0, 1)
ORTHOGONAL = [UP, LEFT, RIGHT, DOWN]
DIAGONAL = [(-1, -1), (-1, 1), (1, -1), (1, 1)]
DIRECTIONS = {"P": [(-1, -1), (-1, 1)], "R": ORTHOGONAL, "B": DIAGONAL, "Q": ORTHOGONAL + DIAGONAL,
              "K": ORTHOGONAL + DIAGONAL,
              "N": [(-2, -1), (-2, 1), (-1, -2), (-1, 2), (1, -2), (1, 2), (2, -1), (2, 1)]}
SLIDERS = ("R", "B", "Q")  # walk each direction to the first piece; the others take one step

MAX_DRAWS = 1_000        # puzzle draws per state; one in five is solvable, so 1,000 never all fail
SOLVE_BUDGET = 20_000    # search nodes per search; the largest whole tree in 20,000 6-piece draws had 836
MAX_TRACE_LINES = 120    # lines of search trace an analysis may hold (Game-RL caps 5,000 characters)
CANDIDATES = 4           # task 5's numbered first moves
OPTIONS = 8              # options of tasks 1 and 5


# ---------------------------------------------------------------------------------------------------------
# The game: a board of 64 squares and its captures

def square_name(index):
    row, col = divmod(index, 8)
    return f"{FILES[col]}{8 - row}"


def square_index(name):
    return (8 - int(name[1])) * 8 + FILES.index(name[0])


class ChessRanger:
    def __init__(self, board):
        self.board = tuple(board)  # 64 letters or EMPTY, a8 first, in reading order

    def occupied(self):
        """(square, letter) of every piece, in Game-RL's scan order a8, b8, …, h1."""
        return [(i, p) for i, p in enumerate(self.board) if p != EMPTY]

    def count(self):
        return len(self.occupied())

    def captures(self):
        """Every legal move as (from, to), in scan order and each piece's direction order."""
        moves = []
        for src, piece in self.occupied():
            row, col = divmod(src, 8)
            for dr, dc in DIRECTIONS[piece]:
                r, c = row + dr, col + dc
                while 0 <= r < 8 and 0 <= c < 8:
                    if self.board[r * 8 + c] != EMPTY:
                        moves.append((src, r * 8 + c))
                        break
                    if piece not in SLIDERS:
                        break
                    r, c = r + dr, c + dc
        return moves

    def move(self, capture):
        """The board after `capture`, a (from, to) pair taken from `captures()`."""
        src, dst = capture
        board = list(self.board)
        board[dst], board[src] = board[src], EMPTY
        return ChessRanger(board)

    def describe(self, capture):
        src, dst = capture
        return (f"{NAMES[self.board[src]]} on {square_name(src)} captures the {NAMES[self.board[dst]]} "
                f"on {square_name(dst)}")

    def to_json(self):
        rows = ["".join(self.board[r * 8:(r + 1) * 8]) for r in range(8)]
        return {"pieces": self.count(), "board": rows}


def solve(state, budget, trace=None, step=1):
    """Game-RL's solver: a depth-first search that tries the captures in `captures()` order and backs up from a
    dead end. Returns a solution (a list of captures, empty when one piece is left) or None. With a `trace`
    list it logs every try, backtrack, dead end and the success, numbering captures from `step`."""
    budget.tick()
    pieces = state.count()
    if pieces == 1:
        if trace is not None:
            trace.append("Success: one piece remains.")
        return []
    options = state.captures()
    for capture in options:
        if trace is not None:
            trace.append(f"Try step {step}: {state.describe(capture)}.")
        rest = solve(state.move(capture), budget, trace, step + 1)
        if rest is not None:
            return [capture] + rest
        if trace is not None:
            src, dst = capture
            trace.append(f"Backtrack step {step}: the {NAMES[state.board[src]]} goes back to {square_name(src)} and "
                         f"the {NAMES[state.board[dst]]} returns to {square_name(dst)}.")
    if trace is not None:
        trace.append(f"Fail: with {pieces} pieces left, " + (
            "no capture is possible." if not options else
            f"none of the {len(options)} captures leads to a solution." if len(options) > 1 else
            "the only capture leads to no solution."))
    return None


def new_state(rng, plot_level):
    n = PIECE_COUNT[plot_level]
    for _ in range(MAX_DRAWS):
        board = [EMPTY] * 64
        for square in rng.sample(range(64), n):
            board[square] = rng.choice("PRBNQK")
        state = ChessRanger(board)
        try:
            if solve(state, Budget(SOLVE_BUDGET)) is not None:
                return state
        except GiveUp:  # a search past its budget: draw another puzzle
            continue
    raise RuntimeError(f"no solvable {n}-piece puzzle in {MAX_DRAWS} draws")  # about 0.8 ** 1000: never


# ---------------------------------------------------------------------------------------------------------
# The image: Game-RL's board, 60-pixel squares, a8 white and a1 grey, a 2-pixel black frame, rank numbers on
# the left and file letters below; each piece is a white disc with a black rim and its letter.

CELL, LEFT_MARGIN, TOP_MARGIN = 60, 34, 20
SIDE = LEFT_MARGIN + 8 * CELL + 20  # 534 pixels square
GREY = (128, 128, 128)


def render(state):
    image = Image.new("RGB", (SIDE, SIDE), "white")
    draw = ImageDraw.Draw(image)
    for index in range(64):
        row, col = divmod(index, 8)
        x, y = LEFT_MARGIN + col * CELL, TOP_MARGIN + row * CELL
        draw.rectangle((x, y, x + CELL - 1, y + CELL - 1), fill="white" if (row + col) % 2 == 0 else GREY)
    draw.rectangle((LEFT_MARGIN - 2, TOP_MARGIN - 2, LEFT_MARGIN + 8 * CELL + 1, TOP_MARGIN + 8 * CELL + 1),
                   outline="black", width=2)
    labels, letters = font(20), font(30)
    for k in range(8):
        middle = k * CELL + CELL / 2
        draw.text((LEFT_MARGIN / 2 - 2, TOP_MARGIN + middle), str(8 - k), fill="black", font=labels, anchor="mm")
        draw.text((LEFT_MARGIN + middle, TOP_MARGIN + 8 * CELL + 16), FILES[k], fill="black", font=labels,
                  anchor="mm")
    for index, piece in state.occupied():
        row, col = divmod(index, 8)
        cx, cy = LEFT_MARGIN + col * CELL + CELL / 2, TOP_MARGIN + row * CELL + CELL / 2
        draw.ellipse((cx - 23, cy - 23, cx + 23, cy + 23), fill="white", outline="black", width=3)
        draw.text((cx, cy), piece, fill="black", font=letters, anchor="mm")
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

INTRO = ("This is Chess Ranger, a chess solitaire played on the board in the image. All pieces belong to the "
         "same side, and any piece may capture any other, the king included. The only moves are captures: a piece "
         "moves onto a square that holds another piece, and that piece is removed. The goal is to make captures "
         "until exactly one piece is left.\n"
         "Pieces capture as in chess: a rook along its rank or file, a bishop along a diagonal and a queen along "
         "either, each taking the first piece on its line (it cannot jump over pieces); a knight jumps in an L "
         "shape (two squares one way and one square at a right angle), over any pieces between; a king takes on "
         "any of the 8 squares around it; a pawn takes only one square diagonally forward, and forward is always "
         "towards rank 8 (the top of the image). There are no other moves: no pawn pushes, no promotion, no "
         "castling, no en passant.\n"
         "In the image each piece is a circle with its letter: P pawn, R rook, N knight, B bishop, Q queen, "
         "K king. Squares are named by file and rank, like d5: files a to h from left to right, ranks 1 to 8 "
         "from bottom to top, as the labels on the image show.\n\n")

TRACE_NOTE = ("The search below is depth-first: \"Try\" makes a capture, \"Backtrack\" undoes the last one tried, "
              "\"Fail\" marks a position from which no capture leads to a solution, and \"Success\" marks a solved "
              "board.")


def board_text(state):
    return "The current board situation is: " + ", ".join(
        f"{NAMES[p]} at {square_name(i)}" for i, p in state.occupied()) + "."


def plural(name, k):
    return name if k == 1 else name + "s"


def traced_search(state, step=1):
    """(solution or None, trace lines) for `state`; gives up when the trace alone is over-long (deviation 6)."""
    trace = []
    solution = solve(state, Budget(SOLVE_BUDGET), trace, step)
    if len(trace) > MAX_TRACE_LINES:
        raise GiveUp("search trace too long for an analysis")
    return solution, trace


def in_words(state, solution):
    """The captures of a solution in words, each on the board it is made on."""
    out = []
    for capture in solution:
        out.append(state.describe(capture))
        state = state.move(capture)
    return out


def steps_to_solve(rng, state):
    n = state.count()
    solution, trace = traced_search(state)
    gold = len(solution)  # = n - 1: the puzzle was drawn solvable
    analysis = "\n".join([
        board_text(state),
        f"Every move is a capture and removes exactly one piece, so going from {n} pieces to 1 takes exactly "
        f"{n - 1} moves, whatever the order; what has to be checked is that some order works. {TRACE_NOTE}",
        *trace,
        "The solution found: " + "; ".join(in_words(state, solution)) + ".",
        f"So the puzzle is solved in {gold} moves."])
    question = INTRO + "How many moves are needed to solve the puzzle?"
    if rng.random() < 0.5:  # fill-in, as Game-RL asks every other sample (deviation 2)
        return QA(question, analysis, str(gold))
    # Answers are 3, 4 or 5: a run of 8 consecutive counts from 0 up that covers them all, chosen blind (deviation 1)
    fewest, most = min(PIECE_COUNT.values()) - 1, max(PIECE_COUNT.values()) - 1
    start = rng.randint(max(0, most - OPTIONS + 1), fewest)
    values = [str(v) for v in range(start, start + OPTIONS)]
    return QA(question, analysis, str(gold), [v for v in values if v != str(gold)])


def count_of_type(rng, state):
    letter = rng.choice("PRNBQK")
    name = NAMES[letter]
    squares = [square_name(i) for i, p in state.occupied() if p == letter]
    found = (f"The {plural(name, len(squares))} on the board: {', '.join(squares)}." if squares
             else f"There is no {name} on the board.")
    question = INTRO + f"How many {name}s are on the board? Answer with a number."
    return QA(question, f"{board_text(state)}\n{found}\nSo the number of {name}s is {len(squares)}.",
              str(len(squares)), given={"piece": name})


def where_is(rng, state):
    letters = [p for p in "PRNBQK" if [q for _, q in state.occupied()].count(p) == 1]
    if not letters:
        raise GiveUp("no piece type occurs exactly once")
    letter = rng.choice(letters)
    name = NAMES[letter]
    square = next(square_name(i) for i, p in state.occupied() if p == letter)
    question = (INTRO + f"There is exactly one {name} on the board. On which square is it? "
                "Answer with the square, like e4.")
    return QA(question, f"{board_text(state)}\nThe only {name} is at {square}.", square, given={"piece": name})


def piece_at(rng, state):
    if rng.random() < 0.5:  # an occupied square half the time (deviation 3)
        index = rng.choice([i for i, _ in state.occupied()])
    else:
        index = rng.randrange(64)
    square, letter = square_name(index), state.board[index]
    answer = NAMES[letter] if letter != EMPTY else NO_PIECE
    labels = [NAMES[p] for p in "PRNBQK"] + [NO_PIECE]
    found = f"The piece at {square} is a {answer}." if letter != EMPTY else f"There is no piece at {square}."
    question = INTRO + f"What piece is at {square}?"
    return QA(question, f"{board_text(state)}\n{found}", answer, [x for x in labels if x != answer],
              given={"square": square})


def move_set_text(numbers):
    return ", ".join(map(str, numbers)) if numbers else "None"


# The 15 non-empty sets of the four candidates, written as options
ALL_SETS = [move_set_text([k for k in range(1, CANDIDATES + 1) if mask >> (k - 1) & 1])
            for mask in range(1, 2 ** CANDIDATES)]


def good_first_moves(rng, state):
    moves = state.captures()
    if len(moves) < CANDIDATES:
        raise GiveUp("fewer than four captures to offer")
    candidates = rng.sample(moves, CANDIDATES)
    lines, good, total = [board_text(state), TRACE_NOTE], [], 0
    for k, capture in enumerate(candidates, 1):
        after = state.move(capture)
        solution, trace = traced_search(after, step=2)
        total += len(trace)
        lines.append(f"Move {k}: {state.describe(capture)}, leaving {after.count()} pieces. The search from there:")
        lines += trace
        if solution is not None:
            good.append(k)
            lines.append(f"So move {k} leads to a solution: " + "; ".join(in_words(after, solution)) + ".")
        else:
            lines.append(f"So move {k} leads to no solution.")
    if total > MAX_TRACE_LINES:
        raise GiveUp("search traces too long for an analysis")
    gold = move_set_text(good)
    lines.append(f"The moves that still lead to a solution: {gold}.")
    listed = "\n".join(f"{k}. {state.describe(c)}" for k, c in enumerate(candidates, 1))
    question = (INTRO + f"Here are {CANDIDATES} possible first moves:\n{listed}\n"
                "Which of them can still be followed by captures that solve the puzzle? Choose the option that "
                "lists exactly those moves (None if no move does).")
    # None and all four moves are always offered (deviation 4); random sets fill the list to 8 options
    fixed = [x for x in ("None", move_set_text(range(1, CANDIDATES + 1))) if x != gold]
    others = [x for x in ALL_SETS if x not in fixed and x != gold]
    distractors = fixed + rng.sample(others, OPTIONS - 1 - len(fixed))
    return QA(question, "\n".join(lines), gold, distractors,
              given={"candidates": [[square_name(a), square_name(b)] for a, b in candidates]})


TASKS = [
    Task(1, "Asking for the number of moves to solve the puzzle", "State Prediction", "Hard", steps_to_solve),
    Task(2, "Asking how many pieces of a specific type are on the board", "Target Perception", "Medium",
         count_of_type),
    Task(3, "Asking for the location of a single piece of a specific type", "Target Perception", "Easy", where_is),
    Task(4, "Asking a piece located at a specific square", "Target Perception", "Easy", piece_at),
    Task(5, "Asking for the next move that can lead to solving the puzzle", "Strategy Optimization", "Hard",
         good_first_moves),
]
