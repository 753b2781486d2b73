"""GameQA: the data engine of Game-RL (Code2Logic) and its 30 games.

What it is. The data side of Game-RL, "Game-RL: Synthesizing Multimodal Verifiable Game Data to Boost VLMs'
General Reasoning" (Tong et al., 2025, arXiv 2505.13886, first titled "Code2Logic"). Code2Logic turns game code
into verifiable visual questions in three steps (§3 of the paper):
  1. a game: a state class with its transition `move()`, and a renderer;
  2. task templates: each pairs a question with an analysis produced by running the game logic and solvers, and
     carries a qa_type (Target Perception / State Prediction / Strategy Optimization) and a qa_level;
  3. an engine that draws states, fills the templates, shuffles and labels the options and renders the image.
Steps 1 and 2 are one file per game in gameqa_games/ (gameqa_games/common.py says what a game module provides);
step 3 is this file. Answers are correct by construction; the tests re-derive every one from the record's
`state` by separate code.

This file, top to bottom:
  - REGISTRY: the 30 games, each with its category, its split (in-domain games train; out-of-domain games are held
    out to measure generalisation) and its module, or None while it is not implemented yet;
  - the engine: `make_sample`, and the seeded sample streams `sample_at` / `generate` / `sample_task`;
  - the released formats: GameQA-140K (games_data.json + image folders) and GameQA-5K (ms-swift, GameQA_RL_5k.json)
    read into sample records, and ours written out in both (ViGaL's MM-EUREKA jsonl is records.py's);
  - the CLI.
The sample record and the dataset folder on disk are records.py's.

Deviations from Game-RL that concern every game (each game module lists its own):
  1. The per-question budget counts search steps, not seconds (gameqa_games/common.py `Budget`): a wall-clock
     limit would make the data depend on machine load, and the same seed must give byte-identical files.
  2. Multiple-choice options are lettered A, B, … and shuffled, and the gold is the LETTER (most released tasks
     number them [1]…[8] and store a 1-based index); released data keeps its own form, and rewards.py grades both.
  3. No LLM judge and no free-form answers: a fill-in answer has one canonical form ("(r, c)", a number, a 3×3
     matrix like [[0,1,0],[1,1,1],[0,0,0]]) that rewards.py matches by rule.

Commands (CPU only; no torch in this file or in any game):
    python gameqa.py --games in-domain --n 5000 --seed 0 --out data/gameqa5k --workers 2 --export swift
    python gameqa.py --games out-of-domain --n 500 --seed 0 --split test --out data/gameqa_ood_test
    python gameqa.py --games sokoban,maze --n 20 --out /tmp/peek      # then open /tmp/peek/images/*.png
    python -m pytest -q tests/test_gameqa*.py
"""
import importlib
import json
import os
import random
import re
from dataclasses import dataclass

from gameqa_games.common import LEVELS, QA_TYPES, GiveUp
from records import DatasetError, load_images, output_folder_problem, read_dataset, write_dataset

# ---------------------------------------------------------------------------------------------------------
# The registry: the whole truth about each of the 30 games (Game-RL, Table 1). The split is part of the data:
# training on an out-of-domain game voids the generalisation claim.


@dataclass(frozen=True)
class Game:
    name: str          # registry name, the record's `game`
    title: str
    category: str
    split_group: str   # "in-domain" (training games) or "out-of-domain" (held out)
    folder: str        # Game-RL's source folder, which names the game in released files (games_images/<folder>/…)
    module: str = None  # gameqa_games/<module>.py, or None while the game is not implemented

    @property
    def implemented(self):
        return self.module is not None

    @property
    def code(self):
        """The game's module: new_state(rng, plot_level), render(state), TASKS."""
        return importlib.import_module(f"gameqa_games.{self.module}")

    @property
    def tasks(self):
        return tuple(self.code.TASKS) if self.implemented else ()


SPATIAL, PATTERN, MULTISTEP, STRATEGY = ("3D spatial perception and understanding", "pattern recognition and matching",
                                         "multi-step reasoning", "strategic planning")
