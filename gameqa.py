"""GameQA data engine (Code2Logic) and the sample record on disk.

What it is. A reproduction of the data side of Game-RL — "Game-RL: Synthesizing Multimodal Verifiable Game Data
to Boost VLMs' General Reasoning" (Tong et al., 2025, arXiv 2505.13886, first titled "Code2Logic"); SPEC §1, §4.
Code2Logic turns game code into verifiable visual questions in three pieces, and this file has the same three:
  1. a game: a state class with its transition `move()` and a Pillow renderer whose tick labels state the
     coordinate convention the questions use;
  2. task templates: each pairs a question with an analysis produced by running the game logic and solvers,
     and carries qa_type (Target Perception / State Prediction / Strategy Optimization) and qa_level;
  3. an engine (`make_sample`, `sample_at`, `generate`) that draws states, fills the templates, shuffles and
     letters the options and renders the image. Answers are correct by construction; tests re-derive every
     one from the record's `state` with separate code.
The REGISTRY lists all 30 GameQA games with category and in-domain / out-of-domain split. Implemented:
Sokoban, Maze, Tetris, 3D Reconstruction (in-domain) and Sudoku, Minesweeper (out-of-domain), 23 tasks.
It also reads the released GameQA-140K / GameQA-5K files into sample records and exports ours to those
formats and to MM-EUREKA's.

The sample record on disk (SPEC §1) is shared by every game in the project: DIR/metadata.jsonl (one record a
line) and DIR/images/..., paths relative to DIR so a dataset can be moved without rewriting. Every CLI writes
through `write_dataset`; train.py / evaluate.py read through `read_dataset`.

Deviations from Game-RL, and why:
  1. Our own 6 of the 30 games and 3–4 tasks each (the release has 158 tasks); the registry marks the rest.
  2. The per-question budget counts search steps, not seconds (`Budget`): a wall-clock limit would make the
     data depend on machine load, and the same seed must give byte-identical files.
  3. Multiple-choice gold is the option LETTER (options labelled A, B, … in the prompt); released data whose
     gold is a 1-based index keeps it, and rewards.py grades both.
  4. No LLM judge and no free-form answers: fill-in answers have one canonical form ("(r, c)", a number, a 3×3
     matrix like [[0,1,0],[1,1,1],[0,0,0]]) that rewards.py can match by rule.
  5. 3D Reconstruction draws only structures that stand on the floor and whose every voxel shows in the
     view (a single oblique view of floating cubes is ambiguous); the targets still allow floating voxels.
  6. Sudoku's "solved colour" analysis is a forced-cell trace, falling back to the searched solution when no
     cell is forced, instead of the release's guided two-cell deduction.

Commands (CPU only; no torch in this file):
    python gameqa.py --games in-domain --n 5000 --seed 0 --out data/gameqa5k --workers 2 --export swift
    python gameqa.py --games out-of-domain --n 500 --seed 0 --split test --out data/gameqa_ood_test
    python gameqa.py --games sokoban,maze --n 20 --out /tmp/peek      # then open /tmp/peek/images/*.png
    python -m pytest -q tests/test_gameqa*.py
The first takes about 50 s serial, 65 s with --workers 2, on 2 cores shared with other jobs (same bytes either way).
"""
import json
import os
import random
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

from PIL import Image, ImageDraw, ImageFont

REQUIRED_FIELDS = ("id", "game", "images", "prompt", "answer", "reward")


class DatasetError(ValueError):
    """A dataset folder or record that cannot be used; the message names the file, line and value."""


# ---------------------------------------------------------------------------------------------------------
# The sample record on disk (SPEC §1)

def write_dataset(samples, out_dir, progress=None):
    """Write sample records (PIL images in memory) to `out_dir`/metadata.jsonl + `out_dir`/images/.

    Image k of sample `id` is saved as images/{id}-{k}.png. Output is byte-identical for identical samples
    (PNG written by Pillow carries no timestamp; JSON keys keep the record's order). `progress` is an
    optional callable wrapping the iterable (e.g. tqdm). Returns the number of records written.
    """
    os.makedirs(os.path.join(out_dir, "images"), exist_ok=True)
    tmp_path = os.path.join(out_dir, "metadata.jsonl.tmp")
    n = 0
    with open(tmp_path, "w", encoding="utf-8") as f:
        for sample in (progress(samples) if progress else samples):
            paths = []
            for k, image in enumerate(sample["images"]):
                rel = f"images/{sample['id']}-{k}.png"
                image.save(os.path.join(out_dir, rel))
                paths.append(rel)
            f.write(json.dumps({**sample, "images": paths}, ensure_ascii=False) + "\n")
            n += 1
    os.replace(tmp_path, os.path.join(out_dir, "metadata.jsonl"))  # a crash never leaves a half-written jsonl
    return n


def read_dataset(folder):
    """Read DIR/metadata.jsonl into sample records whose `images` are absolute paths (opened lazily by
    `load_images`, so a 36K-sample set does not sit in memory as pixels).

    Raises DatasetError naming the folder, or the file and line, of anything malformed.
    """
    path = os.path.join(folder, "metadata.jsonl")
    if not os.path.isdir(folder):
        raise DatasetError(f"dataset folder not found: {folder!r} (expected a folder holding metadata.jsonl and images/)")
    if not os.path.isfile(path):
        raise DatasetError(f"no metadata.jsonl in dataset folder {folder!r}")
    samples = []
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            where = f"{path}, line {line_no}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise DatasetError(f"{where}: not valid JSON ({e.msg} at column {e.colno})") from None
            if not isinstance(record, dict):
                raise DatasetError(f"{where}: expected a JSON object, got {type(record).__name__}")
            missing = [k for k in REQUIRED_FIELDS if k not in record]
            if missing:
                raise DatasetError(f"{where}: missing field(s) {', '.join(missing)}")
            if not isinstance(record["images"], list):
                raise DatasetError(f"{where}: 'images' must be a list of paths, got {record['images']!r}")
            images = []
            for rel in record["images"]:
                full = os.path.join(folder, rel)
                if not os.path.isfile(full):
                    raise DatasetError(f"{where}: image {rel!r} not found in {folder!r}")
                images.append(os.path.abspath(full))
            samples.append({**record, "images": images})
    if not samples:
        raise DatasetError(f"{path} holds no records")
    return samples


def load_images(sample):
    """The sample's images as RGB PIL images, whether the record holds PIL images or paths."""
    return [im.convert("RGB") if isinstance(im, Image.Image) else Image.open(im).convert("RGB")
            for im in sample["images"]]


# ---------------------------------------------------------------------------------------------------------
# The GameQA engine (Code2Logic, SPEC §4): a game is a state class with move(), a renderer, and task templates.
#
# A task template turns (rng, state) into a QA: the question text, a step-by-step analysis produced by running
# the game logic, the correct answer and, for multiple choice, the wrong options. `make_sample` adds what every
# record shares: option shuffling and letters, the answer request, the level fields and the image.

QA_TYPES = ("Target Perception", "State Prediction", "Strategy Optimization")
LEVELS = ("Easy", "Medium", "Hard")
LETTERS = "ABCDEFGHIJ"

# Game-RL trains with a one-sentence system prompt (SPEC §4); these are our own words for the same five asks.
GAME_RL_SYSTEM_PROMPT = ("Look at the image carefully, make sure you understand every condition the question sets, "
                         "reason it through logically, reflect on and check your reasoning, and then give the correct answer.")
ANSWER_REQUEST = 'Think step by step, then finish with the line "The answer is <answer>".'
MAX_ATTEMPTS = 200  # fresh (state, task) draws before a sample is declared impossible (a bug, not bad luck)


class GiveUp(Exception):
    """This state does not fit this task (no valid query, or a search ran past its budget): draw another."""


class Budget:
    """A per-question search budget counted in steps, not seconds (deviation 2 in the module docstring):
    a wall-clock limit would make the data depend on how busy the machine is."""

    def __init__(self, steps):
        self.left = steps

    def tick(self, n=1):
        self.left -= n
        if self.left < 0:
            raise GiveUp("search budget spent")


@dataclass
class QA:
    """What a task template returns. For multiple choice `answer` is the correct option's text and
    `distractors` the wrong ones; for fill-in `distractors` is None and `answer` is the gold text."""
    question: str
    analysis: str
    answer: str
    distractors: list = None
    given: dict = field(default_factory=dict)  # task parameters (a move list, a queried cell) added to `state`


@dataclass(frozen=True)
class Task:
    question_id: int
    description: str  # the released data's question_description
    qa_type: str      # one of QA_TYPES
    qa_level: str     # reasoning depth, one of LEVELS
    make: Callable    # make(rng, state) -> QA, or raises GiveUp


def numeric_distractors(rng, true, k=7, low=0):
    """k distinct integers >= low closest to `true` (ties broken at random), so the gold is not the outlier."""
    pool = [v for v in range(max(low, true - 2 * k), true + 2 * k + 1) if v != true]
    return [str(v) for v in sorted(pool, key=lambda v: (abs(v - true), rng.random()))[:k]]


def cell_distractors(rng, cell, rows, cols, k=7):
    """k distinct "(r, c)" cells on a rows×cols board nearest to `cell` (Chebyshev distance, random ties)."""
    r0, c0 = cell
    pool = [(r, c) for r in range(rows) for c in range(cols) if (r, c) != (r0, c0)]
    pool.sort(key=lambda rc: (max(abs(rc[0] - r0), abs(rc[1] - c0)), rng.random()))
    return [fmt_cell(rc) for rc in pool[:k]]


def fmt_cell(rc):
    return f"({rc[0]}, {rc[1]})"


def make_sample(game, task, plot_level, rng, sample_id, render=True):
    """Draw states until `task` accepts one, then build the sample record (SPEC §1 + the GameQA fields)."""
    for _ in range(MAX_ATTEMPTS):
        state = game.new_state(rng, plot_level)
        try:
            qa = task.make(rng, state)
        except GiveUp:
            continue
        break
    else:
        raise RuntimeError(f"{game.name} task {task.question_id} found no usable state in {MAX_ATTEMPTS} draws")
    analysis = qa.analysis.rstrip()
    if qa.distractors is not None:
        options = [qa.answer] + list(qa.distractors)
        assert len(set(options)) == len(options), f"{game.name} q{task.question_id}: repeated option in {options}"
        rng.shuffle(options)  # fixed option orders leak priors (SPEC §4)
        letter = LETTERS[options.index(qa.answer)]
        listed = "\n".join(f"{LETTERS[i]}: {text}" for i, text in enumerate(options))
        prompt = f"{qa.question}\n\nOptions:\n{listed}\n\n{ANSWER_REQUEST.replace('<answer>', '<option letter>')}"
        answer, analysis = letter, f"{analysis}\nThis is option {letter}. The answer is {letter}"
    else:
        options, answer = None, qa.answer
        prompt = f"{qa.question}\n\n{ANSWER_REQUEST}"
        analysis = f"{analysis}\nThe answer is {answer}"
    record = {"id": sample_id, "game": game.name, "images": [game.render(state)] if render else [],
              "prompt": prompt, "answer": answer, "reward": "gameqa"}
    if options is not None:
        record["options"] = options
    record.update({"level": {"plot_level": plot_level, "qa_level": task.qa_level, "qa_type": task.qa_type},
                   "state": {**state.to_json(), **qa.given}, "analysis": analysis,
                   "question_id": task.question_id, "question_description": task.description,
                   "split_group": game.split_group})
    return record


