"""GameQA engine: the registry, the one-file-per-game layout, the record contract, option invariants and
determinism, for every task of every game."""
import ast
import glob
import json
import os
import re

import pytest

import gameqa
import records
from gameqa_games import common

TASKS = [(g.name, t.question_id) for g in gameqa.REGISTRY.values() if g.implemented for t in g.tasks]


def test_registry_has_the_30_games_and_the_split():
    games = gameqa.REGISTRY.values()
    assert len(games) == 30
    assert sum(g.split_group == "in-domain" for g in games) == 20
    assert {g.name for g in games if g.split_group == "out-of-domain"} == {
        "pyramid_chess", "minecraft", "jewel2", "klondike", "sudoku", "lifegame", "minesweeper", "gameqa_snake",
        "chess_ranger", "pacman"}
    assert len({g.category for g in games}) == 4
    for g in games:
        if g.implemented:
            assert os.path.isfile(os.path.join(ROOT, "gameqa_games", f"{g.module}.py")), g.name
            assert {t.qa_type for t in g.tasks} <= set(gameqa.QA_TYPES), g.name
            assert {t.qa_level for t in g.tasks} <= set(gameqa.LEVELS), g.name
            ids = [t.question_id for t in g.tasks]
            assert len(set(ids)) == len(ids), f"{g.name}: repeated question_id"


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def imported_modules(path):
    """The top-level names of every module a file imports (import x.y -> x.y; from x.y import z -> x.y, x.y.z)."""
    names = set()
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            names |= {base} | {f"{base}.{a.name}" for a in node.names}
    return names


def test_games_import_only_the_common_module_and_the_rl_core_imports_no_game():
    game_files = sorted(glob.glob(os.path.join(ROOT, "gameqa_games", "*.py")))
    game_modules = {os.path.basename(p)[:-3] for p in game_files} - {"__init__", "common"}
    assert {"sokoban", "maze", "tetris", "reconstruction_3d", "sudoku", "minesweeper"} <= game_modules
    project = {"gameqa", "snake", "rotation", "rewards", "grpo", "train", "evaluate", "records", "model"}
    for path in game_files:
        imports = imported_modules(path)
        ours = {m for m in imports if m.split(".")[0] in project | {"gameqa_games"} or m.startswith(".")}
        assert all(m == "gameqa_games.common" or m.startswith("gameqa_games.common.") for m in ours), (path, ours)
        assert not {m for m in imports if m.split(".")[0] in ("torch", "transformers", "accelerate")}, path
    for top in ("grpo.py", "snake.py", "rotation.py", "rewards.py"):
        imports = {m.split(".")[0] for m in imported_modules(os.path.join(ROOT, top))}
        assert not imports & ({"gameqa", "gameqa_games", "snake", "rotation"} - {top[:-3]}), (top, imports)


def test_release_folders_name_every_game():
    """Released GameQA files name a game by Game-RL's source folder; each one maps to our registry name."""
    folders = {"3d_maze": "3d_maze", "rubiks_cube": "rubiks_cube", "3DReconstruction": "3d_reconstruction",
               "PyramidChess": "pyramid_chess", "minecraft": "minecraft", "tangram": "tangram",
               "freecell": "freecell", "tetris": "tetris", "zuma": "zuma", "spider_solitaire": "spider_solitaire",
               "hue": "color_hue", "jewel2": "jewel2", "klondike": "klondike", "langton_ant": "langtons_ant",
               "2d_turing_machine": "2d_turing_machine", "word_search": "word_search", "tents": "tents",
               "rhythm_game": "rhythm_game", "star-battle": "star_battle", "sudoku": "sudoku", "lifegame": "lifegame",
               "minesweeper": "minesweeper", "sokoban": "sokoban", "maze": "maze", "tictactoe": "tictactoe",
               "ultra_tictactoe": "ultra_tictactoe", "space_invaders": "space_invaders", "snake": "gameqa_snake",
               "chess_ranger": "chess_ranger", "pacman": "pacman"}
    assert set(folders.values()) == set(gameqa.REGISTRY)
    for folder, name in folders.items():
        assert gameqa.released_game(f"games_images_test/{folder}/00001.png", "7") == name, folder
        assert gameqa.released_game("RL_5k_games_images/00001.png", f"{folder}-00001") == name, folder
        assert gameqa.released_game("images/x.png", f"{name}-train-000008") == name, name   # jewel2 keeps its 2