REGISTRY = {g.name: g for g in [
    Game("3d_maze", "3D Maze", SPATIAL, "in-domain", "3d_maze", "maze_3d"),
    Game("rubiks_cube", "Rubik's Cube", SPATIAL, "in-domain", "rubiks_cube", "rubiks_cube"),
    Game("3d_reconstruction", "3D Reconstruction", SPATIAL, "in-domain", "3DReconstruction", "reconstruction_3d"),
    Game("pyramid_chess", "Pyramid Chess", SPATIAL, "out-of-domain", "PyramidChess", "pyramid_chess"),
    Game("minecraft", "Minecraft", SPATIAL, "out-of-domain", "minecraft", "minecraft"),
    Game("tangram", "Tangram", PATTERN, "in-domain", "tangram", "tangram"),
    Game("freecell", "FreeCell", PATTERN, "in-domain", "freecell", "freecell"),
    Game("tetris", "Tetris", PATTERN, "in-domain", "tetris", "tetris"),
    Game("zuma", "Zuma", PATTERN, "in-domain", "zuma", "zuma"),
    Game("spider_solitaire", "Spider Solitaire", PATTERN, "in-domain", "spider_solitaire", "spider_solitaire"),
    Game("color_hue", "Color Hue", PATTERN, "in-domain", "hue", "color_hue"),
    Game("jewel2", "Jewel2", PATTERN, "out-of-domain", "jewel2", "jewel2"),
    Game("klondike", "Klondike", PATTERN, "out-of-domain", "klondike", "klondike"),
    Game("langtons_ant", "Langton's Ant", MULTISTEP, "in-domain", "langton_ant", "langtons_ant"),
    Game("2d_turing_machine", "2D Turing Machine", MULTISTEP, "in-domain", "2d_turing_machine", "turing_machine_2d"),
    Game("word_search", "Word Search", MULTISTEP, "in-domain", "word_search", "word_search"),
    Game("tents", "Tents", MULTISTEP, "in-domain", "tents", "tents"),
    Game("rhythm_game", "Rhythm Game", MULTISTEP, "in-domain", "rhythm_game", "rhythm_game"),
    Game("star_battle", "Star Battle", MULTISTEP, "in-domain", "star-battle", "star_battle"),
    Game("sudoku", "Sudoku", MULTISTEP, "out-of-domain", "sudoku", "sudoku"),
    Game("lifegame", "Lifegame", MULTISTEP, "out-of-domain", "lifegame", "lifegame"),
    Game("minesweeper", "Minesweeper", MULTISTEP, "out-of-domain", "minesweeper", "minesweeper"),
    Game("sokoban", "Sokoban", STRATEGY, "in-domain", "sokoban", "sokoban"),
    Game("maze", "Maze", STRATEGY, "in-domain", "maze", "maze"),
    Game("tictactoe", "TicTacToe", STRATEGY, "in-domain", "tictactoe", "tictactoe"),
    Game("ultra_tictactoe", "Ultra TicTacToe", STRATEGY, "in-domain", "ultra_tictactoe", "ultra_tictactoe"),
    Game("space_invaders", "Space Invaders", STRATEGY, "in-domain", "space_invaders", "space_invaders"),
    Game("gameqa_snake", "Snake (GameQA's questions, not ViGaL's game)", STRATEGY, "out-of-domain", "snake", "gameqa_snake"),
    Game("chess_ranger", "Chess Ranger", STRATEGY, "out-of-domain", "chess_ranger", "chess_ranger"),
    Game("pacman", "Pacman", STRATEGY, "out-of-domain", "pacman", "pacman"),
]}


def game_names(selection="all", implemented_only=True):
    """Registry names for "all", "in-domain" or "out-of-domain", in registry order."""
    return [g.name for g in REGISTRY.values()
            if (selection == "all" or g.split_group == selection) and (g.implemented or not implemented_only)]


# ---------------------------------------------------------------------------------------------------------
# The engine: a task template turns (rng, state) into a QA; `make_sample` adds what every record shares: option
# shuffling and letters, the answer request, the level fields and the image.

LETTERS = "ABCDEFGHIJ"
# Game-RL trains with a one-sentence system prompt (§4.1 of the paper); these are our own words for its five asks.
GAME_RL_SYSTEM_PROMPT = ("Look at the image carefully, make sure you understand every condition the question sets, "
                         "reason it through logically, reflect on and check your reasoning, and then give the correct answer.")
ANSWER_REQUEST = 'Think step by step, then finish with the line "The answer is <answer>".'
MAX_ATTEMPTS = 200  # fresh (state, task) draws before a sample is declared impossible (a bug, not bad luck)


