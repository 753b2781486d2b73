"""Snake questions for game-based RL (ViGaL §3.1): play two-snake games, stop at a state, ask for moves.

Paper: Xie et al., "Play to Generalize: Learning to Reason Through Game Play" (ViGaL, arXiv 2506.08011).
A sample is one picture of a two-snake board plus a text prompt; the model must name the best move for
its snake (a safe move that gets its head closest to an apple) and every fatal move. The gold answer is
{"best": [...], "worst": [...]}, graded by rewards.score_snake. The data flows through this file top to
bottom: rules -> scripted agents -> labels -> rendering -> prompt -> samples, then full games between two
policies (how evaluate.py's play mode lets a model play) -> CLI.

Where this differs from the paper, and why:
  1. States come from games between scripted agents (greedy-safe with an epsilon chance of a random safe
     move), not from ViGaL's PPO agent: the generator must run anywhere in seconds, with no training.
  2. The controlled snake's length is the difficulty, as in ViGaL, but we pick it uniformly in
     [min_length, max_length] per sample (the paper's length distribution is not published).
  3. A state is kept only while both snakes are alive and after at least one turn, so every state has two
     snakes and a real "last move" for each; states where every move is fatal (no best move) are dropped.
  4. Labels are judged on the board as it is now: a move into any snake cell is fatal, tails
     included, and the enemy's simultaneous move is ignored. The game itself uses SnakeBench's
     simultaneous-move rules, where a tail does move away; the question does not depend on that.
  5. The picture and the prompt are our own (ViGaL released neither generator); they carry the same
     information: grid, axis ticks, red/blue snakes with head triangles, green apples, the rules, the
     coordinate convention, the definitions of best and worst, reasoning hints and the output format.

Commands:
    python snake.py --out data/snake_train --n 36000 --seed 0                  # the paper's size
    python snake.py --out data/snake_test --n 1000 --seed 0 --split test
    python snake.py --out /tmp/snake_tiny --n 64 --seed 0 --width 5 --height 5 --num-apples 2 --image-size 112
"""
import argparse
import collections
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont
from tqdm import tqdm

import records

MOVES = ("UP", "DOWN", "LEFT", "RIGHT")  # canonical order: labels and prompts list moves in this order
DELTAS = {"UP": (0, 1), "DOWN": (0, -1), "LEFT": (-1, 0), "RIGHT": (1, 0)}  # y grows upward: (0, 0) is bottom-left
ANSWER_FORMATS = {"vigal": "snake", "move": "snake_move"}  # answer format -> the scorer in rewards.py that grades it


@dataclass(frozen=True)
class SnakeConfig:
    width: int = 10  # board columns, x = 0..width-1 from left to right
    height: int = 10  # board rows, y = 0..height-1 from bottom to top
    num_apples: int = 5  # apples on the board; an eaten apple respawns on a free cell (ViGaL's logs show 5)
    image_size: int = 448  # side of the square PNG in pixels
    min_length: int = 1  # smallest length of the controlled snake = easiest difficulty (ViGaL: 1)
    max_length: int = 5  # largest length of the controlled snake = hardest difficulty (ViGaL: 5)
    epsilon: float = 0.2  # chance a scripted agent plays a random safe move instead of the greedy one
    max_turns: int = 200  # a game longer than this is abandoned and a new one started
    max_games: int = 1000  # games tried for one sample before giving up with an error (never loops forever)
    answer_format: str = "vigal"  # "vigal": the paper's prompt and <think>/<best_answer>/<worst_answer> answer;
    #                               "move": a short prompt with no coordinates, answered by one move (the tiny demo)


