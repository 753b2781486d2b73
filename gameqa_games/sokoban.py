"""Sokoban (Game-RL folder `sokoban`; strategic planning; in-domain split).

The game. An n×n board whose outer ring is wall (n = 5, 8, 12 for plot levels Easy, Medium, Hard); inside, each
cell is floor, or wall with probability 0.10. One to three boxes and as many targets lie on floor cells, with
the player. The player moves Up (row − 1), Down (row + 1), Left (column − 1) or Right (column + 1) onto floor
or a target. Walking into a box pushes it one cell further the same way, which is allowed only if that cell is
neither a wall nor another box. A move that is not allowed changes nothing, and there is no pulling. The
puzzle is solved when every box is on a target; a solution's length counts every player step, walking or
pushing.

Coordinates. Every cell in questions, options and analyses is (row, column), 0-based from the top-left corner;
the image's tick labels (columns along the top, rows down the left) say the same.

Tasks (Game-RL's question_ids; every one is multiple choice with 8 options). Half the boards have one box, half
two or three (Game-RL alternates by board number); tasks 2, 3, 5 and 6 need a one-box board and give up on the
others, so the engine draws again.
  1  State Prediction / Medium       the player's cell after n moves
  2  State Prediction / Medium       the box's cell after n moves, the box moving by itself (a changed rule)
  3  Strategy Optimization / Hard    the minimum number of moves that solves the puzzle
  4  Target Perception / Easy        the player's cell
  5  Target Perception / Easy        the Manhattan distance between the box and the target
  6  Strategy Optimization / Hard    a shortest move sequence to a cell, boxes acting as walls (a changed rule)
  7  State Prediction / Medium       ours: a box's cell after moves under the real push rules

Deviations from Game-RL:
  1. The text says "(row, column)" outright. Game-RL's intro calls the same numbers "(x, y) … matrix format".
  2. Task 6 has many right answers: equal-length shortest paths abound, and Game-RL's unchecked fill-up
     options (and distractors that walk through boxes) can be one. We ask for "a shortest sequence" and reject
     every option that is a legal shortest path to the goal except the gold. The goal is drawn among the cells
     the player can reach, so Game-RL's one-option "No solution" sample never occurs.
  3. Task 6 is labelled Strategy Optimization / Hard, as in Game-RL's released example data (its later
     main.py says State Prediction / Medium): the task asks for an optimal plan.
  4. Cell options (tasks 1, 2, 4, 7) are random non-wall cells, as in Game-RL. A 5×5 board with two or more
     inner walls has fewer than 8 such cells. There Game-RL's option loop for tasks 1 and 4 never ends, so its
     2-s timeout silently drops the question, and task 2 pads with (1, 1), which repeats an option or is the
     gold. We fill the rest with random wall cells, so every question has 8 distinct options.
  5. Task 2 (the box moves by itself, the player counts as floor, only walls stop the box) contradicts the
     game; the question states that rule in full before it asks.
  6. Task 3's distractors are a run of 8 consecutive integers ≥ 1 with the gold at a random place in it.
     Game-RL's gold + uniform(−3..3), then gold + k, puts the gold near the middle of the eight, a tell.
  7. Task 1: a move list in which every move fails is drawn again (Game-RL retries one move shorter), so
     every list has n moves.
  8. A one-box board is drawn again until it is solvable (Game-RL tries 10 times, then skips the board).
     Multi-box boards are not checked, as in Game-RL; their tasks (1, 4, 7) do not need a solution.
  9. The image keeps Game-RL's geometry (64-px cells, 40-px margin: 360 / 552 / 808 px, black grid lines,
     index labels on top and left) with simple shapes for its sprites. A box on a target is drawn green and a
     player on a target stands on the green X; Game-RL has no texture for either and would draw bare floor.
  10. Task 7 is ours (Game-RL lacks it): where a box ends when the player's moves push it by the real rules.
     Its moves lean towards the followed box so that it gets pushed; it runs on boards with 1–3 boxes.
  11. Engine-wide (gameqa.py): options lettered A–H and shuffled, a step budget instead of a timeout.
"""
import heapq
from collections import deque

from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp, Budget, fmt_cell, MOVE_DELTAS, font

