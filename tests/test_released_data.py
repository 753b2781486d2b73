"""The papers' released data in, the original trainers' formats out.

Fixtures written here in each released format, by hand rather than by our exporters: ViGaL's MM-EUREKA jsonl
(Snake and Rotation, image paths relative, absolute, file://, and from another machine), GameQA-140K
(games_data.json + games_images/<Game-RL folder>/) and GameQA-5K (GameQA_RL_5k.json + RL_5k_games_images/).
Each loads through records.load_data with the golds it was written with, and train.py trains 2 steps on each.
Our exports go through MM-EUREKA's own data path (datasets' json loader, a DataLoader's default collate) and
come back through our loaders with the same golds."""
import ast
import json
import os
import subprocess
import sys
from dataclasses import replace

import pytest
from PIL import Image

import gameqa
import records
import rewards
import rotation
import snake
from config import Config
from data import make_sampler

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SNAKE_CFG = snake.SnakeConfig(image_size=112)
ROTATION_CFG = replace(rotation.RotationConfig(), image_size=64, level="easy")


def pixels(path_or_image):
    image = Image.open(path_or_image) if isinstance(path_or_image, str) else path_or_image
    return image.convert("RGB").tobytes()


def vigal_line(images, prompt, label, **extra):
    """One line of ViGaL's training jsonl, as the MM-EUREKA `qwen` branch reads it."""
    content = [{"type": "image", "image": im} for im in images] + [{"type": "text", "text": prompt}]
    return json.dumps({"message": json.dumps([{"role": "user", "content": content}]), "answer": label, **extra})


# ---------------------------------------------------------------------------------------------------------
# ViGaL's released data: an unzipped folder with snake/ and rotation/, each a metadata.jsonl and its images

@pytest.fixture(scope="module")
def vigal(tmp_path_factory):
    root = tmp_path_factory.mktemp("vigal_release")
    golds, images = {}, {}
    (root / "snake" / "images").mkdir(parents=True)
    lines = []
    for i in range(4):
        s = snake.sample_at(i, seed=3, cfg=SNAKE_CFG)
        rel = f"images/snake_{i}.png"
        s["images"][0].save(root / "snake" / rel)
        ref = [rel,                                                 # relative to the jsonl's folder
               str(root / "snake" / rel),                           # absolute
               f"file://{root / 'snake' / rel}",                    # file://
               f"/home/someone/ViGaL/train/snake/{rel}"][i]         # rewritten on another machine
        label = f"<pos_moves>{s['answer']['best']}</pos_moves><neg_moves>{s['answer']['worst']}</neg_moves>"
        extra = {"id": f"snake_{i}"} if i != 2 else {"source": "snake game"}  # line 3: no id, an extra field
        lines.append(vigal_line([ref], s["prompt"], label, **extra))
        golds[extra.get("id", "snake-metadata-000003")] = ("snake", s["answer"])
        images[extra.get("id", "snake-metadata-000003")] = [pixels(s["images"][0])]
    (root / "snake" / "metadata.jsonl").write_text("\n".join(lines) + "\n")

    (root / "rotation" / "images").mkdir(parents=True)
    lines = []
    for i in range(3):
        s = rotation.sample_at(i, seed=3, cfg=ROTATION_CFG)
        refs = []
        for k, image in enumerate(s["images"]):
            image.save(root / "rotation" / "images" / f"rot_{i}_{k}.png")
            refs.append(f"images/rot_{i}_{k}.png" if i != 1 else f"file://{root / 'rotation' / 'images' / f'rot_{i}_{k}.png'}")
        label = f"<answer>{s['answer']}</answer>"
        if i != 0:  # the combined script's routing tag; the rotation-only release may lack it
            label += f"<image_ini_path>{refs[2]}</image_ini_path><image_rot_path>{refs[3]}</image_rot_path>"
        row = json.loads(vigal_line(refs, s["prompt"], label, id=f"rotation_{i}"))
        if i == 2:
            row["message"] = json.loads(row["message"])  # a variant: the chat as a list, not a JSON string
        lines.append(json.dumps(row))
        golds[f"rotation_{i}"] = ("rotation", s["answer"])
        images[f"rotation_{i}"] = [pixels(im) for im in s["images"]]
    (root / "rotation" / "metadata.jsonl").write_text("\n".join(lines) + "\n")
    return root, golds, images


