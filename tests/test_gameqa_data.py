"""GameQA's release loaders and exporters: export → load round-trips, the Tetris `Options` spelling, and clear
errors for malformed files. (ViGaL's MM-EUREKA format, the released files as shipped and `--data`:
test_released_data.py.)"""
import json
import os

import pytest
from PIL import Image

import gameqa
import records

KEPT = ("id", "game", "prompt", "answer", "reward", "options", "level", "state", "analysis", "question_id",
        "question_description", "split_group")


@pytest.fixture(scope="module")
def samples():
    games = gameqa.game_names("all")
    return [gameqa.sample_at(i, seed=11, games=games) for i in range(10)]


def assert_same(loaded, originals):
    assert len(loaded) == len(originals)
    for a, b in zip(loaded, originals):
        for key in KEPT:
            assert a.get(key) == b.get(key), key
        assert [im.tobytes() for im in records.load_images(a)] == [im.tobytes() for im in records.load_images(b)]


def test_gameqa140k_round_trip(samples, tmp_path):
    path = gameqa.export_gameqa(samples, str(tmp_path), split="test")
    assert os.path.basename(path) == "games_data_test.json"
    rows = json.load(open(path))
    assert set(gameqa.GAMEQA_FIELDS) <= set(rows[0]) and rows[0]["image"].startswith("games_images_test/")
    assert_same(gameqa.load_gameqa(path, str(tmp_path)), samples)


def test_gameqa5k_round_trip_from_memory_and_from_disk(samples, tmp_path):
    path = gameqa.export_gameqa5k(samples, str(tmp_path / "mem.jsonl"))
    row = json.loads(open(path).readline())
    assert set(gameqa.GAMEQA5K_FIELDS) <= set(row) and "The answer is" not in row["query"]
    assert_same(gameqa.load_gameqa5k(path), samples)
    records.write_dataset(samples, str(tmp_path / "ds"))
    on_disk = records.read_dataset(str(tmp_path / "ds"))
    (tmp_path / "swift").mkdir()
    path = gameqa.export_gameqa5k(on_disk, str(tmp_path / "swift" / "disk.jsonl"))
    assert os.listdir(tmp_path / "swift") == ["disk.jsonl"]  # images on disk are referenced, not copied
    assert json.loads(open(path).readline())["images"][0].startswith("../ds/images/")
    assert_same(gameqa.load_gameqa5k(path), samples)


def released_row(**over):
    row = {"data_id": 7, "qa_type": "Target Perception", "question_id": 2, "question_description": "shape",
           "image": "tetris/00007.png", "state": {"board": []}, "plot_level": "Easy", "qa_level": "Easy",
           "question": "Which piece?\nOptions: 1: I 2: O 3: T", "answer": "2", "analysis": "It is O.",
           "Options": ["I", "O", "T"]}
    row.update(over)
    return row


def write_release(tmp_path, rows):
    (tmp_path / "tetris").mkdir(exist_ok=True)
    Image.new("RGB", (8, 8)).save(tmp_path / "tetris" / "00007.png")
    path = tmp_path / "games_data.json"
    path.write_text(json.dumps(rows))
    return str(path)


def test_released_record_with_tetris_options_and_index_answer(tmp_path):
    (s,) = gameqa.load_gameqa(write_release(tmp_path, [released_row()]), str(tmp_path))
    assert s["id"] == "tetris-7" and s["game"] == "tetris" and s["split_group"] == "in-domain"
    assert s["options"] == ["I", "O", "T"] and s["answer"] == "2" and s["reward"] == "gameqa"
    assert s["prompt"].startswith("Which piece?") and s["prompt"].endswith('"The answer is <answer>".')
    assert s["level"] == {"plot_level": "Easy", "qa_level": "Easy", "qa_type": "Target Perception"}


def test_malformed_released_data_names_file_record_and_field(tmp_path):
    good = released_row()
    bad = {k: v for k, v in good.items() if k != "analysis"}
    path = write_release(tmp_path, [good, bad])
    with pytest.raises(gameqa.DatasetError, match=r"games_data\.json, record 1: missing field\(s\) analysis"):
        gameqa.load_gameqa(path, str(tmp_path))
    path = write_release(tmp_path, [released_row(image="tetris/missing.png")])
    with pytest.raises(gameqa.DatasetError, match=r"record 0: image 'tetris/missing.png' not found"):
        gameqa.load_gameqa(path, str(tmp_path))
    (tmp_path / "broken.json").write_text("[{\"data_id\": 1,]")
    with pytest.raises(gameqa.DatasetError, match=r"broken\.json: not valid JSON"):
        gameqa.load_gameqa(str(tmp_path / "broken.json"), str(tmp_path))
    (tmp_path / "five.jsonl").write_text(json.dumps({"query": "q", "solution": "1"}) + "\n")
    with pytest.raises(gameqa.DatasetError, match=r"five\.jsonl, record 0: missing field\(s\) images, data_id"):
        gameqa.load_gameqa5k(str(tmp_path / "five.jsonl"))
    with pytest.raises(gameqa.DatasetError, match="file not found"):
        gameqa.load_gameqa5k(str(tmp_path / "nope.jsonl"))