SIZE = {"Easy": 5, "Medium": 8, "Hard": 12}  # board side; also the length of the move lists of tasks 1, 2, 7
WALL_P = 0.10        # chance that an inner cell is wall
OPTIONS = 8
CELL, MARGIN = 64, 40  # Game-RL's tile and label-margin sizes in pixels
SEARCH_BUDGET = 200_000  # BFS cell visits in one minimum-moves search: at most 401 pushes × 100 cells on 12×12
DIRECTIONS = ("up", "down", "left", "right")


class Sokoban:
    def __init__(self, size, walls, boxes, targets, player):
        self.size, self.walls = size, frozenset(walls)
        self.boxes, self.targets = tuple(sorted(boxes)), tuple(sorted(targets))
        self.player = tuple(player)

    def move(self, direction):
        """One player move under the push rules: (new state, what happened). What happened is "walk", "push",
        "wall" (a wall is in the way), "stuck" (the box cannot be pushed) or "edge" (off the board)."""
        dr, dc = MOVE_DELTAS[direction]
        nxt = (self.player[0] + dr, self.player[1] + dc)
        if not self.inside(nxt):
            return self, "edge"
        if nxt in self.walls:
            return self, "wall"
        if nxt in self.boxes:
            beyond = (nxt[0] + dr, nxt[1] + dc)
            if not self.inside(beyond) or beyond in self.walls or beyond in self.boxes:
                return self, "stuck"
            boxes = [beyond if b == nxt else b for b in self.boxes]
            return Sokoban(self.size, self.walls, boxes, self.targets, nxt), "push"
        return Sokoban(self.size, self.walls, self.boxes, self.targets, nxt), "walk"

    def inside(self, cell):
        return 0 <= cell[0] < self.size and 0 <= cell[1] < self.size

    def cells(self):
        return [(r, c) for r in range(self.size) for c in range(self.size)]

    def to_json(self):
        return {"size": self.size, "walls": [list(w) for w in sorted(self.walls)],
                "boxes": [list(b) for b in self.boxes], "targets": [list(t) for t in self.targets],
                "player": list(self.player)}


def new_state(rng, plot_level):
    """Game-RL's generator: 10 % inner walls, then box, its target, (box, target, …), then the player, each on a
    distinct random free cell. Half the boards have one box, half 2 or 3."""
    n = SIZE[plot_level]
    n_boxes = 1 if rng.random() < 0.5 else rng.randint(2, 3)
    for _ in range(1000):
        walls = {(r, c) for r in range(n) for c in range(n)
                 if r in (0, n - 1) or c in (0, n - 1) or rng.random() < WALL_P}
        free = [(r, c) for r in range(n) for c in range(n) if (r, c) not in walls]
        if len(free) < 2 * n_boxes + 1:
            continue
        picks = rng.sample(free, 2 * n_boxes + 1)
        state = Sokoban(n, walls, picks[0:-1:2], picks[1:-1:2], picks[-1])
        if n_boxes > 1 or min_moves(state, Budget(SEARCH_BUDGET)) is not None:
            return state
    raise RuntimeError(f"no solvable {n}×{n} Sokoban board in 1000 draws")


# ---------------------------------------------------------------------------------------------------------
# Solvers

def walk_paths(state, start, blocked):
    """Breadth-first search of the player's walks from `start` over non-wall cells outside `blocked`, neighbours
    in Game-RL's order Up, Right, Down, Left: {cell: (previous cell, direction)}, start -> None."""
    parent, queue = {start: None}, deque([start])
    while queue:
        cell = queue.popleft()
        for d in ("up", "right", "down", "left"):
            dr, dc = MOVE_DELTAS[d]
            nb = (cell[0] + dr, cell[1] + dc)
            if state.inside(nb) and nb not in state.walls and nb not in blocked and nb not in parent:
                parent[nb] = (cell, d)
                queue.append(nb)
    return parent


def walk_to(parent, cell):
    """The directions of the walk `parent` found to `cell`."""
    moves = []
    while parent[cell] is not None:
        cell, d = parent[cell]
        moves.append(d)
    return moves[::-1]


