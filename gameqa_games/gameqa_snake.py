"""GameQA's Snake questions (Game-RL, arXiv 2505.13886): Game-RL folder `snake`, strategic planning, out-of-domain.

Not ViGaL's Snake. This module asks Game-RL's five visual questions about one frozen snake on a 5/10/15 board;
the top-level snake.py is ViGaL's two-snake 10×10 game (arXiv 2506.08011) that the policy is trained on. They
share no code, rules or coordinates (snake.py counts rows from the bottom; here row 0 is at the top).

The game. An n×n board (n = 5, 10, 15 by plot level) holds one snake and one food cell. The snake is a chain of
10 to 20 cells, head first, each 4-adjacent to the next, none repeated; the food is on a free cell. A move
takes the head one cell up (row − 1), down (row + 1), left (column − 1) or right (column + 1), and every body
segment moves into the cell of the segment in front of it, so the tail leaves its cell; the snake never grows.
After a move the process ends, checked in this order, when the head is off the board ("hits the bound"), on
another segment of the moved snake ("hits its body"), or on the food ("reaches the food"). So the head may
enter the cell the tail is leaving, and turning back into the neck is a body hit. Cells are (row, column),
0-based from the top-left corner, as the image's tick labels show.

The tasks are Game-RL's five (its 0-based question ids and levels):
  0 where the head is (TP, Easy, fill-in "(r, c)")     1 where the food is (TP, Easy, fill-in "(r, c)")
  2 how long the snake is (TP, Medium, fill-in)        3 what happens first along 1-10 moves (SP, Hard, MC 4)
  4 fewest moves for the head to reach the food, or -1 (SO, Hard, fill-in)

Deviations from Game-RL:
  1. A body that the random walk cannot grow to its drawn length is walked again, and after 100 failures the
     length is drawn again. Game-RL falls back to a 2-cell snake but leaves the failed walk's cells on its map,
     so the image and the state disagree. (With 100 walks this never happens in practice: even a 20-cell walk
     on the 5×5 board succeeds about 28 % of the time.)
  2. The state keeps the snake as an ordered list, head first (`snake`), besides Game-RL's `map` (0 empty,
     1 food, 2 body, 3 head), which loses the order that tasks 3 and 4 depend on; task 3 keeps its `moves`.
  3. Task 3's four outcomes are shuffled and lettered by the engine, and its gold is a letter. Game-RL lists
     them numbered 0-3 in a fixed order (under an "Options:?" header) and stores the number.
  4. Task 3's gold outcome is evened out: the outcome is drawn first, uniformly from the four, and move lists are
     drawn by Game-RL's rule (1-10 moves, none reversing the one before, the first not reversing the head's last
     move) until one ends that way; a board where 400 lists do not is drawn again, with a fresh outcome. Taking
     the first list, as Game-RL does, lets the board decide: on 2,000 boards a level the snake reached the
     food 7 % / 2 % / 1 % of the time (Easy / Medium / Hard) and hit its body 42-44 %. Ours: food 19 / 14 / 9 %,
     the other outcomes 23-32 % each (600 samples a level). Food more than 10 moves away cannot be reached by
     any list, so that outcome stays the rarest.
  5. Task 4 is solved by an A* search over whole snake positions (the whole ordered cell list, as in Game-RL's
     breadth-first search, so the answer is the same exact minimum). Its lower bound is the distance to the
     food when the remaining cells of the drawn body vanish tail first and the head's own new trail is ignored;
     the search runs under a step budget and the state is redrawn on overrun (900 boards needed at most 40
     expansions). Game-RL's plain breadth-first search has no budget, and the positions it visits grow 2-3-fold
     per move of distance (190,000-360,000 for food 13 moves away on 15×15), so food 20-28 moves away costs
     millions.
  6. Task 4's analysis says why the path is shortest (it meets the Manhattan distance, or every shorter move
     sequence was searched) and why there is none when the answer is -1. Game-RL only replays one path.
  7. Every rule the questions rely on is stated: the snake does not grow, the tail's cell is free to enter, the
     order of the end checks. The text writes cells as (row, column); Game-RL's "(x, y)" means the same.
  8. The question descriptions follow the list in Game-RL's snake README ("Snake head position", …); the
     released data's own descriptions were not at hand.
  9. The image keeps Game-RL's pygame layout in Pillow: 480×480, 30-pixel margin, cells of 420 // n pixels on
     grey grid lines, the food red, the head yellow, the body blue, and a black line joining the segments head to
     tail (the only cue of the body's order). Tick labels are capped at 20 px so they fit the margin.
"""
import heapq

