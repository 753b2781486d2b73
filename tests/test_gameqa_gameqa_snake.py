"""GameQA's Snake questions (not ViGaL's Snake game, snake.py): the task table, the boards, the picture, and every
task's answer re-derived from the record's `state` by code written here: positions and lengths read from the
integer map, a step simulator of the rules for move lists, and for the shortest path a depth-first search over
move sequences bounded by the Manhattan distance plus Game-RL's own exhaustive breadth-first search over whole
snake positions (the module solves it by A*)."""
import io
import json
from collections import Counter

import pytest

import gameqa
import rewards
from gameqa_games import gameqa_snake
from gameqa_games.common import Budget, GiveUp
from gameqa_testing import gold

GAME = "gameqa_snake"
SEEDS = range(120)  # spread over the three plot levels: seed % 3
SIZES = {"Easy": 5, "Medium": 10, "Hard": 15}
STEP = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}
REVERSE = {"up": "down", "down": "up", "left": "right", "right": "left"}
OUTCOME_TEXT = {"bound": "The snake hits the bound (its head leaves the board).",
                "body": "The snake hits its own body.",
                "food": "The snake reaches the food.",
                "nothing": "Nothing happens: the moves run out first."}

# question_id: (qa_type, qa_level, options: 4 for multiple choice, None for fill-in)
TABLE = {0: ("Target Perception", "Easy", None), 1: ("Target Perception", "Easy", None),
         2: ("Target Perception", "Medium", None), 3: ("State Prediction", "Hard", 4),
         4: ("Strategy Optimization", "Hard", None)}


def sample(qid, seed, render=False):
    return gameqa.sample_task(GAME, qid, seed, gameqa.LEVELS[seed % 3], render=render)


def samples(qid):
    return [sample(qid, seed) for seed in SEEDS]


def read_board(state):
    """(n, snake as a tuple of cells head first, food), checked against the map's codes (0 empty, 1 food,
    2 body, 3 head) and the rules of a drawn board: a chain of distinct 4-adjacent cells on the board."""
    n, grid = state["size"], state["map"]
    snake, food = tuple(tuple(c) for c in state["snake"]), tuple(state["food"])
    assert len(grid) == n and all(len(row) == n for row in grid)
    codes = {(r, c): grid[r][c] for r in range(n) for c in range(n) if grid[r][c]}
    assert codes == {food: 1, snake[0]: 3, **{cell: 2 for cell in snake[1:]}}
    assert len(set(snake)) == len(snake) and food not in snake
    assert all(abs(a[0] - b[0]) + abs(a[1] - b[1]) == 1 for a, b in zip(snake, snake[1:]))
    return n, snake, food


def cell_text(cell):
    return f"({cell[0]}, {cell[1]})"


def shift(cell, move):
    return (cell[0] + STEP[move][0], cell[1] + STEP[move][1])


def one_move(n, snake, food, move):
    """The rules, written again: (new snake or None, event). The body follows the head; the tail leaves its
    cell; off the board, then on the body, then on the food."""
    head = shift(snake[0], move)
    if not (0 <= head[0] < n and 0 <= head[1] < n):
        return None, "bound"
    if head in snake[:-1]:
        return None, "body"
    return (head,) + snake[:-1], ("food" if head == food else "nothing")


def first_event(n, snake, food, moves):
    for move in moves:
        snake, event = one_move(n, snake, food, move)
        if event != "nothing":
            return event
    return "nothing"


def path_within(n, snake, food, limit):
    """A move sequence of at most `limit` moves that brings the head onto the food, every move before legal,
    or None: depth-first over all move sequences, cut where the moves made plus the Manhattan distance left
    exceed the limit."""
    def search(snake, made):
        head = snake[0]
        if made + abs(head[0] - food[0]) + abs(head[1] - food[1]) > limit:
            return None
        for move in STEP:
            after, event = one_move(n, snake, food, move)
            if event == "food":
                return [move]
            if event == "nothing":
                rest = search(after, made + 1)
                if rest is not None:
                    return [move] + rest
        return None
    return search(snake, 0)