def min_moves(state, budget):
    """Game-RL's minPushBox, for one box: Dijkstra over (box cell, player cell). A successor is a push; its cost is
    the player's walk to the cell behind the box (the box blocking the way) plus 1 for the push. The first state
    popped with the box on the target is the cheapest solution. Returns its moves, or None if there is none."""
    (box,), (target,) = state.boxes, state.targets
    start = (box, state.player)
    best, came = {start: 0}, {start: None}
    heap, order = [(0, 0, start)], 1  # the counter breaks cost ties in push order, so the result is deterministic
    while heap:
        cost, _, key = heapq.heappop(heap)
        if cost > best[key]:
            continue
        box, player = key
        if box == target:
            moves = []
            while came[key] is not None:
                key, walk = came[key]
                moves[:0] = walk
            return moves
        parent = walk_paths(state, player, {box})
        budget.tick(len(parent))
        for d in DIRECTIONS:
            dr, dc = MOVE_DELTAS[d]
            behind, ahead = (box[0] - dr, box[1] - dc), (box[0] + dr, box[1] + dc)
            if behind not in parent or not state.inside(ahead) or ahead in state.walls:
                continue
            walk = walk_to(parent, behind) + [d]
            nxt = (ahead, box)
            if cost + len(walk) < best.get(nxt, float("inf")):
                best[nxt], came[nxt] = cost + len(walk), (key, walk)
                heapq.heappush(heap, (cost + len(walk), order, nxt))
                order += 1
    return None


# ---------------------------------------------------------------------------------------------------------
# The image: Game-RL's layout, simple shapes for its sprites

FLOOR, CANVAS, BRICK, MORTAR = (238, 221, 178), (224, 201, 166), (196, 98, 45), (150, 70, 30)
WOOD, WOOD_DARK, GREEN, PLAYER = (160, 105, 50), (90, 55, 20), (40, 150, 60), (30, 40, 90)