def check_config(cfg):
    """Raise ValueError naming the field if `cfg` cannot produce samples."""
    if cfg.width < 1 or cfg.height < 1:
        raise ValueError(f"board must be at least 1x1, got width={cfg.width} height={cfg.height}")
    if cfg.num_apples < 1:
        raise ValueError(f"num_apples must be >= 1 (the best move is defined by the nearest apple), got {cfg.num_apples}")
    if not 1 <= cfg.min_length <= cfg.max_length:
        raise ValueError(f"need 1 <= min_length <= max_length, got min_length={cfg.min_length} max_length={cfg.max_length}")
    needed = cfg.max_length + 1 + cfg.num_apples  # the controlled snake, the enemy's head, the apples
    if cfg.width * cfg.height < needed:
        raise ValueError(f"a {cfg.width}x{cfg.height} board is too small for a snake of length {cfg.max_length}, "
                         f"an enemy and {cfg.num_apples} apple(s): it needs at least {needed} cells")
    if not 0.0 <= cfg.epsilon <= 1.0:
        raise ValueError(f"epsilon must be in [0, 1], got {cfg.epsilon}")
    if cfg.answer_format not in ANSWER_FORMATS:
        raise ValueError(f"answer_format must be one of {', '.join(ANSWER_FORMATS)}, got {cfg.answer_format!r}")
    if cfg.max_turns < 1 or cfg.max_games < 1:
        raise ValueError(f"max_turns and max_games must be >= 1, got {cfg.max_turns} and {cfg.max_games}")
    cell = board_layout(cfg.width, cfg.height, cfg.image_size)[1]
    if cell < 4:
        raise ValueError(f"image_size={cfg.image_size} leaves {cell} px per cell for a {cfg.width}x{cfg.height} "
                         f"board; use a larger image (at least 4 px per cell)")


# ---------------------------------------------------------------------------------------------------------
# Rules: SnakeBench's simultaneous-move game. A game is {"snakes": [[(x, y), ...] head first, ...],
# "apples": [(x, y), ...], "last_moves": [move, move]}; every turn builds a new one.

def shift(cell, move):
    dx, dy = DELTAS[move]
    return (cell[0] + dx, cell[1] + dy)


def fatal_moves(width, height, snakes, head):
    """The moves from `head` that leave the board or enter any cell of any snake, in canonical order."""
    occupied = {tuple(cell) for body in snakes for cell in body}
    fatal = []
    for move in MOVES:
        x, y = shift(head, move)
        if not (0 <= x < width and 0 <= y < height) or (x, y) in occupied:
            fatal.append(move)
    return fatal


def nearest_apple_distance(cell, apples):
    """Manhattan distance from `cell` to the closest apple."""
    return min(abs(cell[0] - ax) + abs(cell[1] - ay) for ax, ay in apples)


def spawn_apples(snakes, apples, rng, cfg):
    """Top `apples` up to cfg.num_apples on random free cells (fewer if the board is full)."""
    taken = {cell for body in snakes for cell in body} | set(apples)
    free = [(x, y) for y in range(cfg.height) for x in range(cfg.width) if (x, y) not in taken]
    apples = list(apples)
    while len(apples) < cfg.num_apples and free:
        apples.append(free.pop(rng.randrange(len(free))))
    return apples


def new_game(rng, cfg):
    """Two snakes of length 1 on distinct random cells, then the apples."""
    cells = [(x, y) for y in range(cfg.height) for x in range(cfg.width)]
    heads = rng.sample(cells, 2)
    snakes = [[heads[0]], [heads[1]]]
    return {"snakes": snakes, "apples": spawn_apples(snakes, [], rng, cfg), "last_moves": [None, None]}


def play_turn(game, moves, rng, cfg):
    """Both snakes move at once. Returns (next game, [alive, alive]).

    A snake whose new head lands on an apple eats it and keeps its tail (grows by one); otherwise its tail
    moves up. Then a snake dies if its head is off the board, on its own body, or on any cell of the other
    snake (head-on collisions kill both). Eaten apples respawn on free cells.
    """
    snakes, eaten = [], set()
    for body, move in zip(game["snakes"], moves):
        head = shift(body[0], move)
        grows = head in game["apples"]
        if grows:
            eaten.add(head)
        snakes.append([head] + (body if grows else body[:-1]))
    alive = []
    for i, body in enumerate(snakes):
        x, y = body[0]
        on_board = 0 <= x < cfg.width and 0 <= y < cfg.height
        hits_self = body[0] in body[1:]
        hits_other = any(body[0] in other for j, other in enumerate(snakes) if j != i)
        alive.append(on_board and not hits_self and not hits_other)
    apples = spawn_apples(snakes, [a for a in game["apples"] if a not in eaten], rng, cfg)
    return {"snakes": snakes, "apples": apples, "last_moves": list(moves)}, alive