def breadth_first_length(n, snake, food, cap):
    """Game-RL's solver: breadth-first search over whole snake positions, returning the depth at which the head
    first reaches the food, -1 if every position has been visited without it, or None past `cap` positions."""
    seen, frontier, depth = {snake}, [snake], 0
    while frontier:
        depth += 1
        nxt = []
        for here in frontier:
            for move in STEP:
                after, event = one_move(n, here, food, move)
                if event == "food":
                    return depth
                if event == "nothing" and after not in seen:
                    seen.add(after)
                    nxt.append(after)
        if len(seen) > cap:
            return None
        frontier = nxt
    return -1


# ---------------------------------------------------------------------------------------------------------
# The table, the boards and the picture

def test_task_table_matches_game_rl():
    tasks = {t.question_id: t for t in gameqa.REGISTRY[GAME].tasks}
    assert sorted(tasks) == sorted(TABLE)
    assert gameqa.REGISTRY[GAME].split_group == "out-of-domain" and gameqa.REGISTRY[GAME].folder == "snake"
    for qid, (qa_type, qa_level, n_options) in TABLE.items():
        assert (tasks[qid].qa_type, tasks[qid].qa_level) == (qa_type, qa_level), qid
        for seed in range(6):
            s = sample(qid, seed)
            assert len(s.get("options", [])) == (n_options or 0), (qid, seed)


@pytest.mark.parametrize("level", gameqa.LEVELS)
def test_plot_levels_draw_whole_snakes_of_10_to_20_cells(level):
    """The board side by level, a length uniform over 10..20 at every level (no short fallback snake, even on
    the crowded 5×5 board), a valid chain, the food on a free cell, and the map agreeing with both."""
    lengths = Counter()
    for seed in range(60):
        n, snake, food = read_board(gameqa.sample_task(GAME, 0, seed, level, render=False)["state"])
        assert n == SIZES[level]
        assert all(0 <= r < n and 0 <= c < n for r, c in snake + (food,))
        lengths[len(snake)] += 1
    assert set(lengths) <= set(range(10, 21)) and len(lengths) >= 8, lengths


def png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_same_seed_same_bytes():
    for qid in TABLE:
        for seed, level in enumerate(gameqa.LEVELS):
            a, b = (gameqa.sample_task(GAME, qid, seed, level) for _ in range(2))
            assert png(a["images"][0]) == png(b["images"][0])
            assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})