def make_sample(game, task, plot_level, rng, sample_id, render=True):
    """Draw states until `task` accepts one, then build the sample record (records.py's fields + GameQA's)."""
    for _ in range(MAX_ATTEMPTS):
        state = game.code.new_state(rng, plot_level)
        try:
            qa = task.make(rng, state)
        except GiveUp:
            continue
        break
    else:
        raise RuntimeError(f"{game.name} task {task.question_id} found no usable state in {MAX_ATTEMPTS} draws")
    analysis = qa.analysis.rstrip()
    if qa.distractors is not None or qa.options is not None:
        if qa.options is not None:  # a fixed list (Yes / No, a palette): its order is part of the question
            options = list(qa.options)
        else:
            options = [qa.answer] + list(qa.distractors)
            rng.shuffle(options)  # fixed option orders leak priors (Game-RL, §3.3)
        where = f"{game.name} q{task.question_id}"
        assert len(set(options)) == len(options), f"{where}: repeated option in {options}"
        assert options.count(qa.answer) == 1 and len(options) <= len(LETTERS), f"{where}: bad options {options}"
        letter = LETTERS[options.index(qa.answer)]
        listed = "\n".join(f"{LETTERS[i]}: {text}" for i, text in enumerate(options))
        prompt = f"{qa.question}\n\nOptions:\n{listed}\n\n{ANSWER_REQUEST.replace('<answer>', '<option letter>')}"
        answer, analysis = letter, f"{analysis}\nThis is option {letter}. The answer is {letter}"
    else:
        options, answer = None, qa.answer
        prompt = f"{qa.question}\n\n{ANSWER_REQUEST}"
        analysis = f"{analysis}\nThe answer is {answer}"
    record = {"id": sample_id, "game": game.name, "images": [game.code.render(state)] if render else [],
              "prompt": prompt, "answer": answer, "reward": "gameqa"}
    if options is not None:
        record["options"] = options
    record.update({"level": {"plot_level": plot_level, "qa_level": task.qa_level, "qa_type": task.qa_type},
                   "state": {**state.to_json(), **qa.given}, "analysis": analysis,
                   "question_id": task.question_id, "question_description": task.description,
                   "split_group": game.split_group})
    return record


def check_games(games):
    for name in games:
        if name not in REGISTRY or not REGISTRY[name].implemented:
            raise ValueError(f"unknown or unimplemented GameQA game {name!r}; implemented: {', '.join(game_names('all'))}")


def sample_at(index, seed, split="train", games=None, plot_levels=LEVELS, render=True):
    """Sample `index` of the stream (split, seed): deterministic and independent of every other index, so a
    trainer can draw any index in any order or process. The RNG picks the game, the task, the plot level
    and the state. `games` defaults to every implemented in-domain game (the Game-RL training set)."""
    games = list(games) if games is not None else game_names("in-domain")
    check_games(games)
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
    check_games([game_name])
    game = REGISTRY[game_name]
    task = next((t for t in game.tasks if t.question_id == question_id), None)
    if task is None:
        raise ValueError(f"{game_name} has no task {question_id}; its tasks: {[t.question_id for t in game.tasks]}")
    rng = random.Random(f"gameqa-task:{split}:{seed}:{game_name}:{question_id}:{plot_level}")
    return make_sample(game, task, plot_level, rng, f"{game_name}-{split}-{seed:06d}", render)


# ---------------------------------------------------------------------------------------------------------
# Released data: GameQA-140K (games_data.json + games_images/<game>/…) and GameQA-5K (ms-swift: GameQA_RL_5k.json +
# RL_5k_games_images/<game>/…) into sample records, and our records out to both (Game-RL's data card).
# records.load_data picks these readers for a --data path.

GAMEQA_FIELDS = ("data_id", "qa_type", "question_id", "question_description", "image", "state", "plot_level",
                 "qa_level", "question", "answer", "analysis")
GAMEQA5K_FIELDS = ("query", "solution", "images", "data_id", "qa_type", "question_id", "question_description",
                   "state", "plot_level", "qa_level")


def folder_key(text):
    """A folder or game name compared loosely: '3DReconstruction', '3d_reconstruction' -> '3dreconstruction'."""
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


# Released files name a game by Game-RL's source folder (games_images/3DReconstruction/…, star-battle, hue); our
# registry names are accepted too, so files we export read back the same.
RELEASE_NAMES = {**{folder_key(g.name): g.name for g in REGISTRY.values()},
                 **{folder_key(g.folder): g.name for g in REGISTRY.values()}}


def released_game(image_path, data_id):
    """The registry name of a released record's game: from the image's folder
    (games_images_test/2d_turing_machine/00001.png), else from the data_id less its number (star-battle-00001,
    sokoban-train-000042), else the folder as it is (a game our registry does not know)."""
    folder = os.path.basename(os.path.dirname(image_path))
    prefix = re.sub(r"[-_]\d+$", "", str(data_id).split("-train-")[0].split("-test-")[0])  # star-battle-00001
    return next((RELEASE_NAMES[folder_key(k)] for k in (folder, prefix) if folder_key(k) in RELEASE_NAMES), folder or prefix)


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
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise DatasetError(f"{path}: cannot be read ({e.strerror})") from None
    except UnicodeDecodeError as e:
        raise DatasetError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from None
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