def test_vigal_folder_loads_both_games_with_their_golds_and_images(vigal):
    root, golds, images = vigal
    loaded = records.load_data(str(root))
    assert sorted(s["id"] for s in loaded) == sorted(golds)
    for s in loaded:
        game, gold = golds[s["id"]]
        assert (s["game"], s["reward"], s["answer"]) == (game, game, gold)
        assert [pixels(p) for p in s["images"]] == images[s["id"]]
        assert all(os.path.isabs(p) for p in s["images"])
        assert s["prompt"].startswith("You")
    assert [len(s["images"]) for s in loaded if s["game"] == "rotation"] == [4, 4, 4]


def test_vigal_jsonl_file_and_its_folder_load_alone(vigal):
    root, golds, _ = vigal
    for path, n in ((root / "snake" / "metadata.jsonl", 4), (root / "rotation", 3)):
        loaded = records.load_data(str(path))
        assert len(loaded) == n and len({s["game"] for s in loaded}) == 1


def test_vigal_golds_grade_with_our_rewards(vigal):
    """The golds read from ViGaL's labels are the ones our scorers take: the right answer scores 1.1."""
    root, _, _ = vigal
    for s in records.load_data(str(root)):
        if s["game"] == "snake":
            worst = ", ".join(s["answer"]["worst"]) or "None"
            completion = f"<think>x</think><best_answer>{s['answer']['best'][0]}</best_answer><worst_answer>{worst}</worst_answer>"
        else:
            completion = f"<think>x</think><answer>{s['answer']}</answer>"
        assert rewards.score(completion, s)["reward"] == pytest.approx(1.1)


@pytest.mark.parametrize("label,where", [
    ("<answer>45</answer>", "line 2"),
    ("The answer is 90", "line 2"),
    ("<pos_moves>['UP']</pos_moves>", "line 2"),            # no neg_moves: not a Snake label
    ("<pos_moves>['NORTH']</pos_moves><neg_moves>[]</neg_moves>", "line 2"),
])
def test_a_record_that_fits_no_game_names_file_line_and_expectation(tmp_path, label, where):
    Image.new("RGB", (8, 8)).save(tmp_path / "a.png")
    good = vigal_line(["a.png"], "p", "<answer>90</answer>")
    path = tmp_path / "data.jsonl"
    path.write_text(good + "\n" + vigal_line(["a.png"], "p", label) + "\n")
    with pytest.raises(records.DatasetError) as e:
        records.load_data(str(path))
    assert str(e.value).startswith(f"{path}, {where}: ")
    assert "expected ViGaL's Snake label" in str(e.value) or "names something other than UP" in str(e.value)


def test_bad_vigal_lines_name_file_and_line(tmp_path):
    Image.new("RGB", (8, 8)).save(tmp_path / "a.png")
    good = vigal_line(["a.png"], "p", "<answer>90</answer>")
    cases = [(vigal_line(["missing.png"], "p", "<answer>90</answer>"), "image 'missing.png' not found"),
             ('{"message": "[{\\"role\\": ', "not valid JSON"),
             (json.dumps({"message": "not a chat", "answer": "<answer>90</answer>"}), "'message' is not a JSON chat"),
             (json.dumps({"message": [], "answer": "<answer>90</answer>"}), "holds no user turn"),
             (json.dumps({"prompt": "p", "answer": "<answer>90</answer>"}), "expected an object with 'message'")]
    for line, message in cases:
        path = tmp_path / "data.jsonl"
        path.write_text(good + "\n\n" + line + "\n")
        with pytest.raises(records.DatasetError, match=f"data.jsonl, line 3: .*{message}"):
            records.load_data(str(path))