# ---------------------------------------------------------------------------------------------------------
# Scripted agents (stand-in for ViGaL's PPO agent, which masked dangerous actions the same way)

def agent_move(game, i, rng, cfg):
    """Snake i's move: a random safe move with probability epsilon, else a safe move closest to an apple."""
    head = game["snakes"][i][0]
    fatal = fatal_moves(cfg.width, cfg.height, game["snakes"], head)
    safe = [m for m in MOVES if m not in fatal]
    if not safe:
        return rng.choice(MOVES)  # trapped: any move dies
    if rng.random() < cfg.epsilon or not game["apples"]:
        return rng.choice(safe)
    distance = {m: nearest_apple_distance(shift(head, m), game["apples"]) for m in safe}
    closest = min(distance.values())
    return rng.choice([m for m in safe if distance[m] == closest])


def play_to_length(rng, cfg, you, length):
    """A game state (both snakes alive, >= 1 turn played) where snake `you` has `length` cells, has a
    non-fatal move and sees at least one apple. Uniform over such states of one game's trajectory.

    Plays games until the snake outgrows `length` (or dies, or max_turns pass); a game that gave no such
    state is replaced by a new one, at most cfg.max_games times.
    """
    for _ in range(cfg.max_games):
        game, candidates = new_game(rng, cfg), []
        for _ in range(cfg.max_turns):
            moves = [agent_move(game, i, rng, cfg) for i in range(2)]
            game, alive = play_turn(game, moves, rng, cfg)
            if not all(alive) or len(game["snakes"][you]) > length:
                break
            head = game["snakes"][you][0]
            if (len(game["snakes"][you]) == length and game["apples"]
                    and len(fatal_moves(cfg.width, cfg.height, game["snakes"], head)) < len(MOVES)):
                candidates.append(game)
        if candidates:
            return rng.choice(candidates)
    raise RuntimeError(f"no state with a snake of length {length} found in {cfg.max_games} games of at most "
                       f"{cfg.max_turns} turns on a {cfg.width}x{cfg.height} board with {cfg.num_apples} apple(s); "
                       f"use a larger board, fewer apples or a smaller max_length")


# ---------------------------------------------------------------------------------------------------------
# Labels: the best move and every fatal move, as ViGaL asks for them

def labels(state):
    """{"best": [...], "worst": [...]} for snake state["you"], both in canonical move order.

    worst = every fatal move (off the board, or onto any snake cell in this state, tails included);
    best = every non-fatal move whose new head is at the smallest Manhattan distance to its nearest apple.
    If every move is fatal, best is empty (samples never hold such states).
    """
    head = state["snakes"][state["you"]][0]
    worst = fatal_moves(state["width"], state["height"], state["snakes"], head)
    distance = {m: nearest_apple_distance(shift(head, m), state["apples"]) for m in MOVES if m not in worst}
    best = [m for m in distance if distance[m] == min(distance.values())]
    return {"best": best, "worst": worst}


# ---------------------------------------------------------------------------------------------------------
# Rendering: white background, light grid, ticks 0..W-1 below and 0..H-1 on the left, row H-1 at the top

WHITE, GRID, AXIS, TEXT = (255, 255, 255), (205, 205, 205), (140, 140, 140), (40, 40, 40)
SNAKE_COLOURS = ((220, 30, 30), (30, 80, 220))  # snakes[0] red, snakes[1] blue: pure, so pixels classify
SNAKE_COLOUR_NAMES = ("red", "blue")
APPLE = (30, 170, 60)  # green