@pytest.mark.parametrize("game,qid", TASKS)
def test_record_contract_and_options(game, qid):
    letters_seen, fewest_options = set(), 10
    for seed in range(12):
        level = gameqa.LEVELS[seed % 3]
        s = gameqa.sample_task(game, qid, seed, level, render=(seed < 3))
        assert s["id"] == f"{game}-train-{seed:06d}" and s["game"] == game and s["reward"] == "gameqa"
        assert s["level"]["plot_level"] == level and s["level"]["qa_type"] in gameqa.QA_TYPES
        assert s["split_group"] == gameqa.REGISTRY[game].split_group
        json.dumps({**s, "images": []})  # everything but the PIL images is JSON
        assert s["prompt"].rstrip().endswith('"The answer is <option letter>".' if "options" in s
                                              else '"The answer is <answer>".')
        assert s["analysis"].endswith(f"The answer is {s['answer']}")
        if seed < 3:
            assert len(s["images"]) == 1 and s["images"][0].mode == "RGB"
        if "options" in s:
            options = s["options"]
            assert 2 <= len(options) <= 10 and len(set(options)) == len(options)
            assert re.fullmatch(r"[A-J]", s["answer"]) and "ABCDEFGHIJ".index(s["answer"]) < len(options)
            listed = re.findall(r"^([A-J]): (.*)$", s["prompt"], flags=re.M)
            assert listed == [("ABCDEFGHIJ"[i], o) for i, o in enumerate(options)]
            letters_seen.add(s["answer"])
            fewest_options = min(fewest_options, len(options))
        else:
            assert s["answer"] and "\n" not in s["answer"]
    if letters_seen:  # shuffled options put the gold anywhere (a fixed two-option list: either place)
        assert len(letters_seen) >= min(3, fewest_options), f"{game} q{qid}: the gold sits at too few positions: {letters_seen}"


def test_same_seed_same_sample_and_streams_differ():
    a = gameqa.sample_at(7, seed=3, games=gameqa.game_names("all"))
    b = gameqa.sample_at(7, seed=3, games=gameqa.game_names("all"))
    assert a["prompt"] == b["prompt"] and a["images"][0].tobytes() == b["images"][0].tobytes()
    test = [gameqa.sample_at(i, seed=3, split="test", render=False)["state"] for i in range(6)]
    train = [gameqa.sample_at(i, seed=3, split="train", render=False)["state"] for i in range(6)]
    assert test != train


def test_numeric_distractors_are_near_and_distinct():
    import random
    d = common.numeric_distractors(random.Random(0), 5, k=7, low=1)
    assert len(set(d)) == 7 and "5" not in d and all(1 <= int(v) <= 9 for v in d)


def run_cli(*args):
    import subprocess
    import sys
    return subprocess.run([sys.executable, "gameqa.py", *args], cwd=gameqa.os.path.dirname(gameqa.__file__),
                          capture_output=True, text=True, timeout=120)


def read_tree(folder):
    out = {}
    for root, _, files in gameqa.os.walk(folder):
        for name in files:
            path = gameqa.os.path.join(root, name)
            out[gameqa.os.path.relpath(path, folder)] = open(path, "rb").read()
    return out


def test_cli_same_seed_gives_identical_files_serial_or_parallel(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    r1 = run_cli("--games", "all", "--n", "12", "--seed", "5", "--split", "test", "--out", str(a))
    r2 = run_cli("--games", "all", "--n", "12", "--seed", "5", "--split", "test", "--out", str(b), "--workers", "2")
    assert r1.returncode == 0 and r2.returncode == 0, r1.stderr + r2.stderr
    assert read_tree(a) == read_tree(b) and len(read_tree(a)) == 13  # metadata.jsonl + one PNG per sample
    assert "12 samples in" in r1.stdout and "sokoban" in r1.stdout  # the per-game, per-level count table
    rows = records.read_dataset(str(a))
    assert [r["id"] for r in rows] == [f"{r['game']}-test-{i:06d}" for i, r in enumerate(rows)]


def test_cli_unknown_game_is_one_clear_message(tmp_path):
    r = run_cli("--games", "sokoban,chess", "--n", "2", "--out", str(tmp_path / "x"))
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "'chess' is not a GameQA game" in r.stderr and "sokoban, maze" in r.stderr


def test_sample_at_rejects_unknown_games_and_defaults_to_in_domain():
    with pytest.raises(ValueError, match="'chess'"):
        gameqa.sample_at(0, seed=0, games=["chess"])
    games = {gameqa.sample_at(i, seed=0, render=False)["game"] for i in range(300)}
    assert games == set(gameqa.game_names("in-domain")) and "sudoku" not in games
    assert gameqa.GAME_RL_SYSTEM_PROMPT.count(".") == 1  # one sentence