def load_gameqa(json_path, images_root=None):
    """GameQA-140K (games_data.json / games_data_test.json) as sample records. `image` is read under `images_root`
    (default: the json's folder), or under its games_images/ (games_images_test/) folder when the path leaves it
    out; the released fields stay in the record (level, state, analysis, question_id, …). Tetris spells
    options `Options`; both spellings are read."""
    root = images_root or os.path.dirname(os.path.abspath(json_path))
    image_folder = "games_images_test" if "test" in os.path.basename(json_path) else "games_images"
    samples = []
    for i, raw in enumerate(read_json_records(json_path)):
        where = f"{json_path}, record {i}"
        check_fields(raw, GAMEQA_FIELDS, where)
        if not isinstance(raw["image"], str):
            raise DatasetError(f"{where}: 'image' must be a path, got {raw['image']!r}")
        full = next((p for p in (os.path.join(root, raw["image"]), os.path.join(root, image_folder, raw["image"]))
                     if os.path.isfile(p)), None)
        if full is None:
            raise DatasetError(f"{where}: image {raw['image']!r} not found under {root!r}")
        options = raw.get("options", raw.get("Options"))
        game = released_game(raw["image"], raw["data_id"])
        samples.append(released_record(raw, where, game, [os.path.abspath(full)],
                                       with_answer_request(raw["question"], options), raw["answer"], options))
    return samples


def load_gameqa5k(path):
    """GameQA-5K in ms-swift form (GameQA_RL_5k.json, a JSON list, or jsonl): `query`, `solution`, `images`
    (paths relative to the file's folder, e.g. RL_5k_games_images/<game>/…, or absolute; ms-swift also allows
    {"path": …}), plus the GameQA fields, as sample records."""
    folder = os.path.dirname(os.path.abspath(path))
    samples = []
    for i, raw in enumerate(read_json_records(path)):
        where = f"{path}, record {i}"
        check_fields(raw, GAMEQA5K_FIELDS, where)
        if not isinstance(raw["images"], list) or not raw["images"]:
            raise DatasetError(f"{where}: 'images' must be a non-empty list of paths, got {raw['images']!r}")
        images = []
        for rel in raw["images"]:
            rel = rel.get("path") if isinstance(rel, dict) else rel
            if not isinstance(rel, str) or not os.path.isfile(os.path.join(folder, rel)):
                raise DatasetError(f"{where}: image {rel!r} not found (paths are relative to {folder!r})")
            images.append(os.path.abspath(os.path.join(folder, rel)))
        options = raw.get("options", raw.get("Options"))
        game = released_game(images[0], raw["data_id"])
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
    """GameQA-5K (ms-swift) rows like the released GameQA_RL_5k.json: query (the question with its options),
    solution, images (relative to the file's folder) + the GameQA fields. A .json path gets a JSON list, as
    released; .jsonl gets one row a line. Images already on disk are referenced where they are; images in memory
    are written to RL_5k_games_images/<game>/ beside the file, as in the release. Returns out_path."""
    folder = os.path.dirname(os.path.abspath(out_path))
    rows = []
    for sample in samples:
        if all(isinstance(im, str) for im in sample["images"]):
            images = [os.path.relpath(im, folder) for im in sample["images"]]
        else:
            images = save_images(sample, folder, f"RL_5k_games_images/{sample['game']}/{sample['id']}")
        row = {"query": without_answer_request(sample["prompt"]), "solution": sample["answer"], "images": images,
               **gameqa_fields(sample), "analysis": sample["analysis"]}
        if "options" in sample:
            row["options"] = sample["options"]
        rows.append(row)
    with open(out_path, "w", encoding="utf-8") as f:
        if out_path.endswith(".jsonl"):
            f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        else:
            json.dump(rows, f, ensure_ascii=False, indent=1)
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
    parser.add_argument("--games", default="in-domain", help="all | in-domain | out-of-domain | name,name,... "
                        f"(implemented: {', '.join(game_names('all'))})")
    parser.add_argument("--n", type=int, default=100, help="number of samples")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample stream")
    parser.add_argument("--split", default="train", choices=["train", "test"], help="train and test never share a stream")
    parser.add_argument("--out", required=True, help="output folder (metadata.jsonl + images/)")
    parser.add_argument("--export", choices=["swift", "gameqa"], help="also write GameQA-5K for ms-swift "
                        "(GameQA_RL_5k.json) or GameQA-140K (games_data.json) next to metadata.jsonl")
    parser.add_argument("--workers", type=int, default=1, help="processes; output is byte-identical to --workers 1")
    args = parser.parse_args(argv)
    for name, low in (("n", 1), ("workers", 1)):
        if getattr(args, name) < low:
            parser.error(f"--{name} must be at least {low}, got {getattr(args, name)}")
    if output_folder_problem(args.out):
        parser.error(f"--out: {output_folder_problem(args.out)}")
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
            path = export_gameqa5k(written, os.path.join(args.out, "GameQA_RL_5k.json"))
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