from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp, Budget, fmt_cell, MOVE_DELTAS, GRID_CONVENTION, font

SIZE = {"Easy": 5, "Medium": 10, "Hard": 15}  # board side by plot level
LENGTH = (10, 20)        # snake length, uniform at every level (so Easy boards are crowded)
MOVE_COUNT = (1, 10)     # task 3's move-list length, uniform
WALK_TRIES = 100         # random walks for one drawn length before the length is drawn again (deviation 1)
LIST_TRIES = 400         # task 3's move lists per state before it gives up (deviation 4)
SEARCH_BUDGET = 20_000   # task 4's search steps (A* expansions, or moves tried for a -1's analysis)
SHOWN_POSITIONS = 8      # reachable positions written out when task 4's answer is -1
DIRECTIONS = ("up", "down", "left", "right")
OPPOSITE = {"up": "down", "down": "up", "left": "right", "right": "left"}
EMPTY, FOOD, BODY, HEAD = 0, 1, 2, 3  # Game-RL's map codes
OUTCOMES = {"bound": "The snake hits the bound (its head leaves the board).",
            "body": "The snake hits its own body.",
            "food": "The snake reaches the food.",
            None: "Nothing happens: the moves run out first."}


# ---------------------------------------------------------------------------------------------------------
# The game: state, moves and the generator

def step(cell, direction):
    dr, dc = MOVE_DELTAS[direction]
    return (cell[0] + dr, cell[1] + dc)


def heading(snake):
    """The direction of the head's last move: from the neck to the head."""
    return next(d for d in DIRECTIONS if step(snake[1], d) == snake[0])


class SnakeBoard:
    def __init__(self, size, snake, food):
        self.size, self.snake, self.food = size, tuple(map(tuple, snake)), tuple(food)

    def inside(self, cell):
        return 0 <= cell[0] < self.size and 0 <= cell[1] < self.size

    def move(self, direction):
        """One move: (the board after it, the event that ends the process or None). The board is None after a
        collision: a head off the board or on the body is no snake any more."""
        head = step(self.snake[0], direction)
        body = self.snake[:-1]  # every segment takes the place of the one in front; the tail's cell is left
        if not self.inside(head):
            return None, "bound"
        if head in body:
            return None, "body"
        after = SnakeBoard(self.size, (head,) + body, self.food)
        return after, ("food" if head == self.food else None)

    def to_json(self):
        grid = [[EMPTY] * self.size for _ in range(self.size)]
        for r, c in self.snake[1:]:
            grid[r][c] = BODY
        grid[self.snake[0][0]][self.snake[0][1]] = HEAD
        grid[self.food[0]][self.food[1]] = FOOD
        return {"size": self.size, "snake": [list(cell) for cell in self.snake], "food": list(self.food),
                "map": grid}


def random_walk(rng, n, length):
    """Game-RL's body: a self-avoiding random walk from a uniform head, each step uniform among the free
    in-board neighbours; None if it gets stuck before `length` cells."""
    cells = [(rng.randrange(n), rng.randrange(n))]
    taken = {cells[0]}
    while len(cells) < length:
        free = [nb for d in DIRECTIONS for nb in [step(cells[-1], d)]
                if 0 <= nb[0] < n and 0 <= nb[1] < n and nb not in taken]
        if not free:
            return None
        cells.append(rng.choice(free))
        taken.add(cells[-1])
    return cells


def new_state(rng, plot_level):
    n = SIZE[plot_level]
    for _ in range(100):  # a length is redrawn only if 100 walks fail (deviation 1): never seen in practice
        length = rng.randint(*LENGTH)
        for _ in range(WALK_TRIES):
            snake = random_walk(rng, n, length)
            if snake is not None:
                taken = set(snake)
                food = rng.choice([(r, c) for r in range(n) for c in range(n) if (r, c) not in taken])
                return SnakeBoard(n, snake, food)
    raise RuntimeError(f"no {n}×{n} snake of length {LENGTH[0]}-{LENGTH[1]} in 10,000 random walks")