def board_layout(width, height, image_size):
    """(board_box [x0, y0, x1, y1], cell size in px, font size): the board is centred in what the tick
    labels leave free, with whole-pixel cells so every cell has the same size."""
    font_size = max(8, round(image_size / 30))
    digits = len(str(max(width, height) - 1))
    left = round(font_size * (0.6 * digits + 0.8))  # room for the y tick labels
    bottom = round(font_size * 1.5)  # room for the x tick labels
    pad = max(2, image_size // 50)
    cell = min((image_size - left - pad) // width, (image_size - bottom - pad) // height)
    x0 = left + (image_size - left - pad - cell * width) // 2
    y0 = pad + (image_size - pad - bottom - cell * height) // 2
    return [x0, y0, x0 + cell * width, y0 + cell * height], cell, font_size


def cell_box(board_box, cell, height, x, y):
    """Pixel box (left, top, right, bottom) of board cell (x, y); y = height-1 is the top row."""
    left = board_box[0] + x * cell
    top = board_box[1] + (height - 1 - y) * cell
    return left, top, left + cell, top + cell


def head_triangle(box, move, inset):
    """Triangle inside `box` pointing in direction `move` (its centre lies inside the triangle)."""
    left, top, right, bottom = box[0] + inset, box[1] + inset, box[2] - inset, box[3] - inset
    cx, cy = (left + right) / 2, (top + bottom) / 2
    return {"UP": [(cx, top), (left, bottom), (right, bottom)],
            "DOWN": [(cx, bottom), (left, top), (right, top)],
            "LEFT": [(left, cy), (right, top), (right, bottom)],
            "RIGHT": [(right, cy), (left, top), (left, bottom)]}[move]


def render(state, image_size):
    """The board as an RGB image; state["board_box"] equals board_layout(...)[0] for this image_size."""
    width, height = state["width"], state["height"]
    board_box, cell, font_size = board_layout(width, height, image_size)
    image = Image.new("RGB", (image_size, image_size), WHITE)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=font_size)
    line = max(1, cell // 25)
    for i in range(width + 1):
        x = board_box[0] + i * cell
        draw.line([(x, board_box[1]), (x, board_box[3])], fill=AXIS if i in (0, width) else GRID, width=line)
    for j in range(height + 1):
        y = board_box[1] + j * cell
        draw.line([(board_box[0], y), (board_box[2], y)], fill=AXIS if j in (0, height) else GRID, width=line)
    gap = max(2, font_size // 4)
    for x in range(width):
        left, _, right, _ = cell_box(board_box, cell, height, x, 0)
        draw.text(((left + right) / 2, board_box[3] + gap), str(x), fill=TEXT, font=font, anchor="mt")
    for y in range(height):
        _, top, _, bottom = cell_box(board_box, cell, height, 0, y)
        draw.text((board_box[0] - gap, (top + bottom) / 2), str(y), fill=TEXT, font=font, anchor="rm")

    inset = max(1, round(cell / 10))  # leaves the grid visible between body squares
    for x, y in state["apples"]:
        left, top, right, bottom = cell_box(board_box, cell, height, x, y)
        draw.ellipse([left + 2 * inset, top + 2 * inset, right - 2 * inset, bottom - 2 * inset], fill=APPLE)
    for body, move, colour in zip(state["snakes"], state["last_moves"], SNAKE_COLOURS):
        for x, y in body[1:]:
            left, top, right, bottom = cell_box(board_box, cell, height, x, y)
            draw.rectangle([left + inset, top + inset, right - inset, bottom - inset], fill=colour)
        head_box = cell_box(board_box, cell, height, *body[0])
        draw.polygon(head_triangle(head_box, move, inset), fill=colour)
    return image


# ---------------------------------------------------------------------------------------------------------
# Prompt (the content of ViGaL's prompt, in our own words): the image goes before it in the user turn

def cells_text(cells):
    return ", ".join(f"({x}, {y})" for x, y in cells)


def make_prompt(state, answer_format="vigal"):
    width, height, you = state["width"], state["height"], state["you"]
    enemy = 1 - you
    mine, theirs = state["snakes"][you], state["snakes"][enemy]
    colour, enemy_colour = SNAKE_COLOUR_NAMES[you], SNAKE_COLOUR_NAMES[enemy]
    if answer_format == "move":
        # The tiny demo's question: no coordinates in the text, so the answer can only come from the image
        # (its blind control must fail), and a one-word answer a random tiny model can stumble on.
        return (f"You are the {colour} snake on this {width}x{height} grid; the {enemy_colour} snake is your opponent "
                f"and apples are green. Which move takes your head closest to an apple without hitting a wall or a "
                f"snake? Answer with one word: UP, DOWN, LEFT or RIGHT.")
    my_body = cells_text(mine[1:]) if len(mine) > 1 else "none (your snake is only its head)"
    their_body = cells_text(theirs[1:]) if len(theirs) > 1 else "none (it is only its head)"
    paragraphs = [
        f"You control a snake in a game of Snake on a {width}x{height} grid that uses Cartesian coordinates. "
        f"You are the {colour} snake; the {enemy_colour} snake is your opponent. Apples are green. Each snake's head "
        f"is drawn as a triangle pointing in the direction it last moved; its body cells are filled squares.",

        f"Coordinates: a cell is written (x, y). x is the column, numbered 0 to {width - 1} from left to right; "
        f"y is the row, numbered 0 to {height - 1} from bottom to top. So (0, 0) is the bottom-left cell and "
        f"({width - 1}, {height - 1}) the top-right cell. UP means y+1, DOWN y-1, LEFT x-1, RIGHT x+1.",

        "Rules: both snakes move one cell at the same time every turn. A snake that moves onto an apple eats it and "
        "grows by one cell. A snake dies if it moves off the grid or into a cell occupied by a snake, its own body "
        "or the other snake.",

        f"Current state:\n"
        f"- Apples: {cells_text(state['apples'])}\n"
        f"- Your snake ({colour}): head at {cells_text(mine[:1])}; body from neck to tail: {my_body}. "
        f"Your last move was {state['last_moves'][you]}.\n"
        f"- Enemy snake ({enemy_colour}): head at {cells_text(theirs[:1])}; body from neck to tail: {their_body}. "
        f"Its last move was {state['last_moves'][enemy]}.\n"
        "The enemy moves at the same time as you, so think about where it is likely to go next. The answers below, "
        "however, are judged on the grid exactly as it is now.",

        "Your task: choose from UP, DOWN, LEFT, RIGHT.\n"
        "- Best move: a move that is not fatal and after which your head is as close as possible to an apple, i.e. "
        "the Manhattan distance |x1 - x2| + |y1 - y2| from the new head cell to the nearest apple is smallest. If "
        "several moves tie, any one of them is accepted.\n"
        "- Worst moves: every fatal move, i.e. every move that takes your head off the grid or onto a cell occupied "
        "by any snake right now (tails included). If no move is fatal, write None.",

        "How to reason: for each of the four moves, write the cell your head would move to. Check whether that cell "
        "is outside the grid or occupied by a snake. For each safe move, compute the Manhattan distance from the new "
        "head cell to every apple step by step and keep the smallest. Then pick the best move and list all fatal "
        "moves.",

        "Answer in exactly this format:\n"
        "<think> your reasoning </think><best_answer> one move </best_answer>"
        "<worst_answer> all fatal moves separated by commas, or None </worst_answer>",
    ]
    return "\n\n".join(paragraphs)


# ---------------------------------------------------------------------------------------------------------
# Samples: the index-th sample of a (seed, split) stream depends on nothing else

def state_record(game, you, cfg):
    """The state record of a game position (a sample's `state`), asked from snake `you`'s side: JSON lists, and the
    board's pixel box in the image `render` draws at cfg.image_size."""
    return {
        "width": cfg.width,
        "height": cfg.height,
        "snakes": [[list(cell) for cell in body] for body in game["snakes"]],
        "you": you,
        "apples": [list(cell) for cell in game["apples"]],
        "last_moves": list(game["last_moves"]),
        "board_box": board_layout(cfg.width, cfg.height, cfg.image_size)[0],
    }


def sample_at(index, seed, split="train", cfg=SnakeConfig()):
    """The index-th sample record (the README describes its fields) of the (seed, split) stream, image in memory.

    Its own RNG, seeded by a string naming split, seed and index, makes it independent of every other
    index and keeps train and test streams apart (CPython hashes str seeds with SHA-512: deterministic).
    """
    check_config(cfg)
    rng = random.Random(f"snake:{split}:{seed}:{index}")
    difficulty = rng.randint(cfg.min_length, cfg.max_length)
    you = rng.randrange(2)
    state = state_record(play_to_length(rng, cfg, you, difficulty), you, cfg)
    return {
        "id": f"snake-{split}-{index:06d}",
        "game": "snake",
        "images": [render(state, cfg.image_size)],
        "prompt": make_prompt(state, cfg.answer_format),
        "answer": labels(state),
        "reward": ANSWER_FORMATS[cfg.answer_format],
        "level": {"difficulty": difficulty},
        "state": state,
    }


def generate(n, seed, split="train", cfg=SnakeConfig()):
    return [sample_at(i, seed, split, cfg) for i in range(n)]


# ---------------------------------------------------------------------------------------------------------
# Full games between two policies (how ViGaL reports Snake play: wins out of 10 against the base model)

def scripted_policy(cfg, seed, epsilon=0.0):
    """A batched policy for play_matches: agent_move with its own RNG (epsilon 0 = always greedy-safe)."""
    rng, agent_cfg = random.Random(f"snake-policy:{seed}"), SnakeConfig(**{**cfg.__dict__, "epsilon": epsilon})
    return lambda requests: [agent_move(game, i, rng, agent_cfg) for game, i in requests]


def _frame(game):
    """The part of a game a GIF frame draws, as JSON lists."""
    return {"snakes": [list(map(list, body)) for body in game["snakes"]], "apples": [list(a) for a in game["apples"]],
            "last_moves": list(game["last_moves"])}


def _death(before, after, s, cfg):
    """Why snake s died this turn: wall, itself, or the other snake (head-on counts as the other snake)."""
    head = after["snakes"][s][0]
    if not (0 <= head[0] < cfg.width and 0 <= head[1] < cfg.height):
        return "wall"
    return "self" if head in after["snakes"][s][1:] else "other snake"


def play_matches(policies, n_games, seed, cfg=SnakeConfig(), max_turns=100):
    """Play n_games full games between policies[0] and policies[1]; return one result dict per game.

    A policy is a callable taking a list of requests (game, i) -- "move snake i in this game" -- and returning
    one move per request, or None for an answer it could not read (a model's unparsable output). All games
    advance in lockstep so that a model policy sees every live game's board in one batch per turn.
    Seats alternate: policies[0] is snake 0 (red) in even games and snake 1 (blue) in odd games.
    Each game starts with both snakes of length 1 and a random "last move" (the heading shown on the board).

    Invalid answers: the snake repeats its last move (it keeps going straight), and the answer is counted.
    Outcome: a snake that dies alone loses; when both die on the same turn (head-on collisions are common),
    or both are alive after max_turns, the one that ate more apples wins, and equal apples is a draw.
    Result per game: seats, winner (policy 0 or 1, None = draw), apples and invalid answers per policy,
    turns played, how each snake died, and `frames`: the states from the start to the end, for a GIF.
    """
    matches = []  # one per game: its state, and what the result needs; seats[p] = the snake policy p moves
    for g in range(n_games):
        rng = random.Random(f"snake-play:{seed}:{g}")
        game = new_game(rng, cfg)
        game["last_moves"] = [rng.choice(MOVES), rng.choice(MOVES)]
        matches.append({"rng": rng, "game": game, "seats": [g % 2, 1 - g % 2], "alive": [True, True],
                        "invalid": [0, 0], "turn": 0, "frames": [_frame(game)], "done": False, "deaths": [None, None]})
    for _ in range(max_turns):
        live = [match for match in matches if not match["done"]]
        if not live:
            break
        moves = {id(match): [None, None] for match in live}
        for p, policy in enumerate(policies):  # one batched call per policy and turn
            requests = [(match["game"], match["seats"][p]) for match in live]
            for match, move in zip(live, policy(requests)):
                snake_index = match["seats"][p]
                if move not in MOVES:
                    match["invalid"][p] += 1
                    move = match["game"]["last_moves"][snake_index]
                moves[id(match)][snake_index] = move
        for match in live:
            before = match["game"]
            match["game"], alive = play_turn(before, moves[id(match)], match["rng"], cfg)
            match["turn"] += 1
            match["frames"].append(_frame(match["game"]))
            for s in range(2):
                if not alive[s]:
                    match["deaths"][s] = _death(before, match["game"], s, cfg)
            match["alive"] = alive
            match["done"] = not all(alive)
    results = []
    for match in matches:
        seats = match["seats"]
        apples = [len(match["game"]["snakes"][seats[p]]) - 1 for p in range(2)]  # length 1 at start, +1 an apple
        alive = [match["alive"][seats[p]] for p in range(2)]
        if alive[0] != alive[1]:
            winner = 0 if alive[0] else 1
        elif apples[0] != apples[1]:
            winner = 0 if apples[0] > apples[1] else 1
        else:
            winner = None
        results.append({"seats": seats, "winner": winner, "apples": apples, "invalid": match["invalid"],
                        "turns": match["turn"], "deaths": [match["deaths"][seats[p]] for p in range(2)],
                        "frames": match["frames"]})
    return results


# ---------------------------------------------------------------------------------------------------------
# CLI

def main(argv=None):
    d = SnakeConfig()
    parser = argparse.ArgumentParser(description="Generate ViGaL Snake samples (arXiv 2506.08011) as a dataset folder.")
    parser.add_argument("--out", required=True, help="output folder (gets metadata.jsonl and images/)")
    parser.add_argument("--n", type=int, required=True, help="number of samples")
    parser.add_argument("--seed", type=int, required=True, help="seed of the sample stream")
    parser.add_argument("--split", choices=("train", "test"), default="train",
                        help="train and test use separate seed streams (default: train)")
    parser.add_argument("--width", type=int, default=d.width, help=f"board columns (default: {d.width})")
    parser.add_argument("--height", type=int, default=d.height, help=f"board rows (default: {d.height})")
    parser.add_argument("--num-apples", type=int, default=d.num_apples, help=f"apples on the board (default: {d.num_apples})")
    parser.add_argument("--image-size", type=int, default=d.image_size, help=f"image side in pixels (default: {d.image_size})")
    parser.add_argument("--min-length", type=int, default=d.min_length,
                        help=f"smallest controlled-snake length, the easiest difficulty (default: {d.min_length})")
    parser.add_argument("--max-length", type=int, default=d.max_length,
                        help=f"largest controlled-snake length, the hardest difficulty (default: {d.max_length})")
    parser.add_argument("--epsilon", type=float, default=d.epsilon,
                        help=f"chance a scripted agent plays a random safe move (default: {d.epsilon})")
    args = parser.parse_args(argv)
    cfg = SnakeConfig(width=args.width, height=args.height, num_apples=args.num_apples, image_size=args.image_size,
                      min_length=args.min_length, max_length=args.max_length, epsilon=args.epsilon)
    if args.n < 1:
        parser.error(f"--n must be >= 1, got {args.n}")
    if records.output_folder_problem(args.out):
        parser.error(f"--out: {records.output_folder_problem(args.out)}")
    try:
        check_config(cfg)
    except ValueError as e:
        parser.error(str(e))

    counts = collections.Counter()

    def samples():  # generated one at a time, so a 36K-sample run never holds all images in memory
        for i in range(args.n):
            sample = sample_at(i, args.seed, args.split, cfg)
            counts[sample["level"]["difficulty"]] += 1
            yield sample

    try:
        n = records.write_dataset(samples(), args.out, progress=lambda it: tqdm(it, total=args.n, desc="snake"))
    except RuntimeError as e:  # a config that passed check_config but whose games never reach the length
        parser.exit(1, f"snake.py: error: {e}\n")
    print(f"wrote {n} {args.split} samples to {args.out}/metadata.jsonl (images in {args.out}/images/)")
    print("samples per difficulty (snake length): " + ", ".join(f"{k}: {counts[k]}" for k in sorted(counts)))


if __name__ == "__main__":
    main()