def test_image_shows_the_state_in_game_rl_layout():
    """480×480, 30-px margin, cells of 420 // n px: each cell's colour is its map code's, and the black line
    crosses the border between two cells exactly when they are consecutive segments (the body's order)."""
    colours = {0: (255, 255, 255), 1: (255, 0, 0), 2: (0, 0, 255), 3: (255, 255, 0)}
    for seed in range(6):
        s = sample(0, seed, render=True)
        image = s["images"][0]
        n, snake, food = read_board(s["state"])
        cell = 420 // n
        assert image.size == (480, 480) and image.getpixel((3, 3)) == (200, 200, 200)
        centre = lambda rc: (30 + rc[1] * cell + cell // 2, 30 + rc[0] * cell + cell // 2)
        for r in range(n):
            for c in range(n):
                corner = (30 + c * cell + 5, 30 + r * cell + 5)  # off the line, which runs through the centres
                assert image.getpixel(corner) == colours[s["state"]["map"][r][c]], (seed, r, c)
        consecutive = {frozenset(pair) for pair in zip(snake, snake[1:])}
        for a in snake:
            for b in snake:
                if a < b and abs(a[0] - b[0]) + abs(a[1] - b[1]) == 1:
                    middle = tuple((x + y) // 2 for x, y in zip(centre(a), centre(b)))
                    assert (image.getpixel(middle) == (0, 0, 0)) == (frozenset((a, b)) in consecutive), (seed, a, b)


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

@pytest.mark.parametrize("qid,code", [(0, 3), (1, 1)])
def test_head_and_food_position(qid, code):
    for s in samples(qid):
        grid = s["state"]["map"]
        cells = [(r, c) for r, row in enumerate(grid) for c, x in enumerate(row) if x == code]
        assert len(cells) == 1 and gold(s) == cell_text(cells[0])
        assert rewards.score_gameqa(f"I read the labels.\nThe answer is {gold(s)}", s)["accuracy"] == 1
        assert rewards.score_gameqa("The answer is (99, 99)", s)["accuracy"] == 0


def test_snake_length():
    for s in samples(2):
        read_board(s["state"])
        expected = sum(x in (2, 3) for row in s["state"]["map"] for x in row)
        assert gold(s) == str(expected)
        assert rewards.score_gameqa(f"The answer is {expected}", s)["accuracy"] == 1


def test_what_happens_first():
    """The gold is the first event of the move list under the rules; the options are the four outcomes (which
    exclude each other, so no distractor is also right); the move list is Game-RL's: 1-10 moves, none
    reversing the one before, the first not reversing the head's last move; no outcome dominates the golds."""
    golds = Counter()
    for s in samples(3):
        n, snake, food = read_board(s["state"])
        moves = s["state"]["moves"]
        last = next(m for m in STEP if shift(snake[1], m) == snake[0])
        assert 1 <= len(moves) <= 10
        assert all(REVERSE[a] != b for a, b in zip([last] + moves, moves))
        event = first_event(n, snake, food, moves)
        assert gold(s) == OUTCOME_TEXT[event]
        assert sorted(s["options"]) == sorted(OUTCOME_TEXT.values())
        golds[event] += 1
    # Game-RL's first list reaches the food 1-7 % of the time and hits the body 42-44 %; ours evens them out.
    assert all(0.08 * len(SEEDS) <= golds[e] <= 0.35 * len(SEEDS) for e in OUTCOME_TEXT), golds


def test_rules_corner_cases():
    """The tail's cell is free to enter (the tail leaves it); turning back into the neck hits the body."""
    board = gameqa_snake.SnakeBoard(5, [(1, 1), (1, 2), (2, 2), (2, 1)], (4, 4))  # a 2×2 loop, tail below the head
    after, event = board.move("down")
    assert event is None and after.snake == ((2, 1), (1, 1), (1, 2), (2, 2))
    assert board.move("right") == (None, "body")
    assert board.move("up")[1] is None
    assert gameqa_snake.SnakeBoard(5, [(0, 1), (0, 2), (1, 2)], (4, 4)).move("up") == (None, "bound")


def test_shortest_path_length():
    """Against a bounded depth-first search (no shorter path exists, one of the gold's length does) and, where
    it finishes, Game-RL's breadth-first search; a -1 needs that search to have visited every position."""
    answers = Counter()
    for s in samples(4):
        n, snake, food = read_board(s["state"])
        expected = int(gold(s))
        exhaustive = breadth_first_length(n, snake, food, cap=3_000)
        if expected == -1:
            assert exhaustive == -1, s["id"]
        else:
            assert path_within(n, snake, food, expected - 1) is None, s["id"]
            path = path_within(n, snake, food, expected)
            assert path is not None and len(path) == expected, s["id"]
            assert exhaustive in (None, expected), s["id"]
        answers["-1" if expected == -1 else "path"] += 1
        answers["bfs checked"] += exhaustive is not None
        assert rewards.score_gameqa(f"The answer is {expected}", s)["accuracy"] == 1
    assert answers["-1"] >= 5 and answers["path"] >= 60 and answers["bfs checked"] >= 50, answers


def test_shortest_path_search_gives_up_past_its_budget():
    board = gameqa_snake.SnakeBoard(15, [(7, c) for c in range(10)], (0, 14))
    with pytest.raises(GiveUp):
        gameqa_snake.shortest_path(board, Budget(2))
    assert len(gameqa_snake.shortest_path(board, Budget(1000))) == 7 + 14