def run_moves(board, moves):
    """Task 3's simulation: (event, steps made, one analysis line per step). Stops at the first event."""
    lines = []
    for k, direction in enumerate(moves, 1):
        head = step(board.snake[0], direction)
        after, event = board.move(direction)
        moved = (head,) + board.snake[:-1]
        line = f"Step {k}, {direction}: the head goes from {fmt_cell(board.snake[0])} to {fmt_cell(head)}"
        if event == "bound":
            lines.append(line + ", which is off the board: the snake hits the bound.")
        else:
            line += ", and the snake becomes " + cells_text(moved) + ". "
            if event == "body":
                lines.append(line + f"{fmt_cell(head)} is also one of its body segments: the snake hits its body.")
            elif event == "food":
                lines.append(line + "The head is on the food: the snake reaches the food.")
            else:
                lines.append(line + "The head is on the board, on no other segment and not on the food.")
        if event is not None:
            return event, k, lines
        board = after
    return None, len(moves), lines


def shortest_path(board, budget):
    """Task 4: the fewest moves that bring the head onto the food, every move before legal, as a move list, or
    None if no move sequence ever gets there. A* over whole snake positions (the ordered cell tuple, as Game-RL's
    breadth-first search uses), so the minimum is exact.

    The lower bound `bound[t][cell]` is the distance to the food from `cell` at time t in an easier game: the
    drawn body's cells vanish tail first as they do in the real one (snake[j] is still there on arrival at move
    t if j <= L - 1 - t), but the head's own new trail is ignored. From time L - 1 on, every drawn cell is gone
    and the bound is the Manhattan distance. It never overestimates and drops by at most 1 a move (consistent),
    so the first time the food is generated, the path is shortest."""
    n, snake, food = board.size, board.snake, board.food
    length = len(snake)
    manhattan = [[abs(r - food[0]) + abs(c - food[1]) for c in range(n)] for r in range(n)]
    bound = [None] * (length - 1) + [manhattan]  # bound[t] for t = 0 .. L - 1; later times use bound[L - 1]
    infinity = float("inf")
    for t in range(length - 2, -1, -1):
        blocked = set(snake[:length - 1 - t])  # drawn cells still there on arrival at move t + 1
        nxt = bound[t + 1]
        bound[t] = [[0 if (r, c) == food else 1 + min(
            (nxt[nb[0]][nb[1]] for d in DIRECTIONS for nb in [step((r, c), d)]
             if 0 <= nb[0] < n and 0 <= nb[1] < n and nb not in blocked), default=infinity)
            for c in range(n)] for r in range(n)]

    def estimate(cells, t):
        head = cells[0]
        return t + bound[min(t, length - 1)][head[0]][head[1]]

    start = snake
    if estimate(start, 0) == infinity:
        return None
    came_from, best_t = {start: None}, {start: 0}
    queue = [(estimate(start, 0), 0, 0, start)]  # (f, -t: deeper first among ties, insertion order, position)
    pushed = 1
    while queue:
        _, minus_t, _, cells = heapq.heappop(queue)
        t = -minus_t
        if best_t[cells] != t:
            continue  # reached again sooner after it was queued
        budget.tick()
        body = set(cells[:-1])
        for direction in DIRECTIONS:
            head = step(cells[0], direction)
            if not board.inside(head) or head in body:
                continue
            after = (head,) + cells[:-1]
            if head == food:
                moves = [direction]
                while came_from[cells] is not None:
                    cells, last = came_from[cells]
                    moves.append(last)
                return moves[::-1]
            f = estimate(after, t + 1)
            if f == infinity or best_t.get(after, infinity) <= t + 1:
                continue
            best_t[after], came_from[after] = t + 1, (cells, direction)
            heapq.heappush(queue, (f, -(t + 1), pushed, after))
            pushed += 1
    return None


# ---------------------------------------------------------------------------------------------------------
# The image: Game-RL's pygame layout, drawn with Pillow

SIDE, MARGIN = 480, 30
GUTTER, FOOD_RED, HEAD_YELLOW, BODY_BLUE = (200, 200, 200), (255, 0, 0), (255, 255, 0), (0, 0, 255)