def render(state):
    side = CELL * state.size + MARGIN
    image = Image.new("RGB", (side, side), CANVAS)
    draw = ImageDraw.Draw(image)
    label = font(20)
    for i in range(state.size):
        draw.text((MARGIN + i * CELL + CELL / 2, MARGIN / 2), str(i), fill="black", font=label, anchor="mm")
        draw.text((MARGIN / 2, MARGIN + i * CELL + CELL / 2), str(i), fill="black", font=label, anchor="mm")
    for r, c in state.cells():
        x0, y0 = MARGIN + c * CELL, MARGIN + r * CELL
        x1, y1 = x0 + CELL, y0 + CELL
        if (r, c) in state.walls:
            draw.rectangle((x0, y0, x1, y1), fill=BRICK)
            for k in (1, 2, 3):  # mortar courses, offset every other row like bricks
                draw.line((x0, y0 + k * CELL // 4, x1, y0 + k * CELL // 4), fill=MORTAR, width=2)
            for k in range(4):
                x = x0 + (CELL // 2 if k % 2 else CELL // 4)
                draw.line((x, y0 + k * CELL // 4, x, y0 + (k + 1) * CELL // 4), fill=MORTAR, width=2)
            continue
        draw.rectangle((x0, y0, x1, y1), fill=FLOOR)
        if (r, c) in state.targets:
            m = CELL // 5
            draw.line((x0 + m, y0 + m, x1 - m, y1 - m), fill=GREEN, width=7)
            draw.line((x0 + m, y1 - m, x1 - m, y0 + m), fill=GREEN, width=7)
        if (r, c) in state.boxes:
            m = CELL // 8
            fill = GREEN if (r, c) in state.targets else WOOD
            draw.rectangle((x0 + m, y0 + m, x1 - m, y1 - m), fill=fill, outline=WOOD_DARK, width=4)
            draw.line((x0 + m, y0 + m, x1 - m, y1 - m), fill=WOOD_DARK, width=4)
            draw.line((x0 + m, y1 - m, x1 - m, y0 + m), fill=WOOD_DARK, width=4)
        if (r, c) == state.player:  # a figure: head over a round body
            cx = (x0 + x1) // 2
            draw.ellipse((cx - 8, y0 + 8, cx + 8, y0 + 24), fill=PLAYER)
            draw.ellipse((cx - 16, y0 + 26, cx + 16, y1 - 8), fill=PLAYER)
    for i in range(state.size + 1):  # black 2-px grid lines over everything
        p = min(MARGIN + i * CELL, side - 1)  # the last line inside the image
        draw.line((p, MARGIN, p, side), fill="black", width=2)
        draw.line((MARGIN, p, side, p), fill="black", width=2)
    return image


# ---------------------------------------------------------------------------------------------------------
# Tasks

def intro(state):
    n = state.size
    return (f"This is a Sokoban puzzle on a {n}×{n} board. Orange brick cells are walls, light sand cells are floor, "
            "a green X marks a target, a brown crate with an X is a box (a box standing on a target is green), and "
            "the dark figure is the player. Cells are written (row, column): rows are numbered from 0 at the top to "
            f"{n - 1} at the bottom and columns from 0 on the left to {n - 1} on the right, as the labels on the "
            "image show. The player moves one cell Up (row − 1), Down (row + 1), Left (column − 1) or Right "
            "(column + 1), onto floor or a target. Moving into a box pushes it one cell further in the same "
            "direction, which is allowed only if that cell is neither a wall nor another box. A move that is not "
            "allowed changes nothing. Boxes cannot be pulled. The puzzle is solved when every box is on a target.")


def positions(state):
    """Game-RL's analysis opens with where everything is."""
    return (f"- Player position: {fmt_cell(state.player)}\n"
            f"- Box positions: {', '.join(fmt_cell(b) for b in state.boxes)}\n"
            f"- Target positions: {', '.join(fmt_cell(t) for t in state.targets)}")


def one_box(state):
    if len(state.boxes) != 1:
        raise GiveUp("this task is asked on one-box boards only, as in Game-RL")
    return state.boxes[0], state.targets[0]


def cell_options(rng, state, gold):
    """7 distinct cells other than `gold`: random non-wall cells, then (on a board with too few) random walls."""
    open_cells = [rc for rc in state.cells() if rc not in state.walls and rc != gold]
    walls = sorted(state.walls - {gold})
    picks = rng.sample(open_cells, min(OPTIONS - 1, len(open_cells)))
    picks += rng.sample(walls, OPTIONS - 1 - len(picks))
    return [fmt_cell(rc) for rc in picks]


def arrows(moves):
    return " → ".join(m.capitalize() for m in moves)


FAILED = {"wall": "Wall in the way", "stuck": "Cannot push box", "edge": "Out of bounds"}


def player_after_moves(rng, state):
    for _ in range(20):  # a list in which every move fails asks nothing: draw another
        moves = [rng.choice(DIRECTIONS) for _ in range(state.size)]
        s, moved, lines = state, False, [positions(state), f"Initial position: {fmt_cell(state.player)}"]
        for k, d in enumerate(moves, 1):
            t, what = s.move(d)
            if what in FAILED:
                lines.append(f"Move {k} - {d.capitalize()}: Failed - {FAILED[what]} (player stays at {fmt_cell(s.player)})")
            else:
                pushed = (f" and pushes the box from {fmt_cell(t.player)} to "
                          f"{fmt_cell(next(b for b in t.boxes if b not in s.boxes))}") if what == "push" else ""
                lines.append(f"Move {k} - {d.capitalize()}: Player moves from {fmt_cell(s.player)} to "
                             f"{fmt_cell(t.player)}{pushed}")
                moved = True
            s = t
        if moved:
            break
    else:
        raise GiveUp("every move of every drawn list failed")
    question = (intro(state) + f"\n\nIf the player makes these moves: {arrows(moves)}, where will the player end "
                "up? Give the cell as (row, column).")
    lines.append(f"Final position: {fmt_cell(s.player)}")
    return QA(question, "\n".join(lines), fmt_cell(s.player), cell_options(rng, state, s.player), {"moves": moves})


def box_moves_by_itself(rng, state):
    box, _ = one_box(state)
    moves = [rng.choice(DIRECTIONS) for _ in range(state.size)]
    lines, at = [positions(state), "Move sequence (only walls stop the box):"], box
    for d in moves:
        dr, dc = MOVE_DELTAS[d]
        nxt = (at[0] + dr, at[1] + dc)
        if state.inside(nxt) and nxt not in state.walls:
            lines.append(f"Move {d}: Box moved from {fmt_cell(at)} to {fmt_cell(nxt)}")
            at = nxt
        else:
            lines.append(f"Move {d}: Cannot move - {'wall' if state.inside(nxt) else 'edge of the board'} at "
                         f"{fmt_cell(nxt)}, the box stays at {fmt_cell(at)}")
    lines.append(f"Box moves from {fmt_cell(box)} to {fmt_cell(at)}")
    question = (intro(state) + "\n\nThis question changes the rules. The box moves by itself: for each listed "
                "direction the box moves one cell that way, unless that cell is a wall, in which case the box stays "
                "where it is for that move. The player does not move and counts as floor, so the box may pass "
                f"through the player's cell. After the moves {', '.join(moves)}, where will the box that started at "
                f"{fmt_cell(box)} end up? Give the cell as (row, column).")
    return QA(question, "\n".join(lines), fmt_cell(at), cell_options(rng, state, at), {"moves": moves, "box": list(box)})


def fewest_moves(rng, state):
    box, target = one_box(state)
    moves = min_moves(state, Budget(SEARCH_BUDGET))
    if moves is None:
        raise GiveUp("unsolvable")  # new_state only returns solvable one-box boards; kept for safety
    lines, s = [positions(state), "Step by step solution:"], state
    for d in moves:
        t, what = s.move(d)
        assert what in ("walk", "push"), "the solver's moves are legal"
        pushed = (f" (box moves from {fmt_cell(t.player)} to {fmt_cell(t.boxes[0])})") if what == "push" else ""
        lines.append(f"Player moves {d.capitalize()} from {fmt_cell(s.player)} to {fmt_cell(t.player)}{pushed}")
        s = t
    lines.append(f"Total player moves: {len(moves)}")
    low = max(1, len(moves) - rng.randint(0, OPTIONS - 1))  # a run of 8 integers with the gold anywhere in it
    distractors = [str(v) for v in range(low, low + OPTIONS) if v != len(moves)]
    question = (intro(state) + "\n\nWhat is the minimum number of moves needed to solve this puzzle? Every step "
                "of the player counts, walking or pushing.")
    return QA(question, "\n".join(lines), str(len(moves)), distractors)


def player_position(rng, state):
    question = intro(state) + "\n\nWhat is the current position of the player (row, column)?"
    analysis = f"{positions(state)}\nThe player is currently at position {fmt_cell(state.player)}."
    return QA(question, analysis, fmt_cell(state.player), cell_options(rng, state, state.player))


def box_target_distance(rng, state):
    (br, bc), (tr, tc) = one_box(state)
    gold = abs(br - tr) + abs(bc - tc)
    pool = [v for v in range(1, 2 * state.size + 1) if v != gold]  # Game-RL: random integers in 1..2n
    question = (intro(state) + "\n\nWhat is the Manhattan distance between the box and the target (the difference "
                "in rows plus the difference in columns)?")
    analysis = (f"{positions(state)}\nBox position: {fmt_cell((br, bc))}\nTarget position: {fmt_cell((tr, tc))}\n"
                f"Manhattan distance = |{br} - {tr}| + |{bc} - {tc}| = {gold}")
    return QA(question, analysis, str(gold), [str(v) for v in rng.sample(pool, OPTIONS - 1)])


def shortest_path_to_cell(rng, state):
    one_box(state)
    blocked = set(state.boxes)
    parent = walk_paths(state, state.player, blocked)
    goals = sorted(c for c in parent if c != state.player)
    if not goals:
        raise GiveUp("the player cannot move")
    goal = rng.choice(goals)
    gold = walk_to(parent, goal)

    def walk(moves):
        """The cell a move list reaches with boxes as walls, or None if it steps into a wall, a box or off the board."""
        at = state.player
        for d in moves:
            at = (at[0] + MOVE_DELTAS[d][0], at[1] + MOVE_DELTAS[d][1])
            if not state.inside(at) or at in state.walls or at in blocked:
                return None
        return at

    def variant(moves):  # Game-RL's mutations: another length, two moves swapped, ~30 % of the moves changed
        moves, kind = list(moves), rng.randrange(4)
        if kind == 0 and len(moves) > 1:
            del moves[rng.randrange(len(moves))]
        elif kind == 1:
            moves.insert(rng.randrange(len(moves) + 1), rng.choice(DIRECTIONS))
        elif kind == 2 and len(moves) > 1:
            i, j = rng.sample(range(len(moves)), 2)
            moves[i], moves[j] = moves[j], moves[i]
        else:
            for i in rng.sample(range(len(moves)), max(1, round(0.3 * len(moves)))):
                moves[i] = rng.choice([d for d in DIRECTIONS if d != moves[i]])
        return moves

    options = {arrows(gold)}
    distractors = []

    def offer(moves):
        text = arrows(moves)
        right = len(moves) == len(gold) and walk(moves) == goal  # another shortest path: a second right answer
        if moves and text not in options and not right:
            options.add(text)
            distractors.append(text)

    for _ in range(200):  # first plausible variants: legal walks of the gold's kind that end elsewhere
        if len(distractors) == OPTIONS - 1:
            break
        moves = variant(gold)
        if walk(moves) is not None:
            offer(moves)
    for _ in range(400):  # then any sequence of about the gold's length
        if len(distractors) == OPTIONS - 1:
            break
        offer([rng.choice(DIRECTIONS) for _ in range(max(1, len(gold) + rng.randint(-1, 2)))])
    if len(distractors) < OPTIONS - 1:
        raise GiveUp("too few distinct wrong sequences")
    question = (intro(state) + "\n\nThis question changes the rules: the boxes do not move, and each box counts as "
                "a wall. Only the player walks, one cell per move, never into a wall or a box. Which of the options "
                f"is a shortest sequence of moves that takes the player from {fmt_cell(state.player)} to "
                f"{fmt_cell(goal)}?")
    analysis = (f"{positions(state)}\nStart position: {fmt_cell(state.player)}\nEnd position: {fmt_cell(goal)}\n"
                f"A breadth-first search from the start, with walls and boxes blocked, first reaches {fmt_cell(goal)} "
                f"after {len(gold)} moves.\nOptimal move sequence: {arrows(gold)}\nThe other options are not "
                f"{len(gold)}-move walks that avoid walls and boxes and end at {fmt_cell(goal)}.")
    return QA(question, analysis, arrows(gold), distractors, {"goal": list(goal)})


def box_after_pushes(rng, state):
    start = rng.choice(state.boxes)
    box, s, moves = start, state, []
    lines = [positions(state), f"The box we follow starts at {fmt_cell(start)}."]
    for k in range(1, state.size + 1):
        towards = [d for d, (dr, dc) in MOVE_DELTAS.items()  # moves that bring the player closer to the box
                   if abs(box[0] - s.player[0] - dr) + abs(box[1] - s.player[1] - dc)
                   < abs(box[0] - s.player[0]) + abs(box[1] - s.player[1])]
        d = rng.choice(sorted(towards)) if towards and rng.random() < 0.7 else rng.choice(DIRECTIONS)
        moves.append(d)
        t, what = s.move(d)
        if what == "push":
            (moved,), (to,) = set(s.boxes) - set(t.boxes), set(t.boxes) - set(s.boxes)
            which = "the followed box" if moved == box else "another box"
            lines.append(f"Move {k} - {d.capitalize()}: the player steps to {fmt_cell(t.player)} and pushes "
                         f"{which} from {fmt_cell(moved)} to {fmt_cell(to)}")
            box = to if moved == box else box
        elif what == "walk":
            lines.append(f"Move {k} - {d.capitalize()}: the player walks from {fmt_cell(s.player)} to {fmt_cell(t.player)}")
        else:
            lines.append(f"Move {k} - {d.capitalize()}: Failed - {FAILED[what]} (nothing moves)")
        s = t
    lines.append(f"The followed box ends at {fmt_cell(box)}")
    question = (intro(state) + f"\n\nThe player makes these moves: {arrows(moves)}. Where is the box that started at "
                f"{fmt_cell(start)} after the last move? Give the cell as (row, column).")
    return QA(question, "\n".join(lines), fmt_cell(box), cell_options(rng, state, box),
              {"moves": moves, "box": list(start)})


TASKS = [
    Task(1, "Given a sequence of player moves, predict the final position of the player", "State Prediction",
         "Medium", player_after_moves),
    Task(2, "Given a sequence of moves, predict the final position of the box", "State Prediction", "Medium",
         box_moves_by_itself),
    Task(3, "Determine the minimum number of moves needed to solve the puzzle", "Strategy Optimization", "Hard",
         fewest_moves),
    Task(4, "Identify the current position of the player on the board", "Target Perception", "Easy", player_position),
    Task(5, "Calculate the Manhattan distance between a box and its target", "Target Perception", "Easy",
         box_target_distance),
    Task(6, "Find the optimal sequence of moves to reach a specific position", "Strategy Optimization", "Hard",
         shortest_path_to_cell),
    Task(7, "Given a sequence of player moves that push boxes, predict the final position of a box (ours)",
         "State Prediction", "Medium", box_after_pushes),
]