def test_load_data_names_what_it_expected(tmp_path):
    with pytest.raises(records.DatasetError, match=r"dataset folder not found: '/no/such/dir' \(expected a dataset folder"):
        records.load_data("/no/such/dir")
    with pytest.raises(records.DatasetError, match=r"dataset file not found: '/no/such/games_data.json'"):
        records.load_data("/no/such/games_data.json")
    (tmp_path / "other.json").write_text(json.dumps([{"text": "hi", "label": 1}]))
    with pytest.raises(records.DatasetError, match=r"other.json, first record: fields label, text fit no known format"):
        records.load_data(str(tmp_path / "other.json"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(records.DatasetError, match="no metadata.jsonl in dataset folder"):
        records.load_data(str(tmp_path / "empty"))


# ---------------------------------------------------------------------------------------------------------
# GameQA's releases: GameQA-140K (games_data_test.json) and GameQA-5K (GameQA_RL_5k.json, ms-swift)

def gameqa_row(data_id, game_folder, question, answer, options, **extra):
    row = {"data_id": data_id, "qa_type": "Target Perception", "question_id": 1, "question_description": "q",
           "image": f"{game_folder}/{data_id}.png", "state": {"n": 1}, "plot_level": "Easy", "qa_level": "Easy",
           "question": question, "answer": answer, "analysis": "worked out", **extra}
    if options is not None:
        row["options"] = options
    return row


# (Game-RL folder, question as released, answer, options, a right completion, a wrong one)
RELEASED = [
    ("sokoban", "Where is the box?\nOptions:\n[1] (2, 3)\n[2] (1, 1)\n[3] (4, 4)", 2, ["(2, 3)", "(1, 1)", "(4, 4)"],
     "The answer is [2] (1, 1)", "The answer is 1"),
    ("sudoku", "What colour is cell (0, 0)?\nOptions: A.red B.green C.blue D.yellow", "C",
     ["A.red", "B.green", "C.blue", "D.yellow"], "The answer is blue.", "The answer is red."),
    ("pacman", "Which ghost is closer to Pac-Man?", "B. Blinky is closer to Pac-Man",
     ["A. Pinky is closer to Pac-Man", "B. Blinky is closer to Pac-Man", "C. Both are equally close"],
     "The answer is B", "The answer is A\nor B"),
    ("3DReconstruction", "How many voxels are there?", "7", None, "The answer is 7 voxels.", "The answer is 8"),
    ("star-battle", "Where must the star go?\nOptions: 1.(0,1) 2.(2,2)", 1, ["1.(0,1)", "2.(2,2)"],
     "The answer is (0,1)", "The answer is 2"),
]
GAMES = {"sokoban": "sokoban", "sudoku": "sudoku", "pacman": "pacman", "3DReconstruction": "3d_reconstruction",
         "star-battle": "star_battle"}


@pytest.fixture(scope="module")
def gameqa140k(tmp_path_factory):
    root = tmp_path_factory.mktemp("gameqa140k")
    rows = []
    for i, (folder, question, answer, options, _, _) in enumerate(RELEASED):
        (root / "games_images_test" / folder).mkdir(parents=True)
        Image.new("RGB", (64, 64), (40 * i, 90, 200)).save(root / "games_images_test" / folder / f"{i:05d}.png")
        extra = {"Options": options} if folder == "sokoban" else {}  # Tetris-style spelling on one row
        rows.append(gameqa_row(f"{i:05d}", folder, question, answer, None if extra else options, **extra))
    (root / "games_data_test.json").write_text(json.dumps(rows, indent=1))  # images named without their folder
    return root


@pytest.fixture(scope="module")
def gameqa5k(tmp_path_factory):
    root = tmp_path_factory.mktemp("gameqa5k")
    rows = []
    for i, (folder, question, answer, options, _, _) in enumerate(RELEASED):
        rel = f"RL_5k_games_images/{folder}/{folder}_{i}.png"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (64, 64), (90, 40 * i, 20)).save(root / rel)
        row = gameqa_row(f"{folder}-{i}", folder, question, answer, options)
        del row["image"], row["question"], row["answer"], row["analysis"]
        rows.append({"query": question, "solution": answer, "images": [rel], **row})
    (root / "GameQA_RL_5k.json").write_text(json.dumps(rows, indent=1))
    return root


@pytest.mark.parametrize("which", ["140k", "5k"])
def test_gameqa_releases_load_with_games_golds_and_gradable_answers(which, gameqa140k, gameqa5k):
    path = gameqa140k / "games_data_test.json" if which == "140k" else gameqa5k / "GameQA_RL_5k.json"
    loaded = records.load_data(str(path))
    assert [s["game"] for s in loaded] == [GAMES[r[0]] for r in RELEASED]
    for s, (_, question, answer, options, right, wrong) in zip(loaded, RELEASED):
        assert s["answer"] == str(answer) and s.get("options") == options and s["reward"] == "gameqa"
        assert s["prompt"].startswith(question) and s["prompt"].endswith('"The answer is <answer>".')
        assert os.path.isfile(s["images"][0]) and s["split_group"] in ("in-domain", "out-of-domain")
        assert rewards.score(right, s)["accuracy"] == 1.0, (right, s["answer"])
        assert rewards.score(wrong, s)["accuracy"] == 0.0, (wrong, s["answer"])


def test_a_folder_with_one_release_file_loads_it(gameqa5k):
    assert len(records.load_data(str(gameqa5k))) == len(RELEASED)


# ---------------------------------------------------------------------------------------------------------
# Exports: MM-EUREKA for ViGaL's trainer, ms-swift and GameQA-140K for Game-RL's; round trips

@pytest.fixture(scope="module")
def ours():
    """Our Snake and Rotation records with images in memory, interleaved as a mixed training file would be."""
    snakes = [snake.sample_at(i, seed=5, cfg=SNAKE_CFG) for i in range(3)]
    rotations = [rotation.sample_at(i, seed=5, cfg=replace(ROTATION_CFG, level="hard")) for i in range(3)]
    return [s for pair in zip(snakes, rotations) for s in pair]


def test_mixed_mmeureka_export_loads_with_datasets_and_collates(ours, tmp_path):
    import datasets
    import torch.utils.data

    path = records.export_mmeureka(ours, str(tmp_path / "vigal.jsonl"))
    table = datasets.load_dataset("json", data_files=path, split="train", cache_dir=str(tmp_path / "cache"))
    assert table.num_rows == len(ours)
    assert {k: v.dtype for k, v in table.features.items()} == {"id": "string", "message": "string", "answer": "string"}
    batch = next(iter(torch.utils.data.DataLoader(table, batch_size=len(ours))))  # default collate
    assert batch["id"] == [s["id"] for s in ours]
    for sample, label, message in zip(ours, batch["answer"], batch["message"]):
        (turn,) = json.loads(message)
        *images, text = turn["content"]
        assert text == {"type": "text", "text": sample["prompt"]}
        assert [pixels(im["image"][len("file://"):]) for im in images] == [pixels(im) for im in sample["images"]]
        # ViGaL's combined reward routes on <image_ini_path>; its Snake scorer reads the lists with literal_eval
        if sample["game"] == "rotation":
            assert label.startswith(f"<answer>{sample['answer']}</answer><image_ini_path>/")
            assert label.endswith(f"-3.png</image_rot_path>")
        else:
            assert "<image_ini_path>" not in label
            best = ast.literal_eval(label.split("<pos_moves>")[1].split("</pos_moves>")[0])
            worst = ast.literal_eval(label.split("<neg_moves>")[1].split("</neg_moves>")[0])
            assert best == sample["answer"]["best"]
            assert worst == [m for m in ("UP", "DOWN", "LEFT", "RIGHT") if m in sample["answer"]["worst"]]


def assert_same_records(loaded, originals, keys=("id", "game", "prompt", "answer", "reward")):
    assert len(loaded) == len(originals)
    for a, b in zip(loaded, originals):
        assert {k: a.get(k) for k in keys} == {k: b.get(k) for k in keys}
        assert [pixels(p) for p in a["images"]] == [pixels(p) for p in b["images"]]


def test_round_trip_through_mmeureka(ours, tmp_path):
    (tmp_path / "out").mkdir()
    path = records.export_mmeureka(ours, str(tmp_path / "out" / "vigal.jsonl"))
    assert_same_records(records.load_data(path), ours)
    assert_same_records(records.load_data(str(tmp_path / "out")), ours)  # the folder, as ViGaL's users unzip it


def test_mmeureka_export_refuses_gameqa_and_tells_where_to_go(tmp_path):
    sample = gameqa.sample_at(0, seed=1, games=["sokoban"])
    with pytest.raises(records.DatasetError, match="not 'gameqa'; GameQA has gameqa.export_gameqa5k"):
        records.export_mmeureka([sample], str(tmp_path / "x.jsonl"))


GAMEQA_KEPT = ("id", "game", "prompt", "answer", "reward", "options", "level", "state", "question_id", "split_group")


@pytest.fixture(scope="module")
def ours_gameqa():
    return [gameqa.sample_at(i, seed=9, games=gameqa.game_names("all")) for i in range(6)]


@pytest.mark.parametrize("name", ["GameQA_RL_5k.json", "gameqa5k.jsonl"])
def test_round_trip_through_gameqa5k(ours_gameqa, tmp_path, name):
    path = gameqa.export_gameqa5k(ours_gameqa, str(tmp_path / name))
    if name.endswith(".json"):
        rows = json.load(open(path))
        assert rows[0]["images"][0].startswith(f"RL_5k_games_images/{ours_gameqa[0]['game']}/")
    assert_same_records(records.load_data(path), ours_gameqa, GAMEQA_KEPT)


def test_round_trip_through_gameqa140k(ours_gameqa, tmp_path):
    path = gameqa.export_gameqa(ours_gameqa, str(tmp_path), split="test")
    assert_same_records(records.load_data(path), ours_gameqa, GAMEQA_KEPT)


def test_records_cli_writes_a_mixed_mmeureka_file(tmp_path):
    for name, module in (("snake", snake), ("rotation", rotation)):
        cfg = SNAKE_CFG if module is snake else ROTATION_CFG
        records.write_dataset([module.sample_at(i, seed=2, cfg=cfg) for i in range(2)], str(tmp_path / name))
    out = tmp_path / "vigal.jsonl"
    records.main(["--mmeureka", str(out), str(tmp_path / "snake"), str(tmp_path / "rotation")])
    loaded = records.load_data(str(out))
    assert [s["game"] for s in loaded] == ["snake", "snake", "rotation", "rotation"]
    assert_same_records(loaded, records.read_dataset(str(tmp_path / "snake")) + records.read_dataset(str(tmp_path / "rotation")))


# ---------------------------------------------------------------------------------------------------------
# train.py --data on each released form, 2 steps; evaluate.py games on GameQA-140K's test file

def test_train_two_steps_on_each_released_form(vigal, gameqa140k, gameqa5k, tiny_model_dir, tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1"}
    forms = {"vigal-snake": vigal[0] / "snake" / "metadata.jsonl", "vigal-rotation": vigal[0] / "rotation",
             "gameqa140k": gameqa140k / "games_data_test.json", "gameqa5k": gameqa5k / "GameQA_RL_5k.json"}
    args = ["--model", tiny_model_dir, "--max-steps", "2", "--save-every", "2", "--prompts-per-step", "2",
            "--num-generations", "2", "--answer-words", "", "--max-completion-length", "6", "--eval-samples", "0"]
    runs = {}
    names = list(forms)
    for pair in (names[:2], names[2:]):  # two at a time: one core each
        procs = {n: subprocess.Popen([sys.executable, os.path.join(ROOT, "train.py"), "--data", str(forms[n]),
                                      "--out-dir", str(tmp_path / n), *args], cwd=ROOT, env=env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for n in pair}
        runs.update({n: (p, p.communicate(timeout=600)[0]) for n, p in procs.items()})
    for name, (p, log) in runs.items():
        assert p.returncode == 0, f"{name}: train.py exited {p.returncode}:\n{log[-3000:]}"
        steps = [json.loads(line) for line in open(tmp_path / name / "metrics.jsonl")]
        assert [m["step"] for m in steps] == [1, 2], name
        assert os.path.isdir(tmp_path / name / "checkpoint-000002"), name
        # what those steps drew: records of the given data, images opened
        ids = {s["id"] for s in records.load_data(str(forms[name]))}
        drawn = [make_sampler(Config(data=str(forms[name])))(i) for i in range(len(ids))]
        assert {s["id"] for s in drawn} == ids and all(isinstance(im, Image.Image) for s in drawn for im in s["images"])


def test_evaluate_games_reads_the_same_data(gameqa140k):
    """evaluate.py games --data takes every form train.py does (the released test file here)."""
    import argparse

    import evaluate
    args = argparse.Namespace(data=str(gameqa140k / "games_data_test.json"))
    samples = evaluate.game_samples(None, args)
    assert [s["game"] for s in samples] == [GAMES[r[0]] for r in RELEASED]