def sample_at(index, seed, split="train", games=None, plot_levels=LEVELS, render=True):
    """Sample `index` of the stream (split, seed): deterministic and independent of every other index, so a
    trainer can draw any index in any order or process. The RNG picks the game, the task, the plot level
    and the state. `games` defaults to every implemented in-domain game (the Game-RL training set)."""
    games = list(games) if games is not None else game_names("in-domain")
    for name in games:
        if name not in REGISTRY or not REGISTRY[name].implemented:
            raise ValueError(f"unknown or unimplemented GameQA game {name!r}; implemented: {', '.join(game_names('all'))}")
    rng = random.Random(f"gameqa:{split}:{seed}:{index}")
    game = REGISTRY[rng.choice(games)]
    task = rng.choice(game.tasks)
    plot_level = rng.choice(list(plot_levels))
    return make_sample(game, task, plot_level, rng, f"{game.name}-{split}-{index:06d}", render)


def generate(n, seed, split="train", games=None, plot_levels=LEVELS, render=True):
    """The first n samples of the stream (split, seed), as a list of records."""
    return [sample_at(i, seed, split, games, plot_levels, render) for i in range(n)]


def sample_task(game_name, question_id, seed, plot_level="Easy", split="train", render=True):
    """One sample of one task at one plot level: how tests and the viewer reach every template."""
    game = REGISTRY[game_name]
    task = next(t for t in game.tasks if t.question_id == question_id)
    rng = random.Random(f"gameqa-task:{split}:{seed}:{game_name}:{question_id}:{plot_level}")
    return make_sample(game, task, plot_level, rng, f"{game_name}-{split}-{seed:06d}", render)


# Drawing helpers shared by the grid games: a board with its tick labels, so the picture states the convention.

def font(size):
    return ImageFont.load_default(size=size)