def render(state):
    n = state.size
    cell = (SIDE - 2 * MARGIN) // n  # 84, 42 or 28 pixels
    image = Image.new("RGB", (SIDE, SIDE), GUTTER)
    draw = ImageDraw.Draw(image)
    labels = font(min(20, cell // 2))
    colour = {state.food: FOOD_RED, state.snake[0]: HEAD_YELLOW, **{c: BODY_BLUE for c in state.snake[1:]}}
    for r in range(n):
        for c in range(n):
            x, y = MARGIN + c * cell, MARGIN + r * cell
            draw.rectangle((x + 1, y + 1, x + cell - 2, y + cell - 2), fill=colour.get((r, c), "white"))
    for k in range(n):
        middle = MARGIN + k * cell + cell / 2
        draw.text((MARGIN / 2, middle), str(k), fill="black", font=labels, anchor="mm")  # row k, on the left
        draw.text((middle, MARGIN / 2), str(k), fill="black", font=labels, anchor="mm")  # column k, on top
    centres = [(MARGIN + c * cell + cell / 2, MARGIN + r * cell + cell / 2) for r, c in state.snake]
    draw.line(centres, fill="black", width=4, joint="curve")  # head to tail: the body's order
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

def cells_text(cells):
    return "[" + ", ".join(fmt_cell(c) for c in cells) + "]"


def intro(state):
    n = state.size
    return ("**Rules:**\n"
            f"1. This is a Snake board of {n}×{n} cells. The red cell is the food, the yellow cell is the snake's "
            "head and the blue cells are its body. The black line joins the snake's segments in order, from the "
            "head to the tail.\n"
            "2. In one move the head goes one cell up (row - 1), down (row + 1), left (column - 1) or right "
            "(column + 1), and every body segment moves into the cell of the segment in front of it, so the tail "
            "leaves its cell. The snake never grows.\n"
            "3. After each move, the process ends if the head is off the board (the snake hits the bound), else "
            "if the head is on another segment of the snake (it hits its body; the cell the tail just left is "
            "free), else if the head is on the food (it reaches the food).\n"
            "4. " + GRID_CONVENTION.format(last_r=n - 1, last_c=n - 1) + "\n\n**Question:** ")


def head_position(rng, state):
    head = state.snake[0]
    question = intro(state) + "Where is the snake's head? Answer as (row, column)."
    analysis = (f"The yellow cell, the head, is in row {head[0]} by the labels on the left and in column {head[1]} "
                f"by the labels on top, so the head is at {fmt_cell(head)}.")
    return QA(question, analysis, fmt_cell(head))


def food_position(rng, state):
    food = state.food
    question = intro(state) + "Where is the food? Answer as (row, column)."
    analysis = (f"The red cell, the food, is in row {food[0]} by the labels on the left and in column {food[1]} "
                f"by the labels on top, so the food is at {fmt_cell(food)}.")
    return QA(question, analysis, fmt_cell(food))


def snake_length(rng, state):
    question = (intro(state) + "How long is the snake, counting the head and every body segment? "
                "Answer with one number.")
    analysis = (f"The head (yellow) is at {fmt_cell(state.snake[0])}. Following the black line, the body (blue) is "
                + ", ".join(fmt_cell(c) for c in state.snake[1:]) +
                f": {len(state.snake) - 1} segments. With the head the snake is {len(state.snake)} cells long.")
    return QA(question, analysis, str(len(state.snake)))


def random_moves(rng, state):
    """Game-RL's move list: 1-10 moves, each uniform among the 3 that do not reverse the one before it (the
    first does not reverse the head's last move)."""
    moves, last = [], heading(state.snake)
    for _ in range(rng.randint(*MOVE_COUNT)):
        last = rng.choice([d for d in DIRECTIONS if d != OPPOSITE[last]])
        moves.append(last)
    return moves


def what_happens(rng, state):
    wanted = rng.choice(list(OUTCOMES))  # evens out the golds (deviation 4)
    for _ in range(LIST_TRIES):
        moves = random_moves(rng, state)
        event, made, lines = run_moves(state, moves)
        if event == wanted:
            break
    else:
        raise GiveUp(f"no move list ends with {wanted!r} on this board")
    listed = ", ".join(f"step {k}: {d}" for k, d in enumerate(moves, 1))
    question = intro(state) + f"The snake makes these moves: {listed}. Which of the following happens first?"
    analysis = (f"The snake is {cells_text(state.snake)}, head first, and the food is at {fmt_cell(state.food)}.\n"
                + "\n".join(lines) + "\n"
                + (f"So, after {made} of the {len(moves)} moves, the process ends: " + OUTCOMES[event].lower()
                   if event else f"All {len(moves)} moves are made and nothing has happened."))
    return QA(question, analysis, OUTCOMES[event], [OUTCOMES[o] for o in OUTCOMES if o != event],
              {"moves": moves})


def neighbour_reasons(board):
    """Why each move from `board` is or is not legal, for task 4's analysis."""
    reasons = []
    for direction in DIRECTIONS:
        cell = step(board.snake[0], direction)
        if not board.inside(cell):
            reasons.append(f"{direction} leaves the board")
        elif cell in board.snake[:-1]:
            reasons.append(f"{direction} {fmt_cell(cell)} is body segment {board.snake.index(cell)}, still there "
                           "after the move")
        else:
            reasons.append(f"{direction} {fmt_cell(cell)} is free" + (" (the tail leaves it)" if cell == board.snake[-1]
                                                                       else ""))
    return "; ".join(reasons)


def reachable_positions(board, budget):
    """Every position of the whole snake that legal moves reach from `board`, breadth-first, as (moves, board):
    the proof behind a -1 in task 4's analysis, where the trapped snake has only a few."""
    found, seen, k = [([], board)], {board.snake}, 0
    while k < len(found):
        moves, here = found[k]
        k += 1
        for direction in DIRECTIONS:
            budget.tick()
            after, event = here.move(direction)
            assert event != "food", "reachable_positions is only asked when the food cannot be reached"
            if after is not None and after.snake not in seen:
                seen.add(after.snake)
                found.append((moves + [direction], after))
    return found


def shortest_path_length(rng, state):
    moves = shortest_path(state, Budget(SEARCH_BUDGET))
    head, food = state.snake[0], state.food
    distance = abs(head[0] - food[0]) + abs(head[1] - food[1])
    question = (intro(state) + "What is the fewest number of moves that brings the head onto the food, with no move "
                "on the way hitting the bound or the body? The tail leaves its cell at every move and the snake does "
                "not grow on the way. If the head cannot reach the food at all, answer -1. Answer with one number.")
    opening = (f"The head is at {fmt_cell(head)} and the food at {fmt_cell(food)}, {distance} cells apart (Manhattan "
               f"distance), so at least {distance} moves are needed. Counting body segments from the head as 0, "
               f"its four moves: {neighbour_reasons(state)}.")
    if moves is None:
        positions = reachable_positions(state, Budget(SEARCH_BUDGET))
        lines = [f"After {', '.join(m) if m else 'no move'}: the head is at {fmt_cell(b.snake[0])}; "
                 + neighbour_reasons(b) + "." for m, b in positions[1:SHOWN_POSITIONS + 1]]
        if len(positions) > SHOWN_POSITIONS + 1:
            lines.append(f"… and {len(positions) - SHOWN_POSITIONS - 1} more positions like these.")
        if lines:
            search = (f"Following every legal move from here, the snake can reach {len(positions) - 1} other "
                      "positions:\n" + "\n".join(lines) + "\nIn none of them is the head on the food, and every "
                      "further move hits the bound or the body or leads back to one of these positions, so")
        else:
            search = "No move is legal, so"
        analysis = opening + f"\n{search} the head cannot reach the food. The length is -1."
        return QA(question, analysis, "-1")
    event, made, lines = run_moves(state, moves)
    assert event == "food" and made == len(moves)  # the search and the simulation must agree
    why = ("It meets the Manhattan distance, so no path is shorter." if len(moves) == distance else
           f"A search over every sequence of fewer moves finds none that gets there without a collision (and every "
           f"path has the parity of the distance {distance}), so none is shorter.")
    analysis = (opening + f"\nA shortest path is: {', '.join(moves)}. Replaying it:\n" + "\n".join(lines) + "\n"
                + f"{why} The length is {len(moves)}.")
    return QA(question, analysis, str(len(moves)))


TASKS = [
    Task(0, "Snake head position", "Target Perception", "Easy", head_position),
    Task(1, "Food position", "Target Perception", "Easy", food_position),
    Task(2, "Snake length", "Target Perception", "Medium", snake_length),
    Task(3, "What will happen first if the snake follows a given sequence of moves", "State Prediction", "Hard",
         what_happens),
    Task(4, "The shortest path to reach the food", "Strategy Optimization", "Hard", shortest_path_length),
]