def grid_canvas(rows, cols, cell):
    """A white canvas with a rows×cols board whose row ticks (0..rows-1, top to bottom) sit on the left and
    column ticks (0..cols-1, left to right) on top. Returns (image, draw, box) where box(r, c) is the cell's
    pixel rectangle."""
    pad = max(24, cell * 2 // 3)  # room for the tick labels
    image = Image.new("RGB", (pad + cols * cell + 10, pad + rows * cell + 10), "white")
    draw = ImageDraw.Draw(image)
    tick_font = font(max(10, min(18, cell // 2)))
    for c in range(cols):
        draw.text((pad + c * cell + cell / 2, pad / 2), str(c), fill="black", font=tick_font, anchor="mm")
    for r in range(rows):
        draw.text((pad / 2, pad + r * cell + cell / 2), str(r), fill="black", font=tick_font, anchor="mm")

    def box(r, c):
        return (pad + c * cell, pad + r * cell, pad + (c + 1) * cell, pad + (r + 1) * cell)
    return image, draw, box


GRID_CONVENTION = ("Cells are written (row, column): rows are numbered from 0 at the top to {last_r} at the bottom, "
                   "columns from 0 on the left to {last_c} on the right, as the tick labels on the image show.")

MOVE_DELTAS = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}


# ---------------------------------------------------------------------------------------------------------
# The registry: the 30 GameQA games (SPEC §4), their category and split. The split is part of the data:
# training on an out-of-domain game voids the generalisation claim. A game is implemented once its section
# below fills in new_state / render / tasks.

@dataclass
class Game:
    name: str                   # snake_case registry name, the record's `game`
    title: str
    category: str
    split_group: str            # "in-domain" (training games) or "out-of-domain" (held out)
    new_state: Callable = None  # new_state(rng, plot_level) -> state object with .to_json()
    render: Callable = None     # render(state) -> PIL image
    tasks: tuple = ()

    @property
    def implemented(self):
        return bool(self.tasks)


SPATIAL, PATTERN, MULTISTEP, STRATEGY = ("3D spatial perception and understanding", "pattern recognition and matching",
                                         "multi-step reasoning", "strategic planning")
REGISTRY = {g.name: g for g in [
    Game("3d_maze", "3D Maze", SPATIAL, "in-domain"),
    Game("rubiks_cube", "Rubik's Cube", SPATIAL, "in-domain"),
    Game("3d_reconstruction", "3D Reconstruction", SPATIAL, "in-domain"),
    Game("pyramid_chess", "Pyramid Chess", SPATIAL, "out-of-domain"),
    Game("minecraft", "Minecraft", SPATIAL, "out-of-domain"),
    Game("tangram", "Tangram", PATTERN, "in-domain"),
    Game("freecell", "Freecell", PATTERN, "in-domain"),
    Game("tetris", "Tetris", PATTERN, "in-domain"),
    Game("zuma", "Zuma", PATTERN, "in-domain"),
    Game("spider_solitaire", "Spider Solitaire", PATTERN, "in-domain"),
    Game("color_hue", "Color Hue", PATTERN, "in-domain"),
    Game("jewel2", "Jewel2", PATTERN, "out-of-domain"),
    Game("klondike", "Klondike", PATTERN, "out-of-domain"),
    Game("langtons_ant", "Langton's Ant", MULTISTEP, "in-domain"),
    Game("2d_turing_machine", "2D Turing Machine", MULTISTEP, "in-domain"),
    Game("word_search", "Word Search", MULTISTEP, "in-domain"),
    Game("tents", "Tents", MULTISTEP, "in-domain"),
    Game("rhythm_game", "Rhythm Game", MULTISTEP, "in-domain"),
    Game("star_battle", "Star Battle", MULTISTEP, "in-domain"),
    Game("sudoku", "Sudoku", MULTISTEP, "out-of-domain"),
    Game("lifegame", "Lifegame", MULTISTEP, "out-of-domain"),
    Game("minesweeper", "Minesweeper", MULTISTEP, "out-of-domain"),
    Game("sokoban", "Sokoban", STRATEGY, "in-domain"),
    Game("maze", "Maze", STRATEGY, "in-domain"),
    Game("tictactoe", "TicTacToe", STRATEGY, "in-domain"),
    Game("ultra_tictactoe", "Ultra TicTacToe", STRATEGY, "in-domain"),
    Game("space_invaders", "Space Invaders", STRATEGY, "in-domain"),
    Game("snake", "Snake", STRATEGY, "out-of-domain"),
    Game("chess_ranger", "Chess Ranger", STRATEGY, "out-of-domain"),
    Game("pacman", "Pacman", STRATEGY, "out-of-domain"),
]}


def implement(name, new_state, render, tasks):
    game = REGISTRY[name]
    game.new_state, game.render, game.tasks = new_state, render, tuple(tasks)


def game_names(selection="all", implemented_only=True):
    """Registry names for "all", "in-domain" or "out-of-domain", in registry order."""
    return [g.name for g in REGISTRY.values()
            if (selection == "all" or g.split_group == selection) and (g.implemented or not implemented_only)]


# ---------------------------------------------------------------------------------------------------------
# Sokoban (strategic planning, in-domain). Board 5/8/12 cells a side with a wall border; states are made by
# playing the game backwards from the solved position (the player pulls boxes off their targets), so every
# puzzle is solvable by construction.

SOKOBAN_SIZE = {"Easy": 5, "Medium": 8, "Hard": 12}
SOKOBAN_BOXES = {"Easy": 1, "Medium": 2, "Hard": 2}
SOKOBAN_INNER_WALLS = {"Easy": 0, "Medium": 4, "Hard": 12}
SOKOBAN_PULLS = {"Easy": 2, "Medium": 4, "Hard": 6}
SOKOBAN_SEARCH_BUDGET = 60_000  # (player, boxes) states expanded before a min-moves question is given up


class Sokoban:
    def __init__(self, walls, targets, boxes, player, size):
        self.walls, self.targets, self.size = frozenset(walls), frozenset(targets), size
        self.boxes, self.player = frozenset(boxes), tuple(player)

    def move(self, direction):
        """Apply one move; returns (new state, what happened) where what happened is 'walk', 'push' or 'blocked'."""
        dr, dc = MOVE_DELTAS[direction]
        nxt = (self.player[0] + dr, self.player[1] + dc)
        if nxt in self.walls:
            return self, "blocked"
        if nxt in self.boxes:
            beyond = (nxt[0] + dr, nxt[1] + dc)
            if beyond in self.walls or beyond in self.boxes:
                return self, "blocked"
            boxes = (self.boxes - {nxt}) | {beyond}
            return Sokoban(self.walls, self.targets, boxes, nxt, self.size), "push"
        return Sokoban(self.walls, self.targets, self.boxes, nxt, self.size), "walk"

    def solved(self):
        return self.boxes <= self.targets

    def to_json(self):
        """The board as rows of the usual Sokoban characters: # wall, . target, $ box, * box on target,
        @ player, + player on target, space floor."""
        rows = []
        for r in range(self.size):
            line = ""
            for c in range(self.size):
                rc = (r, c)
                if rc in self.walls:
                    line += "#"
                elif rc == self.player:
                    line += "+" if rc in self.targets else "@"
                elif rc in self.boxes:
                    line += "*" if rc in self.targets else "$"
                else:
                    line += "." if rc in self.targets else " "
            rows.append(line)
        return {"board": rows}


def sokoban_new_state(rng, plot_level):
    n = SOKOBAN_SIZE[plot_level]
    while True:
        walls = {(r, c) for r in range(n) for c in range(n) if r in (0, n - 1) or c in (0, n - 1)}
        inner = [(r, c) for r in range(1, n - 1) for c in range(1, n - 1)]
        walls |= set(rng.sample(inner, SOKOBAN_INNER_WALLS[plot_level]))
        floor = [rc for rc in inner if rc not in walls]
        if len(flood(floor[0], set(floor))) != len(floor):
            continue  # the floor must be one connected room
        picks = rng.sample(floor, SOKOBAN_BOXES[plot_level] + 1)
        targets, player = picks[:-1], picks[-1]
        state = Sokoban(walls, targets, targets, player, n)
        state = sokoban_scramble(rng, state, pulls=SOKOBAN_PULLS[plot_level])
        if not state.solved():
            return state


def sokoban_scramble(rng, state, pulls):
    """Play backwards: the player walks to a box and pulls it a few cells, again and again, then walks off.
    Every pull undoes a legal push, so the result can always be pushed back onto the targets."""
    player, boxes = state.player, set(state.boxes)
    for _ in range(pulls):
        box = rng.choice(sorted(boxes))
        dr, dc = MOVE_DELTAS[rng.choice(list(MOVE_DELTAS))]
        reachable = flood(player, {(r, c) for r in range(state.size) for c in range(state.size)} - state.walls - boxes)
        stand = (box[0] + dr, box[1] + dc)
        if stand not in reachable:
            continue
        player = stand
        for _ in range(rng.randint(1, 3)):  # pull: the player steps away from the box, the box follows
            back = (player[0] + dr, player[1] + dc)
            if back in state.walls or back in boxes:
                break
            boxes.remove((player[0] - dr, player[1] - dc))
            boxes.add(player)
            player = back
    free = sorted(flood(player, {(r, c) for r in range(state.size) for c in range(state.size)} - state.walls - boxes))
    return Sokoban(state.walls, state.targets, boxes, rng.choice(free), state.size)


def flood(start, cells):
    """The cells of `cells` 4-connected to `start`."""
    seen, todo = {start}, [start]
    while todo:
        r, c = todo.pop()
        for dr, dc in MOVE_DELTAS.values():
            nb = (r + dr, c + dc)
            if nb in cells and nb not in seen:
                seen.add(nb)
                todo.append(nb)
    return seen


def sokoban_solve(state, budget):
    """Breadth-first search over (player, boxes): the shortest move list that solves `state`."""
    start = (state.player, state.boxes)
    parent = {start: None}
    queue = deque([state])
    while queue:
        s = queue.popleft()
        if s.solved():
            path, key = [], (s.player, s.boxes)
            while parent[key] is not None:
                key, direction = parent[key]
                path.append(direction)
            return path[::-1]
        budget.tick()
        for direction in MOVE_DELTAS:
            t, what = s.move(direction)
            key = (t.player, t.boxes)
            if what != "blocked" and key not in parent:
                parent[key] = ((s.player, s.boxes), direction)
                queue.append(t)
    raise AssertionError("a scrambled Sokoban state is always solvable")


def sokoban_render(state):
    cell = 44 if state.size <= 8 else 34
    image, draw, box = grid_canvas(state.size, state.size, cell)
    for r in range(state.size):
        for c in range(state.size):
            x0, y0, x1, y1 = box(r, c)
            if (r, c) in state.walls:
                draw.rectangle((x0, y0, x1, y1), fill=(90, 90, 96), outline=(60, 60, 64))
                continue
            draw.rectangle((x0, y0, x1, y1), fill=(236, 230, 214), outline=(200, 194, 180))
            m = cell // 6
            if (r, c) in state.targets:
                draw.rectangle((x0 + m, y0 + m, x1 - m, y1 - m), outline=(220, 30, 30), width=3)
            if (r, c) in state.boxes:
                colour = (60, 170, 80) if (r, c) in state.targets else (176, 112, 48)
                draw.rectangle((x0 + m + 4, y0 + m + 4, x1 - m - 4, y1 - m - 4), fill=colour, outline=(70, 40, 10), width=2)
            if (r, c) == state.player:
                draw.ellipse((x0 + 2 * m, y0 + 2 * m, x1 - 2 * m, y1 - 2 * m), fill=(40, 90, 220), outline=(10, 30, 120), width=2)
    return image


def sokoban_intro(state):
    n = state.size
    return (f"This is a Sokoban puzzle on a {n}×{n} board. Dark grey cells are walls, beige cells are floor, cells "
            "outlined in red are targets, brown squares are boxes (a box on a target turns green) and the blue "
            "circle is the player. " + GRID_CONVENTION.format(last_r=n - 1, last_c=n - 1) + " The player moves one "
            "cell up (row − 1), down (row + 1), left (column − 1) or right (column + 1). Walking into a box pushes it "
            "one cell further in the same direction, which is only possible if that cell is neither a wall nor "
            "another box; the player can never enter a wall. A move that is not possible changes nothing. The "
            "puzzle is solved when every box stands on a target.")


def sokoban_player_position(rng, state):
    question = sokoban_intro(state) + "\n\nWhat is the position of the player? Give it as (row, column)."
    analysis = (f"The blue circle (the player) is in row {state.player[0]} (tick label on the left) and column "
                f"{state.player[1]} (tick label on top), so the player is at {fmt_cell(state.player)}.")
    return QA(question, analysis, fmt_cell(state.player))


def sokoban_after_moves(rng, state):
    moves, s = [], state
    for _ in range(rng.randint(3, 6)):  # mostly towards the nearest box, so that pushes and blocks happen
        near = min(sorted(s.boxes), key=lambda b: abs(b[0] - s.player[0]) + abs(b[1] - s.player[1]))
        towards = [d for d, (dr, dc) in MOVE_DELTAS.items()
                   if abs(near[0] - s.player[0] - dr) + abs(near[1] - s.player[1] - dc) < abs(near[0] - s.player[0]) + abs(near[1] - s.player[1])]
        moves.append(rng.choice(towards) if towards and rng.random() < 0.6 else rng.choice(list(MOVE_DELTAS)))
        s, _ = s.move(moves[-1])
    lines, s = [f"The player starts at {fmt_cell(state.player)}."], state
    for k, direction in enumerate(moves, 1):
        t, what = s.move(direction)
        if what == "blocked":
            ahead = (s.player[0] + MOVE_DELTAS[direction][0], s.player[1] + MOVE_DELTAS[direction][1])
            why = f"a wall is at {fmt_cell(ahead)}" if ahead in s.walls else f"the box at {fmt_cell(ahead)} has a wall or box behind it"
            lines.append(f"Move {k}, {direction}: blocked, {why}; the player stays at {fmt_cell(s.player)}.")
        elif what == "push":
            (box,) = t.boxes - s.boxes
            lines.append(f"Move {k}, {direction}: the player pushes the box to {fmt_cell(box)} and steps to {fmt_cell(t.player)}.")
        else:
            lines.append(f"Move {k}, {direction}: the player walks to {fmt_cell(t.player)}.")
        s = t
    lines.append(f"After all moves the player is at {fmt_cell(s.player)}.")
    question = (sokoban_intro(state) + f"\n\nThe player makes these moves in order: {', '.join(moves)}. "
                "Where is the player after the last move?")
    return QA(question, "\n".join(lines), fmt_cell(s.player),
              cell_distractors(rng, s.player, state.size, state.size), {"moves": moves})


def sokoban_min_moves(rng, state):
    path = sokoban_solve(state, Budget(SOKOBAN_SEARCH_BUDGET))
    analysis = ("Search breadth-first over the positions of the player and the boxes, starting from the "
                "current board; the first solved position found is reached by the fewest moves. "
                f"A shortest solution is: {', '.join(path)}. It has {len(path)} moves.")
    question = (sokoban_intro(state) + "\n\nWhat is the minimum number of moves (every step of the player counts, "
                "pushing or not) needed to solve the puzzle?")
    return QA(question, analysis, str(len(path)), numeric_distractors(rng, len(path), low=1))


def sokoban_box_after_moves(rng, state):
    start = rng.choice(sorted(state.boxes))
    box, s, moves = start, state, []
    lines = [f"The player starts at {fmt_cell(state.player)}; the box we follow starts at {fmt_cell(start)}."]
    for k in range(1, rng.randint(4, 7) + 1):  # mostly towards the followed box, so that it gets pushed
        towards = [d for d, (dr, dc) in MOVE_DELTAS.items()
                   if abs(box[0] - s.player[0] - dr) + abs(box[1] - s.player[1] - dc) < abs(box[0] - s.player[0]) + abs(box[1] - s.player[1])]
        direction = rng.choice(towards) if towards and rng.random() < 0.7 else rng.choice(list(MOVE_DELTAS))
        moves.append(direction)
        t, what = s.move(direction)
        if what == "push" and t.player == box:
            (box,) = t.boxes - s.boxes
            lines.append(f"Move {k}, {direction}: the player pushes the followed box to {fmt_cell(box)}.")
        elif what == "push":
            lines.append(f"Move {k}, {direction}: the player pushes the other box to {fmt_cell(next(iter(t.boxes - s.boxes)))}.")
        elif what == "blocked":
            lines.append(f"Move {k}, {direction}: blocked, nothing moves.")
        else:
            lines.append(f"Move {k}, {direction}: the player walks to {fmt_cell(t.player)}.")
        s = t
    question = (sokoban_intro(state) + f"\n\nThe player makes these moves in order: {', '.join(moves)}. "
                f"Where is the box that started at {fmt_cell(start)} after the last move?")
    return QA(question, "\n".join(lines) + f"\nThe followed box ends at {fmt_cell(box)}.", fmt_cell(box),
              cell_distractors(rng, box, state.size, state.size), {"moves": moves, "box": list(start)})


implement("sokoban", sokoban_new_state, sokoban_render, [
    Task(1, "the player's position", "Target Perception", "Easy", sokoban_player_position),
    Task(2, "the player's position after a sequence of moves", "State Prediction", "Medium", sokoban_after_moves),
    Task(3, "the minimum number of moves that solves the puzzle", "Strategy Optimization", "Hard", sokoban_min_moves),
    Task(4, "a box's position after a sequence of moves", "State Prediction", "Medium", sokoban_box_after_moves),
])


# ---------------------------------------------------------------------------------------------------------
# Maze (strategic planning, in-domain). A perfect maze (exactly one path between any two open cells) carved by
# a randomised depth-first search on a 9/11/13-cell square grid, a player and a goal.

MAZE_SIZE = {"Easy": 9, "Medium": 11, "Hard": 13}


class Maze:
    def __init__(self, walls, player, goal, size):
        self.walls, self.player, self.goal, self.size = frozenset(walls), tuple(player), tuple(goal), size

    def move(self, direction):
        """One step; a step into a wall (or off the board) leaves the player where it is."""
        dr, dc = MOVE_DELTAS[direction]
        nxt = (self.player[0] + dr, self.player[1] + dc)
        if nxt in self.walls or not (0 <= nxt[0] < self.size and 0 <= nxt[1] < self.size):
            return self
        return Maze(self.walls, nxt, self.goal, self.size)

    def open_directions(self, cell):
        return [d for d, (dr, dc) in MOVE_DELTAS.items()
                if 0 <= cell[0] + dr < self.size and 0 <= cell[1] + dc < self.size and (cell[0] + dr, cell[1] + dc) not in self.walls]

    def to_json(self):
        """Rows of characters: # wall, . open, P player, G goal."""
        chars = {self.player: "P", self.goal: "G"}
        return {"board": ["".join("#" if (r, c) in self.walls else chars.get((r, c), ".") for c in range(self.size))
                          for r in range(self.size)]}


def maze_new_state(rng, plot_level):
    n = MAZE_SIZE[plot_level]
    walls = {(r, c) for r in range(n) for c in range(n)}
    start = (1, 1)
    walls.discard(start)
    stack = [start]
    while stack:  # depth-first carving: knock through to an unvisited cell two steps away, else backtrack
        r, c = stack[-1]
        nexts = [(r + 2 * dr, c + 2 * dc, r + dr, c + dc) for dr, dc in MOVE_DELTAS.values()
                 if 0 < r + 2 * dr < n - 1 and 0 < c + 2 * dc < n - 1 and (r + 2 * dr, c + 2 * dc) in walls]
        if not nexts:
            stack.pop()
            continue
        r2, c2, rm, cm = rng.choice(nexts)
        walls -= {(r2, c2), (rm, cm)}
        stack.append((r2, c2))
    open_cells = sorted({(r, c) for r in range(n) for c in range(n)} - walls)
    player, goal = rng.sample(open_cells, 2)
    return Maze(walls, player, goal, n)


def maze_path(state):
    """The (unique) shortest path from the player to the goal, by breadth-first search, as a list of cells."""
    parent, queue = {state.player: None}, deque([state.player])
    while queue:
        cell = queue.popleft()
        if cell == state.goal:
            break
        for d in state.open_directions(cell):
            dr, dc = MOVE_DELTAS[d]
            nb = (cell[0] + dr, cell[1] + dc)
            if nb not in parent:
                parent[nb] = cell
                queue.append(nb)
    path = [state.goal]
    while parent[path[-1]] is not None:
        path.append(parent[path[-1]])
    return path[::-1]


def direction_of(a, b):
    return next(d for d, delta in MOVE_DELTAS.items() if delta == (b[0] - a[0], b[1] - a[1]))


def maze_render(state):
    cell = 36 if state.size <= 11 else 30
    image, draw, box = grid_canvas(state.size, state.size, cell)
    for r in range(state.size):
        for c in range(state.size):
            x0, y0, x1, y1 = box(r, c)
            draw.rectangle((x0, y0, x1, y1), fill=(40, 40, 48) if (r, c) in state.walls else "white", outline=(190, 190, 190))
    m = cell // 5
    x0, y0, x1, y1 = box(*state.goal)
    draw.rectangle((x0 + m, y0 + m, x1 - m, y1 - m), fill=(40, 170, 70))
    x0, y0, x1, y1 = box(*state.player)
    draw.ellipse((x0 + m, y0 + m, x1 - m, y1 - m), fill=(220, 40, 40))
    return image


def maze_intro(state):
    n = state.size
    return (f"This is a maze on a {n}×{n} grid. Black cells are walls, white cells are open; the red circle is the "
            "player and the green square is the goal. " + GRID_CONVENTION.format(last_r=n - 1, last_c=n - 1) +
            " The player moves one cell at a time: up (row − 1), down (row + 1), left (column − 1) or right "
            "(column + 1), and only onto open cells; a move into a wall leaves the player where it is.")


def maze_goal_position(rng, state):
    question = maze_intro(state) + "\n\nWhich cell holds the goal?"
    analysis = (f"The green square (the goal) is in row {state.goal[0]} by the left tick labels and in column "
                f"{state.goal[1]} by the top tick labels, so the goal is at {fmt_cell(state.goal)}.")
    return QA(question, analysis, fmt_cell(state.goal), cell_distractors(rng, state.goal, state.size, state.size))


def maze_after_moves(rng, state):
    moves, s = [], state
    for _ in range(rng.randint(3, 7)):  # mostly moves that are open, now and then one into a wall
        open_dirs = s.open_directions(s.player)
        direction = rng.choice(open_dirs) if open_dirs and rng.random() < 0.8 else rng.choice(list(MOVE_DELTAS))
        moves.append(direction)
        s = s.move(direction)
    lines, s = [f"The player starts at {fmt_cell(state.player)}."], state
    for k, direction in enumerate(moves, 1):
        t = s.move(direction)
        lines.append(f"Move {k}, {direction}: " + (f"the player moves to {fmt_cell(t.player)}." if t is not s
                                                   else f"a wall is in the way, the player stays at {fmt_cell(s.player)}."))
        s = t
    question = (maze_intro(state) + f"\n\nThe player makes these moves in order: {', '.join(moves)}. "
                "Where is the player after the last move? Give the cell as (row, column).")
    return QA(question, "\n".join(lines) + f"\nThe player ends at {fmt_cell(s.player)}.", fmt_cell(s.player), None,
              {"moves": moves})


def maze_path_length(rng, state):
    path = maze_path(state)
    steps = len(path) - 1
    question = (maze_intro(state) + "\n\nWhat is the smallest number of moves that takes the player to the goal?")
    analysis = ("Search breadth-first from the player over open cells until the goal is reached. The shortest path is "
                + " -> ".join(fmt_cell(c) for c in path) + f", which takes {steps} moves.")
    return QA(question, analysis, str(steps), numeric_distractors(rng, steps, low=1))


def maze_turns(rng, state):
    path = maze_path(state)
    dirs = [direction_of(a, b) for a, b in zip(path, path[1:])]
    turns = sum(a != b for a, b in zip(dirs, dirs[1:]))
    runs, k = [], 0
    while k < len(dirs):  # compress the path into straight runs, one turn between two runs
        j = k
        while j < len(dirs) and dirs[j] == dirs[k]:
            j += 1
        runs.append(f"{dirs[k]} {j - k}")
        k = j
    question = (maze_intro(state) + "\n\nThe player walks to the goal along the shortest path. How many times does it "
                "change direction on the way (a turn is a move in a different direction from the move before it)? "
                "Answer with a number.")
    analysis = ("The shortest path, found by breadth-first search, is " + " -> ".join(fmt_cell(c) for c in path) +
                ". As straight runs: " + ", ".join(runs) + f". There are {len(runs)} runs, so {turns} turns.")
    return QA(question, analysis, str(turns), None)


implement("maze", maze_new_state, maze_render, [
    Task(1, "the goal's position", "Target Perception", "Easy", maze_goal_position),
    Task(2, "the player's position after a sequence of moves", "State Prediction", "Medium", maze_after_moves),
    Task(3, "the length of the shortest path to the goal", "Strategy Optimization", "Medium", maze_path_length),
    Task(4, "the number of turns along the shortest path", "Strategy Optimization", "Hard", maze_turns),
])


# ---------------------------------------------------------------------------------------------------------
# Tetris (pattern recognition, in-domain). A board of settled cells and one falling tetromino near the top.
# Boards 8×6 / 12×8 / 16×10 (rows × columns). The stack is built full, then a piece-shaped well is carved into
# it (and other rows are left one cell short), so clearing rows is possible but not trivial.

TETRIS_SIZE = {"Easy": (8, 6), "Medium": (12, 8), "Hard": (16, 10)}
TETRIS_STACK = {"Easy": (2, 3), "Medium": (3, 5), "Hard": (4, 7)}
TETROMINOES = {  # one orientation each, as (row, column) cells; the others come from rotating
    "I": [(0, 0), (0, 1), (0, 2), (0, 3)], "O": [(0, 0), (0, 1), (1, 0), (1, 1)],
    "T": [(0, 0), (0, 1), (0, 2), (1, 1)], "S": [(0, 1), (0, 2), (1, 0), (1, 1)],
    "Z": [(0, 0), (0, 1), (1, 1), (1, 2)], "J": [(0, 0), (1, 0), (1, 1), (1, 2)],
    "L": [(0, 2), (1, 0), (1, 1), (1, 2)],
}
TETROMINO_GUIDE = ("Tetrominoes are named by the usual Tetris letters; drawn upright (rows top to bottom, X a cell) "
                   "they are I = XXXX, O = XX/XX, T = XXX/.X., S = .XX/XX., Z = XX./.XX, J = X../XXX and L = ..X/XXX, "
                   "and a turned piece keeps its name (S and Z, or J and L, are mirror images, not turns of each other).")


def normalise(cells):
    r0, c0 = min(r for r, _ in cells), min(c for _, c in cells)
    return tuple(sorted((r - r0, c - c0) for r, c in cells))


def orientations(kind):
    """The distinct orientations of a tetromino, each rotated 90° clockwise from the one before."""
    shapes, cells = [], normalise(TETROMINOES[kind])
    for _ in range(4):
        if cells not in shapes:
            shapes.append(cells)
        cells = normalise([(c, -r) for r, c in cells])
    return shapes


def shape_kind(cells):
    shape = normalise(cells)
    return next(k for k in TETROMINOES if shape in orientations(k))


class Tetris:
    def __init__(self, rows, cols, settled, piece):
        self.rows, self.cols, self.settled, self.piece = rows, cols, frozenset(settled), tuple(sorted(piece))

    def fits(self, cells):
        return all(0 <= r < self.rows and 0 <= c < self.cols and (r, c) not in self.settled for r, c in cells)

    def move(self, action):
        """'down', 'left' or 'right' shifts the falling piece one cell when it fits (else nothing changes);
        'drop' lets it fall until it rests, settles it and clears every full row. Returns (state, rows cleared)."""
        if action != "drop":
            dr, dc = MOVE_DELTAS[action]
            moved = [(r + dr, c + dc) for r, c in self.piece]
            return (Tetris(self.rows, self.cols, self.settled, moved) if self.fits(moved) else self), 0
        cells = self.piece
        while self.fits([(r + 1, c) for r, c in cells]):
            cells = [(r + 1, c) for r, c in cells]
        settled = set(self.settled) | set(cells)
        full = [r for r in range(self.rows) if all((r, c) in settled for c in range(self.cols))]
        kept = [r for r in range(self.rows) if r not in full]
        shift = {r: sum(f > r for f in full) for r in kept}  # rows above a cleared row fall by one per row cleared
        settled = {(r + shift[r], c) for r, c in settled if r in shift}
        return Tetris(self.rows, self.cols, settled, []), len(full)

    def drop_distance(self):
        d = 0
        while self.fits([(r + d + 1, c) for r, c in self.piece]):
            d += 1
        return d

    def to_json(self):
        """Rows of characters: # settled cell, @ falling piece, . empty; plus the piece's cells."""
        return {"board": ["".join("@" if (r, c) in self.piece else "#" if (r, c) in self.settled else "."
                                  for c in range(self.cols)) for r in range(self.rows)],
                "piece_cells": [list(rc) for rc in self.piece]}


def tetris_new_state(rng, plot_level):
    rows, cols = TETRIS_SIZE[plot_level]
    height = rng.randint(*TETRIS_STACK[plot_level])
    settled = {(r, c) for r in range(rows - height, rows) for c in range(cols)}
    wells = [o for k in TETROMINOES for o in orientations(k) if max(r for r, _ in o) < height]
    well = rng.choice(wells)
    wr = rng.randint(rows - height, rows - 1 - max(r for r, _ in well))
    wc = rng.randint(0, cols - 1 - max(c for _, c in well))
    carved = {(wr + r, wc + c) for r, c in well}
    for r, c in list(carved):  # open the well to the sky: a piece dropped from above must be able to reach it
        carved |= {(rr, c) for rr in range(rows - height, r)}
    settled -= carved
    for r in range(rows - height, rows):  # rows the well does not touch lose one cell, so they cannot clear
        if not any(rc[0] == r for rc in carved) and rng.random() < 0.8:
            settled.discard((r, rng.randrange(cols)))
    kind = rng.choice(list(TETROMINOES))
    shape = rng.choice(orientations(kind))
    c0 = rng.randint(0, cols - 1 - max(c for _, c in shape))
    piece = [(r, c0 + c) for r, c in shape]
    return Tetris(rows, cols, settled, piece)


def tetris_render(state):
    cell = 34 if state.rows <= 12 else 28
    image, draw, box = grid_canvas(state.rows, state.cols, cell)
    for r in range(state.rows):
        for c in range(state.cols):
            x0, y0, x1, y1 = box(r, c)
            fill = (240, 150, 30) if (r, c) in state.piece else (70, 110, 180) if (r, c) in state.settled else (250, 250, 250)
            draw.rectangle((x0, y0, x1, y1), fill=fill, outline=(170, 170, 170))
    return image


def tetris_intro(state):
    return (f"This is a Tetris board with {state.rows} rows and {state.cols} columns. Blue cells are settled "
            "blocks, the orange cells form the falling tetromino, white cells are empty. " +
            GRID_CONVENTION.format(last_r=state.rows - 1, last_c=state.cols - 1) + " The falling piece moves down one "
            "row at a time and stops when the cell below any of its cells is a settled block or the bottom of the "
            "board; then it settles, and every row that is completely filled is cleared (the rows above it move "
            "down).")


def tetris_piece_shape(rng, state):
    kind = shape_kind(state.piece)
    question = tetris_intro(state) + f" {TETROMINO_GUIDE}\n\nWhich tetromino is the falling (orange) piece?"
    analysis = (f"The orange cells are {', '.join(fmt_cell(c) for c in state.piece)}. Shifted to the corner they "
                f"form {list(normalise(state.piece))}, which is a rotation of the {kind} piece.")
    return QA(question, analysis, kind, [k for k in TETROMINOES if k != kind])


def tetris_empty_in_row(rng, state):
    filled_rows = sorted({r for r, _ in state.settled})
    r = rng.choice(filled_rows)
    empty = [c for c in range(state.cols) if (r, c) not in state.settled and (r, c) not in state.piece]
    question = tetris_intro(state) + f"\n\nHow many empty cells are there in row {r}?"
    analysis = (f"Row {r} has {state.cols} cells; reading left to right, the empty ones are in columns "
                f"{', '.join(map(str, empty)) or 'none'}. That is {len(empty)} empty cells.")
    return QA(question, analysis, str(len(empty)), numeric_distractors(rng, len(empty), k=min(7, state.cols)), {"row": r})


def tetris_drop_distance(rng, state):
    d = state.drop_distance()
    lowest = max(r for r, _ in state.piece)
    question = (tetris_intro(state) + "\n\nThe falling piece drops straight down without turning or moving sideways. "
                "How many rows does it move down before it settles?")
    analysis = ""
    for k in range(d + 1):
        cells = [(r + k, c) for r, c in state.piece]
        blocked = not state.fits([(r + 1, c) for r, c in cells])
        analysis += (f"After {k} rows down its lowest cell is in row {lowest + k}; "
                     + ("the cell below is blocked, so it settles.\n" if blocked else "the cells below are free.\n"))
    return QA(question, analysis + f"It moves down {d} rows.", str(d), numeric_distractors(rng, d, k=min(7, state.rows - 3)))


def tetris_best_clear(rng, state):
    kind = shape_kind(state.piece)
    lines, best = [], 0
    for k, shape in enumerate(orientations(kind)):
        width = max(c for _, c in shape) + 1
        results = []
        for c0 in range(state.cols - width + 1):
            start = Tetris(state.rows, state.cols, state.settled, [(r, c0 + c) for r, c in shape])
            if not start.fits(start.piece):
                continue
            _, cleared = start.move("drop")
            results.append(cleared)
            best = max(best, cleared)
        lines.append(f"Orientation {k + 1} {list(shape)}: dropped at columns 0..{state.cols - width}, rows cleared "
                     f"{results}.")
    question = (tetris_intro(state) + "\n\nBefore it falls, the piece may be turned to any orientation and shifted to "
                "any column at the top of the board; then it drops straight down. What is the largest number of rows "
                "that this single piece can clear?")
    analysis = (f"The falling piece is a {kind}. Try every orientation and every column:\n" + "\n".join(lines) +
                f"\nThe best placement clears {best} row(s).")
    return QA(question, analysis, str(best), [str(v) for v in range(5) if v != best])


implement("tetris", tetris_new_state, tetris_render, [
    Task(1, "the shape of the falling piece", "Target Perception", "Easy", tetris_piece_shape),
    Task(2, "the number of empty cells in a row", "Target Perception", "Easy", tetris_empty_in_row),
    Task(3, "how many rows the piece falls before it lands", "State Prediction", "Medium", tetris_drop_distance),
    Task(4, "the most rows one placement of the piece can clear", "Strategy Optimization", "Hard", tetris_best_clear),
])


# ---------------------------------------------------------------------------------------------------------
# 3D Reconstruction (3D spatial perception, in-domain). Unit voxels in a 3×3×3 grid, positions (x, y, z) with
# every coordinate 1..3 and z the height, drawn in a fixed oblique view beside two target projections. Plot
# level = voxel count 3–5 / 6–10 / 11–15. The structure drawn always stands on the floor (each voxel on the floor
# or on another voxel) because floating cubes are ambiguous in any single view; every voxel must also show at
# least a few pixels in the picture (checked by rendering each voxel in its own colour).

RECON_COUNT = {"Easy": (3, 5), "Medium": (6, 10), "Hard": (11, 15)}
RECON_UNIT = 56
RECON_MIN_VISIBLE_PX = 40


def projection(voxels, axis):
    """3×3 matrix of 0/1: rows z = 3 (top) .. 1 (bottom); columns x = 1..3 for axis "xz", y = 1..3 for "yz"."""
    k = 0 if axis == "xz" else 1
    return [[int(any(v[k] == a and v[2] == z for v in voxels)) for a in (1, 2, 3)] for z in (3, 2, 1)]


def fmt_matrix(m):
    return "[" + ",".join("[" + ",".join(map(str, row)) + "]" for row in m) + "]"


class Recon:
    def __init__(self, voxels, target_xz, target_yz):
        self.voxels = frozenset(tuple(v) for v in voxels)
        self.target_xz, self.target_yz = target_xz, target_yz

    def move(self, added):
        """Place voxels at the given empty positions (they need no support)."""
        assert not set(added) & self.voxels
        return Recon(self.voxels | set(added), self.target_xz, self.target_yz)

    def allowed(self):
        """Positions a voxel may take without leaving either target projection."""
        return {(x, y, z) for x in (1, 2, 3) for y in (1, 2, 3) for z in (1, 2, 3)
                if self.target_xz[3 - z][x - 1] and self.target_yz[3 - z][y - 1]}

    def to_json(self):
        return {"voxels": [list(v) for v in sorted(self.voxels)], "target_xz": self.target_xz, "target_yz": self.target_yz}


def recon_new_state(rng, plot_level):
    while True:
        n = rng.randint(*RECON_COUNT[plot_level])
        voxels = set()
        while len(voxels) < n:  # stack cubes: a new one goes on the floor or on top of an existing column
            x, y = rng.randint(1, 3), rng.randint(1, 3)
            z = 1 + sum((x, y, h) in voxels for h in (1, 2, 3))
            if z <= 3:
                voxels.add((x, y, z))
        empty = [(x, y, z) for x in (1, 2, 3) for y in (1, 2, 3) for z in (1, 2, 3) if (x, y, z) not in voxels]
        extra = rng.sample(empty, min(len(empty), rng.randint(1, 3)))  # the targets come from a larger structure
        state = Recon(voxels, projection(voxels | set(extra), "xz"), projection(voxels | set(extra), "yz"))
        if min(recon_visible_pixels(state).values()) >= RECON_MIN_VISIBLE_PX:
            return state


def recon_screen(x, y, z, origin):
    """Oblique view from the +x, +y, +z side: x runs right-down, y left-down, z straight up."""
    s = RECON_UNIT
    return (origin[0] + (x - y) * 0.87 * s, origin[1] + (x + y) * 0.42 * s - z * 0.95 * s)


def recon_faces(v, origin):
    """The three faces of voxel v seen from the viewer (top, +x side, +y side) as screen polygons."""
    x, y, z = v[0] - 1, v[1] - 1, v[2] - 1  # the voxel fills [x, x+1] × [y, y+1] × [z, z+1]
    p = lambda a, b, c: recon_screen(a, b, c, origin)
    top = [p(x, y, z + 1), p(x + 1, y, z + 1), p(x + 1, y + 1, z + 1), p(x, y + 1, z + 1)]
    side_x = [p(x + 1, y, z), p(x + 1, y + 1, z), p(x + 1, y + 1, z + 1), p(x + 1, y, z + 1)]
    side_y = [p(x, y + 1, z), p(x + 1, y + 1, z), p(x + 1, y + 1, z + 1), p(x, y + 1, z + 1)]
    return top, side_x, side_y


def recon_paint_order(voxels):
    return sorted(voxels, key=lambda v: (v[0] + v[1] + v[2], v[2]))  # far to near: later cubes cover earlier ones


RECON_ORIGIN = (230, 200)


def recon_visible_pixels(state):
    """Pixels of each voxel left visible in the view (each voxel painted in its own colour)."""
    image = Image.new("RGB", (420, 400), (0, 0, 0))
    draw = ImageDraw.Draw(image)
    ids = {}
    for k, v in enumerate(recon_paint_order(state.voxels), 1):
        ids[(k, k, k)] = v
        for face in recon_faces(v, RECON_ORIGIN):
            draw.polygon(face, fill=(k, k, k))
    counts = {v: 0 for v in state.voxels}
    for count, colour in image.getcolors(420 * 400):
        if colour in ids:
            counts[ids[colour]] += count
    return counts


def recon_render(state):
    image = Image.new("RGB", (720, 400), "white")
    draw = ImageDraw.Draw(image)
    f = font(16)
    p = lambda a, b, c: recon_screen(a, b, c, RECON_ORIGIN)
    for i in range(4):  # the floor grid and its tick labels: x along the left-front edge, y along the right-front
        draw.line([p(i, 0, 0), p(i, 3, 0)], fill=(150, 150, 150), width=1)
        draw.line([p(0, i, 0), p(3, i, 0)], fill=(150, 150, 150), width=1)
    for i in (1, 2, 3):
        draw.text(p(i - 0.5, 3.55, 0), f"x={i}", fill=(200, 0, 0), font=f, anchor="mm")
        draw.text(p(3.55, i - 0.5, 0), f"y={i}", fill=(0, 0, 200), font=f, anchor="mm")
    for v in recon_paint_order(state.voxels):
        for face, shade in zip(recon_faces(v, RECON_ORIGIN), ((235, 200, 120), (200, 150, 70), (160, 110, 50))):
            draw.polygon(face, fill=shade, outline=(60, 40, 20), width=2)
    u0, v0 = p(0, 3, 0)  # the height axis stands at the left corner of the floor, in front of everything
    draw.line([(u0 - 22, v0), (u0 - 22, p(0, 3, 3.2)[1])], fill=(0, 130, 0), width=2)
    for i in (1, 2, 3):
        draw.text((u0 - 46, p(0, 3, i - 0.5)[1]), f"z={i}", fill=(0, 130, 0), font=f, anchor="mm")
    for k, (title, matrix, axis) in enumerate((("X-Z projection", state.target_xz, "x"), ("Y-Z projection", state.target_yz, "y"))):
        x0, y0, cell = 440 + k * 140, 120, 34
        draw.text((x0 + 1.5 * cell, y0 - 40), title, fill="black", font=f, anchor="mm")
        for i, z in enumerate((3, 2, 1)):
            draw.text((x0 - 12, y0 + i * cell + cell / 2), str(z), fill=(0, 130, 0), font=f, anchor="mm")
            for j in range(3):
                draw.rectangle((x0 + j * cell, y0 + i * cell, x0 + (j + 1) * cell, y0 + (i + 1) * cell),
                               fill=(110, 110, 110) if matrix[i][j] else "white", outline="black")
        for j in range(3):
            draw.text((x0 + j * cell + cell / 2, y0 + 3 * cell + 12), str(j + 1), fill=(200, 0, 0) if axis == "x" else (0, 0, 200), font=f, anchor="mm")
        draw.text((x0 + 1.5 * cell, y0 + 3 * cell + 34), f"columns {axis}, rows z", fill="black", font=f, anchor="mm")
    return image


RECON_INTRO = ("The left of the image shows a structure of unit cubes (voxels) inside a 3×3×3 grid. A voxel's position "
               "is (x, y, z), each coordinate from 1 to 3: x and y locate it on the floor, as the red x=… labels and "
               "the blue y=… labels along the two front edges of the floor show, and z is its height level (z = 1 on "
               "the floor), as the green z=… labels on the vertical axis show. The right of the image shows two target projections as "
               "3×3 grids with z = 3 in the top row and z = 1 in the bottom row: in the X-Z projection the columns are "
               "x = 1, 2, 3 from left to right and cell (x, z) is filled when some voxel has that x and that z (any y); "
               "in the Y-Z projection the columns are y = 1, 2, 3 and cell (y, z) is filled when some voxel has that y "
               "and that z (any x). Voxels may be added at any empty position; they need no support.")


def recon_layers(voxels):
    return "; ".join(f"z = {z}: " + (", ".join(f"({x}, {y}, {z})" for x, y, zz in sorted(voxels) if zz == z) or "none")
                     for z in (1, 2, 3))


def recon_count(rng, state):
    n = len(state.voxels)
    heights = {(x, y): sum((x, y, z) in state.voxels for z in (1, 2, 3)) for x in (1, 2, 3) for y in (1, 2, 3)}
    columns = [f"({x}, {y}) has {h}" for (x, y), h in sorted(heights.items()) if h]
    question = RECON_INTRO + "\n\nHow many voxels does the structure on the left contain?"
    analysis = ("Count the voxels column by column (each column is a floor position (x, y) and its stack): "
                + ", ".join(columns) + f". In total {' + '.join(str(h) for h in heights.values() if h)} = {n} voxels.")
    return QA(question, analysis, str(n), numeric_distractors(rng, n, low=1))


def recon_projection_after(rng, state):
    empty = [(x, y, z) for x in (1, 2, 3) for y in (1, 2, 3) for z in (1, 2, 3) if (x, y, z) not in state.voxels]
    added = sorted(rng.sample(empty, rng.randint(1, 3)))
    axis = rng.choice(["xz", "yz"])
    after = state.move(added)
    matrix = projection(after.voxels, axis)
    name = "X-Z" if axis == "xz" else "Y-Z"
    question = (RECON_INTRO + "\n\nVoxels are added at " + ", ".join(f"({x}, {y}, {z})" for x, y, z in added) +
                f". What is the {name} projection of the resulting structure (not the target one)? Answer with a 3×3 "
                "matrix of 0 and 1, rows from z = 3 down to z = 1, written like [[0,1,0],[1,1,1],[0,0,0]].")
    k = 0 if axis == "xz" else 1
    analysis = (f"The structure's voxels by layer are {recon_layers(state.voxels)}. After adding "
                + ", ".join(map(str, added)) + f" they are {recon_layers(after.voxels)}. "
                + " ".join(f"At z = {z} the occupied {axis[0]} values are {sorted({v[k] for v in after.voxels if v[2] == z}) or 'none'}, "
                           f"so that row is {matrix[3 - z]}." for z in (3, 2, 1))
                + f" The {name} projection is {fmt_matrix(matrix)}.")
    return QA(question, analysis, fmt_matrix(matrix), None, {"added": [list(v) for v in added], "axis": axis})


def recon_min_add(rng, state):
    lines, total = [], 0
    for z in (1, 2, 3):  # layers are independent: each needs its target x's and y's covered by voxels at that z
        need_x = {x for x in (1, 2, 3) if state.target_xz[3 - z][x - 1]} - {v[0] for v in state.voxels if v[2] == z}
        need_y = {y for y in (1, 2, 3) if state.target_yz[3 - z][y - 1]} - {v[1] for v in state.voxels if v[2] == z}
        # one new voxel (x, y, z) covers one missing x and one missing y at once, so pair them up
        total += max(len(need_x), len(need_y))
        lines.append(f"At z = {z}, x values still missing from the X-Z target: {sorted(need_x) or 'none'}; y values still "
                     f"missing from the Y-Z target: {sorted(need_y) or 'none'}; pairing them needs "
                     f"{max(len(need_x), len(need_y))} voxel(s).")
    if total == 0:
        raise GiveUp("the structure already matches both targets")
    question = (RECON_INTRO + "\n\nThe current structure lies within both target projections. What is the smallest "
                "number of voxels that must be added so that its X-Z and Y-Z projections both equal the targets?")
    analysis = (f"The structure's voxels by layer are {recon_layers(state.voxels)}. A voxel can only be added where both "
                "targets are filled at its (x, z) and (y, z), and each layer z is independent.\n" + "\n".join(lines) +
                f"\nIn total {total} voxel(s).")
    return QA(question, analysis, str(total), numeric_distractors(rng, total, low=1))


def recon_which_position(rng, state):
    filled = rng.choice(sorted(state.voxels))
    empty = [(x, y, z) for x in (1, 2, 3) for y in (1, 2, 3) for z in (1, 2, 3) if (x, y, z) not in state.voxels]
    others = rng.sample(empty, 3)
    question = RECON_INTRO + "\n\nWhich of the following positions holds a voxel of the structure on the left?"
    analysis = (f"The structure's voxels by layer are {recon_layers(state.voxels)}. Of the options, "
                + ", ".join(f"({x}, {y}, {z}) is empty" for x, y, z in others) + f", and ({filled[0]}, {filled[1]}, "
                f"{filled[2]}) holds a voxel.")
    fmt = lambda v: f"({v[0]}, {v[1]}, {v[2]})"
    return QA(question, analysis, fmt(filled), [fmt(v) for v in others], {"positions": [list(filled)] + [list(v) for v in others]})


implement("3d_reconstruction", recon_new_state, recon_render, [
    Task(1, "the number of voxels in the structure", "Target Perception", "Easy", recon_count),
    Task(2, "a projection after adding voxels (3×3 matrix)", "State Prediction", "Medium", recon_projection_after),
    Task(3, "the fewest voxels to add to match both target projections", "Strategy Optimization", "Hard", recon_min_add),
    Task(4, "which of four positions holds a voxel", "Target Perception", "Easy", recon_which_position),
])


# ---------------------------------------------------------------------------------------------------------
# Sudoku (multi-step reasoning, out-of-domain), played with colours instead of digits: 4×4 (2×2 boxes) at Easy,
# 9×9 (3×3 boxes) at Medium and Hard with more cells left empty. Every puzzle has exactly one solution: cells are
# removed from a full grid only while a solution count (stopped at 2) stays 1.

SUDOKU_SIZE = {"Easy": 4, "Medium": 9, "Hard": 9}
SUDOKU_BLANKS = {"Easy": (6, 10), "Medium": (35, 42), "Hard": (46, 52)}
SUDOKU_COUNT_BUDGET = 20_000  # search nodes per uniqueness check; a check that runs out keeps the cell filled
COLOURS = {"red": (220, 40, 40), "orange": (245, 140, 20), "yellow": (240, 215, 30), "green": (40, 160, 60),
           "cyan": (40, 200, 220), "blue": (40, 70, 210), "purple": (140, 60, 190), "pink": (250, 140, 200),
           "brown": (130, 80, 40)}


class Sudoku:
    def __init__(self, grid, colours):
        self.grid = [list(row) for row in grid]  # 0 = empty, k = colours[k - 1]
        self.colours, self.n = list(colours), len(grid)
        self.box = int(round(self.n ** 0.5))

    def move(self, cell, value):
        """Colour one empty cell (no rule check: `candidates` says which values are legal)."""
        grid = [list(row) for row in self.grid]
        grid[cell[0]][cell[1]] = value
        return Sudoku(grid, self.colours)

    def candidates(self, r, c):
        b = self.box
        seen = set(self.grid[r]) | {self.grid[i][c] for i in range(self.n)}
        seen |= {self.grid[i][j] for i in range(r // b * b, r // b * b + b) for j in range(c // b * b, c // b * b + b)}
        return [v for v in range(1, self.n + 1) if v not in seen]

    def empties(self):
        return [(r, c) for r in range(self.n) for c in range(self.n) if not self.grid[r][c]]

    def to_json(self):
        return {"grid": self.grid, "colours": self.colours}


def sudoku_solutions(state, limit, budget):
    """Up to `limit` solutions, by depth-first search always branching on the empty cell with fewest candidates."""
    found = []

    def search(s):
        budget.tick()
        empties = s.empties()
        if not empties:
            found.append(s.grid)
            return
        r, c = min(empties, key=lambda rc: len(s.candidates(*rc)))
        for v in s.candidates(r, c):
            search(s.move((r, c), v))
            if len(found) >= limit:
                return
    search(state)
    return found


def sudoku_new_state(rng, plot_level):
    n = SUDOKU_SIZE[plot_level]
    b = int(n ** 0.5)
    rows = [band * b + i for band in rng.sample(range(b), b) for i in rng.sample(range(b), b)]
    cols = [stack * b + i for stack in rng.sample(range(b), b) for i in rng.sample(range(b), b)]
    relabel = rng.sample(range(1, n + 1), n)
    # the pattern (b·(r mod b) + r div b + c) mod n is a valid grid; row/column shuffles within bands and
    # stacks and a relabelling keep it valid
    full = [[relabel[(b * (r % b) + r // b + c) % n] for c in cols] for r in rows]
    state = Sudoku(full, rng.sample(sorted(COLOURS), n))
    target = rng.randint(*SUDOKU_BLANKS[plot_level])
    for r, c in rng.sample([(r, c) for r in range(n) for c in range(n)], n * n):
        if len(state.empties()) >= target:
            break
        trial = state.move((r, c), 0)
        try:
            if len(sudoku_solutions(trial, 2, Budget(SUDOKU_COUNT_BUDGET))) == 1:
                state = trial
        except GiveUp:
            pass
    return state


def sudoku_render(state):
    cell = 56 if state.n == 4 else 40
    image, draw, box = grid_canvas(state.n, state.n, cell)
    for r in range(state.n):
        for c in range(state.n):
            x0, y0, x1, y1 = box(r, c)
            draw.rectangle((x0, y0, x1, y1), fill="white", outline=(160, 160, 160))
            if state.grid[r][c]:
                m = cell // 7
                draw.ellipse((x0 + m, y0 + m, x1 - m, y1 - m), fill=COLOURS[state.colours[state.grid[r][c] - 1]], outline=(40, 40, 40))
    for k in range(0, state.n + 1, state.box):  # thick lines around the boxes
        x0, y0, _, _ = box(0, 0)
        draw.line((x0 + k * cell, y0, x0 + k * cell, y0 + state.n * cell), fill="black", width=3)
        draw.line((x0, y0 + k * cell, x0 + state.n * cell, y0 + k * cell), fill="black", width=3)
    return image


def sudoku_intro(state):
    n, b = state.n, state.box
    return (f"This is a colour Sudoku on a {n}×{n} grid divided by thick lines into {b}×{b} boxes. It uses the {n} "
            f"colours {', '.join(state.colours)}; a white cell is empty. " + GRID_CONVENTION.format(last_r=n - 1, last_c=n - 1) +
            f" In a solved grid every row, every column and every {b}×{b} box holds each colour exactly once. "
            "This puzzle has exactly one solution.")


def sudoku_colour_at(rng, state):
    r, c = rng.choice([(r, c) for r in range(state.n) for c in range(state.n) if state.grid[r][c]])
    colour = state.colours[state.grid[r][c] - 1]
    question = sudoku_intro(state) + f"\n\nWhat colour is the cell at ({r}, {c})?"
    analysis = f"Row {r} from the left tick labels, column {c} from the top tick labels: that cell holds a {colour} circle."
    others = [x for x in state.colours if x != colour]
    return QA(question, analysis, colour, rng.sample(others, min(7, len(others))), {"cell": [r, c]})


def sudoku_candidate_count(rng, state):
    r, c = rng.choice(state.empties())
    b = state.box
    name = lambda vs: ", ".join(state.colours[v - 1] for v in sorted(vs)) or "none"
    row = {v for v in state.grid[r] if v}
    col = {state.grid[i][c] for i in range(state.n) if state.grid[i][c]}
    bx = {state.grid[i][j] for i in range(r // b * b, r // b * b + b) for j in range(c // b * b, c // b * b + b) if state.grid[i][j]}
    cands = state.candidates(r, c)
    question = (sudoku_intro(state) + f"\n\nConsidering only the colours already placed in its row, column and box, "
                f"how many colours could still go in the empty cell ({r}, {c})?")
    analysis = (f"Row {r} already has {name(row)}. Column {c} already has {name(col)}. Its box already has {name(bx)}. "
                f"Together they use {name(row | col | bx)}, which leaves {name(cands)}: {len(cands)} colour(s).")
    return QA(question, analysis, str(len(cands)), numeric_distractors(rng, len(cands), k=min(7, state.n - 1)), {"cell": [r, c]})


def sudoku_solved_colour(rng, state):
    (solution,) = sudoku_solutions(state, 2, Budget(10 ** 6))  # uniqueness was established when cells were removed
    r, c = rng.choice(state.empties())
    colour = state.colours[solution[r][c] - 1]
    lines, s = [], state
    while s.grid[r][c] == 0:  # fill forced cells (one candidate left) until the asked cell is reached
        forced = [(rc, s.candidates(*rc)) for rc in s.empties()]
        forced = [(rc, cs[0]) for rc, cs in forced if len(cs) == 1]
        if not forced:
            lines.append("No cell is forced any more; searching the remaining cases (try a candidate, backtrack on a "
                         "contradiction) completes the grid in exactly one way:")
            lines += [f"row {i}: " + ", ".join(state.colours[v - 1] for v in solution[i]) for i in range(state.n)]
            break
        rc, v = next(((rc, v) for rc, v in forced if rc == (r, c)), forced[0])
        lines.append(f"{fmt_cell(rc)} can only be {state.colours[v - 1]}.")
        s = s.move(rc, v)
    question = sudoku_intro(state) + f"\n\nWhat colour must the empty cell ({r}, {c}) have in the solution?"
    analysis = "Fill cells whose row, column and box leave only one colour:\n" + "\n".join(lines) + \
               f"\nSo ({r}, {c}) is {colour}."
    others = [x for x in state.colours if x != colour]
    return QA(question, analysis, colour, rng.sample(others, min(7, len(others))), {"cell": [r, c]})


def sudoku_colour_count(rng, state):
    value = rng.randint(1, state.n)
    colour = state.colours[value - 1]
    rows = [sum(v == value for v in row) for row in state.grid]
    total = sum(rows)
    question = sudoku_intro(state) + f"\n\nHow many cells of the grid are already {colour}?"
    analysis = (f"Count the {colour} circles row by row: " + ", ".join(f"row {r}: {k}" for r, k in enumerate(rows)) +
                f". In total {total}.")
    return QA(question, analysis, str(total), numeric_distractors(rng, total, k=min(7, state.n)), {"colour": colour})


implement("sudoku", sudoku_new_state, sudoku_render, [
    Task(1, "the colour of a filled cell", "Target Perception", "Easy", sudoku_colour_at),
    Task(2, "how many colours an empty cell still allows", "State Prediction", "Medium", sudoku_candidate_count),
    Task(3, "the colour an empty cell has in the unique solution", "Strategy Optimization", "Hard", sudoku_solved_colour),
    Task(4, "how many cells hold a given colour", "Target Perception", "Easy", sudoku_colour_count),
])


# ---------------------------------------------------------------------------------------------------------
# Minesweeper (multi-step reasoning, out-of-domain). Boards 6×6 / 8×8 / 10×10 with 5 / 10 / 16 mines, opened by
# a first click on a cell with no neighbouring mine (which floods open its blank region) and one or two more
# safe clicks.

MINES_SIZE = {"Easy": (6, 5), "Medium": (8, 10), "Hard": (10, 16)}
MINES_SEARCH_BUDGET = 50_000
UNDECIDABLE = "None of them is certainly safe"


class Minesweeper:
    def __init__(self, n, mines, revealed):
        self.n, self.mines, self.revealed = n, frozenset(mines), frozenset(revealed)

    def neighbours(self, cell):
        r, c = cell
        return [(r + dr, c + dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)
                if (dr or dc) and 0 <= r + dr < self.n and 0 <= c + dc < self.n]

    def number(self, cell):
        return sum(nb in self.mines for nb in self.neighbours(cell))

    def move(self, cell):
        """Reveal `cell`: a mine ends the game (returns None); a 0 opens its neighbours, spreading on (flood)."""
        if cell in self.mines:
            return None
        revealed, todo = set(self.revealed), [cell]
        while todo:
            x = todo.pop()
            if x in revealed and x != cell:
                continue
            revealed.add(x)
            if self.number(x) == 0:
                todo += [nb for nb in self.neighbours(x) if nb not in revealed]
        return Minesweeper(self.n, self.mines, revealed)

    def covered(self):
        return [(r, c) for r in range(self.n) for c in range(self.n) if (r, c) not in self.revealed]

    def to_json(self):
        """The board as the player sees it (? covered, digit = revealed number) plus the hidden mines."""
        return {"board": ["".join(str(self.number((r, c))) if (r, c) in self.revealed else "?" for c in range(self.n))
                          for r in range(self.n)],
                "mines": [list(m) for m in sorted(self.mines)]}


def mines_new_state(rng, plot_level):
    n, count = MINES_SIZE[plot_level]
    while True:
        cells = [(r, c) for r in range(n) for c in range(n)]
        state = Minesweeper(n, rng.sample(cells, count), [])
        blanks = [x for x in cells if x not in state.mines and state.number(x) == 0]
        if not blanks:
            continue
        state = state.move(rng.choice(blanks))
        for _ in range(rng.randint(1, 2)):
            safe = [x for x in state.covered() if x not in state.mines]
            if safe:
                state = state.move(rng.choice(safe))
        if 6 <= len(state.revealed) <= n * n - count - 4:
            return state


def mines_render(state):
    cell = 42 if state.n <= 8 else 36
    image, draw, box = grid_canvas(state.n, state.n, cell)
    digit_colours = {1: (30, 60, 220), 2: (30, 140, 40), 3: (210, 30, 30), 4: (20, 20, 130), 5: (130, 20, 20),
                     6: (20, 130, 130), 7: (0, 0, 0), 8: (100, 100, 100)}
    f = font(cell // 2 + 2)
    for r in range(state.n):
        for c in range(state.n):
            x0, y0, x1, y1 = box(r, c)
            if (r, c) in state.revealed:
                draw.rectangle((x0, y0, x1, y1), fill=(235, 235, 235), outline=(170, 170, 170))
                k = state.number((r, c))
                if k:
                    draw.text(((x0 + x1) / 2, (y0 + y1) / 2), str(k), fill=digit_colours[k], font=f, anchor="mm")
            else:
                draw.rectangle((x0, y0, x1, y1), fill=(150, 160, 175), outline=(90, 95, 110), width=2)
    return image


def mines_intro(state):
    n = state.n
    return (f"This is a Minesweeper board of {n}×{n} cells. Dark blue-grey cells are still covered; light cells "
            "are revealed, and a revealed cell shows how many of its up to 8 neighbours (including diagonal ones) "
            "hide a mine (a blank revealed cell means 0). " + GRID_CONVENTION.format(last_r=n - 1, last_c=n - 1) +
            " Revealing a mine loses the game; revealing a cell with 0 neighbouring mines also reveals all its "
            "neighbours, and this spreads on through further 0 cells.")


def mines_number_at(rng, state):
    r, c = rng.choice(sorted(state.revealed))
    k = state.number((r, c))
    question = mines_intro(state) + f"\n\nWhat number does the revealed cell ({r}, {c}) show? (A blank cell shows 0.)"
    analysis = f"Row {r} (left labels), column {c} (top labels) is revealed and shows " + (f"{k}." if k else "nothing, so 0.")
    return QA(question, analysis, str(k), [str(v) for v in range(9) if v != k], {"cell": [r, c]})


def mines_click_result(rng, state):
    safe = [x for x in state.covered() if x not in state.mines]
    blanks = [x for x in safe if state.number(x) == 0]
    cell = rng.choice(blanks if blanks and rng.random() < 0.6 else safe)
    after = state.move(cell)
    opened = sorted(after.revealed - state.revealed)
    mines = ", ".join(fmt_cell(m) for m in sorted(state.mines))
    question = (mines_intro(state) + f"\n\nSuppose the mines are exactly at {mines}. If the player reveals the covered "
                f"cell {fmt_cell(cell)}, how many cells become revealed by this one click (counting the cell itself)?")
    k = state.number(cell)
    if k:
        analysis = f"{fmt_cell(cell)} is not a mine and has {k} neighbouring mine(s), so only it opens: 1 cell."
    else:
        analysis = (f"{fmt_cell(cell)} is not a mine and has no neighbouring mine, so the opening spreads through "
                    "0 cells to their neighbours. The newly revealed cells are " + ", ".join(map(fmt_cell, opened)) +
                    f": {len(opened)} cells.")
    return QA(question, analysis, str(len(opened)), numeric_distractors(rng, len(opened), low=1), {"cell": list(cell)})


def mines_constraints(state):
    """Each revealed number next to covered cells as (covered neighbours, mines among them)."""
    out = []
    for x in sorted(state.revealed):
        cov = [nb for nb in state.neighbours(x) if nb not in state.revealed]
        if cov:
            out.append((x, cov, state.number(x)))
    return out


def mines_witness(state, cell, budget):
    """A placement of mines on the covered cells next to numbers that matches every number and puts a mine
    on `cell`, or None when there is none (then `cell` is certainly safe). Depth-first, cell by cell."""
    constraints = mines_constraints(state)
    frontier = sorted({nb for _, cov, _ in constraints for nb in cov})
    frontier.remove(cell)
    frontier.insert(0, cell)
    assign = {}

    def ok():
        for _, cov, k in constraints:
            mines = sum(assign.get(nb, 0) for nb in cov)
            unknown = sum(nb not in assign for nb in cov)
            if mines > k or mines + unknown < k:
                return False
        return True

    def search(i):
        budget.tick()
        if not ok():
            return False
        if i == len(frontier):
            return True
        for v in ((1,) if i == 0 else (0, 1)):
            assign[frontier[i]] = v
            if search(i + 1):
                return True
            del assign[frontier[i]]
        return False
    return sorted(x for x, v in assign.items() if v) if search(0) else None


def mines_safe_cell(rng, state):
    frontier = sorted({nb for _, cov, _ in mines_constraints(state) for nb in cov})
    budget = Budget(MINES_SEARCH_BUDGET)
    witness = {x: mines_witness(state, x, budget) for x in frontier}
    safe = [x for x in frontier if witness[x] is None]
    unsure = [x for x in frontier if witness[x] is not None]
    if len(unsure) < 4:
        raise GiveUp("too few uncertain cells for the options")
    if safe and rng.random() < 0.75:
        cells = [rng.choice(safe)] + rng.sample(unsure, 3)
    else:
        cells = rng.sample(unsure, 4)
    rng.shuffle(cells)
    lines = []
    for x in cells:
        if witness[x] is None:
            lines.append(f"{fmt_cell(x)}: assuming a mine there, no way of placing mines on the covered cells next to "
                         "the numbers satisfies every number, so it is certainly safe.")
        else:
            lines.append(f"{fmt_cell(x)}: mines at {', '.join(map(fmt_cell, witness[x]))} (around the numbers) satisfy "
                         "every number with a mine on it, so it may hide a mine.")
    answer = fmt_cell(next(x for x in cells if witness[x] is None)) if any(witness[x] is None for x in cells) else UNDECIDABLE
    numbers = "; ".join(f"{fmt_cell(x)} shows {k} with covered neighbours {', '.join(map(fmt_cell, cov))}"
                        for x, cov, k in mines_constraints(state))
    question = (mines_intro(state) + "\n\nJudging only from the numbers shown (the total number of mines is not "
                "given), which of the following covered cells is certainly free of a mine?")
    analysis = (f"The numbers next to covered cells are: {numbers}. For each option, try to place a mine on it and "
                "see whether every number can still be satisfied:\n" + "\n".join(lines) +
                f"\nSo the certain choice is: {answer}.")
    distractors = [fmt_cell(x) for x in cells if fmt_cell(x) != answer] + ([UNDECIDABLE] if answer != UNDECIDABLE else [])
    return QA(question, analysis, answer, distractors, {"cells": [list(x) for x in cells]})


implement("minesweeper", mines_new_state, mines_render, [
    Task(1, "the number shown in a revealed cell", "Target Perception", "Easy", mines_number_at),
    Task(2, "how many cells one click reveals, with the mines known", "State Prediction", "Medium", mines_click_result),
    Task(3, "which covered cell is certainly safe", "Strategy Optimization", "Hard", mines_safe_cell),
])


# ---------------------------------------------------------------------------------------------------------
# Released data: GameQA-140K (games_data.json + image folders) and GameQA-5K (ms-swift jsonl) into sample
# records, and our records out to those two formats and to MM-EUREKA's (SPEC §1, §4).

GAMEQA_FIELDS = ("data_id", "qa_type", "question_id", "question_description", "image", "state", "plot_level",
                 "qa_level", "question", "answer", "analysis")
GAMEQA5K_FIELDS = ("query", "solution", "images", "data_id", "qa_type", "question_id", "question_description",
                   "state", "plot_level", "qa_level")


def snake_name(text):
    return "".join(ch if ch.isalnum() else "_" for ch in str(text).lower().replace("'", "")).strip("_")


def released_game(image_path, data_id):
    """The game of a released record: the image's folder (games_images_test/2d_turing_machine/00001.png) when
    the registry knows it, else the data_id's prefix before the first '-' when known, else the folder."""
    folder = snake_name(os.path.basename(os.path.dirname(image_path)))
    prefix = snake_name(str(data_id).split("-")[0])
    return next((name for name in (folder, prefix) if name in REGISTRY), folder or prefix)


def with_answer_request(question, options):
    """The prompt for a released question: the text as given (which lists its options) and our closing request."""
    request = ANSWER_REQUEST.replace("<answer>", "<option letter>") if options and all(
        re.search(rf"^{LETTERS[i]}: ", question, flags=re.M) for i in range(len(options))) else ANSWER_REQUEST
    return f"{question.rstrip()}\n\n{request}"


def without_answer_request(prompt):
    for request in (ANSWER_REQUEST, ANSWER_REQUEST.replace("<answer>", "<option letter>")):
        if prompt.endswith("\n\n" + request):
            return prompt[: -len(request) - 2]
    return prompt


def released_record(raw, where, game, images, prompt, answer, options):
    record = {"id": str(raw["data_id"]) if str(raw["data_id"]).startswith(game) else f"{game}-{raw['data_id']}",
              "game": game, "images": images, "prompt": prompt, "answer": answer if isinstance(answer, str) else json.dumps(answer), "reward": "gameqa"}
    if options is not None:
        if not isinstance(options, list):
            raise DatasetError(f"{where}: 'options' must be a list, got {type(options).__name__}")
        record["options"] = [str(o) for o in options]
    known = REGISTRY.get(game)
    record.update({"level": {"plot_level": raw["plot_level"], "qa_level": raw["qa_level"], "qa_type": raw["qa_type"]},
                   "state": raw["state"], "analysis": raw.get("analysis", ""), "question_id": raw["question_id"],
                   "question_description": raw["question_description"],
                   "split_group": known.split_group if known else None})  # None: a game our registry does not know
    return record


def read_json_records(path):
    """A JSON list, or JSON lines, of objects."""
    if not os.path.isfile(path):
        raise DatasetError(f"file not found: {path!r}")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if text.lstrip().startswith("["):
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as e:
            raise DatasetError(f"{path}: not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})") from None
    else:
        rows = []
        for line_no, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise DatasetError(f"{path}, line {line_no}: not valid JSON ({e.msg} at column {e.colno})") from None
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise DatasetError(f"{path}, record {i}: expected a JSON object, got {type(row).__name__}")
    if not rows:
        raise DatasetError(f"{path} holds no records")
    return rows


def check_fields(row, fields, where):
    missing = [k for k in fields if k not in row]
    if missing:
        raise DatasetError(f"{where}: missing field(s) {', '.join(missing)}")


def load_gameqa(json_path, images_root):
    """GameQA-140K (games_data.json / games_data_test.json) as sample records. `image` is resolved against
    `images_root`; the released fields stay in the record (level, state, analysis, question_id, …).
    Tetris spells options `Options`; both spellings are read."""
    samples = []
    for i, raw in enumerate(read_json_records(json_path)):
        where = f"{json_path}, record {i}"
        check_fields(raw, GAMEQA_FIELDS, where)
        if not isinstance(raw["image"], str):
            raise DatasetError(f"{where}: 'image' must be a path, got {raw['image']!r}")
        full = os.path.join(images_root, raw["image"])
        if not os.path.isfile(full):
            raise DatasetError(f"{where}: image {raw['image']!r} not found under {images_root!r}")
        options = raw.get("options", raw.get("Options"))
        game = released_game(raw["image"], raw["data_id"])
        samples.append(released_record(raw, where, game, [os.path.abspath(full)],
                                       with_answer_request(raw["question"], options), raw["answer"], options))
    return samples


def load_gameqa5k(path):
    """GameQA-5K in ms-swift form (jsonl or a JSON list): `query`, `solution`, `images` (paths relative to the
    file's folder, or absolute), plus the GameQA fields, as sample records."""
    folder = os.path.dirname(os.path.abspath(path))
    samples = []
    for i, raw in enumerate(read_json_records(path)):
        where = f"{path}, record {i}"
        check_fields(raw, GAMEQA5K_FIELDS, where)
        if not isinstance(raw["images"], list) or not raw["images"]:
            raise DatasetError(f"{where}: 'images' must be a non-empty list of paths, got {raw['images']!r}")
        images = []
        for rel in raw["images"]:
            full = os.path.join(folder, rel)
            if not isinstance(rel, str) or not os.path.isfile(full):
                raise DatasetError(f"{where}: image {rel!r} not found (paths are relative to {folder!r})")
            images.append(os.path.abspath(full))
        options = raw.get("options", raw.get("Options"))
        game = released_game(raw["images"][0], raw["data_id"])
        samples.append(released_record(raw, where, game, images, with_answer_request(raw["query"], options),
                                       raw["solution"], options))
    return samples


def save_images(sample, out_dir, name):
    """Write the sample's images as PNGs under out_dir (name + '-k.png'); returns the paths relative to out_dir."""
    paths = []
    for k, image in enumerate(load_images(sample)):
        rel = f"{name}-{k}.png"
        os.makedirs(os.path.dirname(os.path.join(out_dir, rel)), exist_ok=True)
        image.save(os.path.join(out_dir, rel))
        paths.append(rel)
    return paths


def gameqa_fields(sample):
    level = sample["level"]
    return {"data_id": sample["id"], "qa_type": level["qa_type"], "question_id": sample["question_id"],
            "question_description": sample["question_description"], "state": sample["state"],
            "plot_level": level["plot_level"], "qa_level": level["qa_level"]}


def export_gameqa(samples, out_dir, split="train"):
    """GameQA-140K form: out_dir/games_data.json (games_data_test.json for split 'test') and one image per
    record under out_dir/games_images[_test]/<game>/. Returns the json path."""
    suffix = "_test" if split == "test" else ""
    rows = []
    for sample in samples:
        (image,) = save_images(sample, out_dir, f"games_images{suffix}/{sample['game']}/{sample['id']}")
        row = {**gameqa_fields(sample), "image": image, "question": without_answer_request(sample["prompt"]),
               "answer": sample["answer"], "analysis": sample["analysis"]}
        if "options" in sample:
            row["options"] = sample["options"]
        rows.append(row)
    path = os.path.join(out_dir, f"games_data{suffix}.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(rows, f, ensure_ascii=False, indent=1)
    return path


def export_gameqa5k(samples, out_path):
    """GameQA-5K (ms-swift) jsonl: query, solution, images (relative to the jsonl's folder) + GameQA fields.
    Images already on disk are referenced where they are; in-memory ones are written to images/."""
    folder = os.path.dirname(os.path.abspath(out_path))
    with open(out_path, "w", encoding="utf-8") as f:
        for sample in samples:
            if all(isinstance(im, str) for im in sample["images"]):
                images = [os.path.relpath(im, folder) for im in sample["images"]]
            else:
                images = save_images(sample, folder, f"images/{sample['id']}")
            row = {"query": without_answer_request(sample["prompt"]), "solution": sample["answer"], "images": images,
                   **gameqa_fields(sample), "analysis": sample["analysis"]}
            if "options" in sample:
                row["options"] = sample["options"]
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return out_path


def export_mmeureka(samples, out_path):
    """MM-EUREKA / OpenRLHF jsonl: {"id", "message": JSON string of the one-turn chat (images as file://
    absolute paths, then the prompt), "answer"}."""
    folder = os.path.dirname(os.path.abspath(out_path))
    with open(out_path, "w", encoding="utf-8") as f:
        for sample in samples:
            if all(isinstance(im, str) for im in sample["images"]):
                paths = [os.path.abspath(im) for im in sample["images"]]
            else:
                paths = [os.path.join(folder, rel) for rel in save_images(sample, folder, f"images/{sample['id']}")]
            content = [{"type": "image", "image": f"file://{p}"} for p in paths]
            content.append({"type": "text", "text": sample["prompt"]})
            message = json.dumps([{"role": "user", "content": content}], ensure_ascii=False)
            f.write(json.dumps({"id": sample["id"], "message": message, "answer": sample["answer"]}, ensure_ascii=False) + "\n")
    return out_path


# ---------------------------------------------------------------------------------------------------------
# CLI: generate a dataset folder (metadata.jsonl + images/), optionally exported to a foreign format too.

def parse_games(text):
    """'all' | 'in-domain' | 'out-of-domain' | comma-separated names -> registry names; exits with one clear
    message for a name that is unknown or not implemented yet."""
    if text in ("all", "in-domain", "out-of-domain"):
        return game_names(text)
    names = [name.strip() for name in text.split(",") if name.strip()]
    for name in names:
        if name not in REGISTRY or not REGISTRY[name].implemented:
            why = "is not implemented yet" if name in REGISTRY else "is not a GameQA game"
            raise SystemExit(f"gameqa.py: --games: {name!r} {why}. Implemented games: {', '.join(game_names('all'))} "
                             "(or all, in-domain, out-of-domain).")
    return names


def _sample_job(args):
    return sample_at(*args)


def main(argv=None):
    import argparse
    from multiprocessing import Pool

    from tqdm import tqdm

    parser = argparse.ArgumentParser(description="Generate GameQA samples (Code2Logic) into a dataset folder.")
    parser.add_argument("--games", default="in-domain", help="all | in-domain | out-of-domain | name,name,...")
    parser.add_argument("--n", type=int, default=100, help="number of samples")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample stream")
    parser.add_argument("--split", default="train", choices=["train", "test"], help="train and test never share a stream")
    parser.add_argument("--out", required=True, help="output folder (metadata.jsonl + images/)")
    parser.add_argument("--export", choices=["swift", "mmeureka", "gameqa"], help="also write GameQA-5K (ms-swift) jsonl, "
                        "MM-EUREKA jsonl or GameQA-140K json next to metadata.jsonl")
    parser.add_argument("--workers", type=int, default=1, help="processes; output is byte-identical to --workers 1")
    args = parser.parse_args(argv)
    games = parse_games(args.games)
    if not games:
        raise SystemExit(f"gameqa.py: --games {args.games}: no implemented game in that group.")

    jobs = [(i, args.seed, args.split, games) for i in range(args.n)]
    bar = lambda it: tqdm(it, total=args.n, desc=f"gameqa {args.split}", unit="sample")
    counts = {}

    def counted(samples):
        for s in samples:
            key = (s["game"], s["level"]["plot_level"], s["level"]["qa_type"])
            counts[key] = counts.get(key, 0) + 1
            yield s
    if args.workers > 1:
        with Pool(args.workers) as pool:  # imap keeps index order, so the files match the serial run
            write_dataset(counted(pool.imap(_sample_job, jobs, chunksize=16)), args.out, progress=bar)
    else:
        write_dataset(counted(map(_sample_job, jobs)), args.out, progress=bar)

    if args.export:
        written = read_dataset(args.out)
        if args.export == "swift":
            path = export_gameqa5k(written, os.path.join(args.out, "gameqa5k.jsonl"))
        elif args.export == "mmeureka":
            path = export_mmeureka(written, os.path.join(args.out, "mmeureka.jsonl"))
        else:
            path = export_gameqa(written, args.out, args.split)
        print(f"exported {len(written)} records to {path}")

    print(f"{'game':<20}{'plot level':<12}{'TP':>6}{'SP':>6}{'SO':>6}{'total':>8}")
    for game in games:
        for level in LEVELS:
            row = [counts.get((game, level, t), 0) for t in QA_TYPES]
            print(f"{game:<20}{level:<12}{row[0]:>6}{row[1]:>6}{row[2]:>6}{sum(row):>8}")
    print(f"{args.n} samples in {args.out}")


if __name__ == "__main__":
    main()
