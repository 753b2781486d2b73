"""Bad input and faults: every command line ends a wrong input with one message naming the problem, before any
model loads; nothing out of range is accepted; and no ordinary action loses or misplaces a run's data.

The table of bad inputs runs each CLI's main() in this process (cheap: no model loads before the error), and a
few through real subprocesses for the exit code and the absence of a traceback end to end. The data-loss cases
run train.py for real on the tiny model, in subprocesses, and check what was written where and what was kept.
Kill -9 at random points, many times over: bench/kill_resume.py (a test here covers the abandoned timeline).
"""
import errno
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest
from PIL import Image

import evaluate
import gameqa
import rotation
import runs
import snake
import train

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1"}
SMALL = ["--prompts-per-step", "2", "--num-generations", "2", "--eval-samples", "0"]  # a step in well under a second


def subprocess_run(*args, timeout=300):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=ENV, cwd=ROOT, timeout=timeout)


def tree(folder):
    """{relative path: sha1} of every file under folder: what a test asserts was not touched."""
    found = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            found[os.path.relpath(path, folder)] = hashlib.sha1(open(path, "rb").read()).hexdigest()
    return found


def metrics(folder):
    """The run's metrics without the seconds/* keys (the only ones that vary with the machine's load)."""
    return [{k: v for k, v in json.loads(line).items() if not k.startswith("seconds/")}
            for line in open(os.path.join(folder, "metrics.jsonl"))]


def assert_same_metrics(got, expected):
    assert [m["step"] for m in got] == [m["step"] for m in expected]
    for a, b in zip(got, expected):
        assert a.keys() == b.keys()
        for key in a:
            assert a[key] == pytest.approx(b[key], rel=1e-6, abs=1e-9), (a["step"], key)


def fails_with(main, argv, capsys, *fragments, code=None):
    """Run a CLI's main(argv) in this process: it must end with SystemExit (no other exception), print no
    traceback, and say every fragment. Returns the message."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    out, err = capsys.readouterr()
    message = (stop.value.code if isinstance(stop.value.code, str) else "") + err + out
    if code is not None:
        assert stop.value.code == code, message
    else:
        assert stop.value.code not in (0, None), message
    assert "Traceback" not in message
    for fragment in fragments:
        assert fragment in message, message
    return message


@pytest.fixture
def quiet_train():
    """train.main installs a SIGTERM handler; give pytest its own back."""
    handler = signal.getsignal(signal.SIGTERM)
    yield train.main
    signal.signal(signal.SIGTERM, handler)


# ---------------------------------------------------------------------------------------------------------
# Datasets with one defect each (a dataset folder holds metadata.jsonl and images/)

GOOD = {"id": "a", "game": "snake", "images": ["images/a.png"], "prompt": "Which move?",
        "answer": {"best": ["UP"], "worst": []}, "reward": "snake_move"}


def dataset(folder, records, extra_images=()):
    os.makedirs(os.path.join(folder, "images"), exist_ok=True)
    Image.new("RGB", (16, 16), "white").save(os.path.join(folder, "images", "a.png"))
    for name, data in extra_images:
        open(os.path.join(folder, "images", name), "wb").write(data)
    with open(os.path.join(folder, "metadata.jsonl"), "wb") as f:
        for r in records:
            f.write(r if isinstance(r, bytes) else (json.dumps(r) + "\n").encode())
    return folder


def png_bytes():
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"png-{os.getpid()}.png")
    Image.new("RGB", (64, 64), "red").save(path)
    data = open(path, "rb").read()
    os.remove(path)
    return data


BAD_DATA = [  # (records, extra images, what the message must say)
    ([json.dumps(GOOD).encode() + b"\n", json.dumps({**GOOD, "prompt": "caf\xe9"}, ensure_ascii=False).encode("latin-1")
      + b"\n"], (), "metadata.jsonl, line 2: not UTF-8 text"),
    ([{**GOOD, "answer": {"best": "UP", "worst": []}}], (), "line 1: a 'snake_move' answer must be {\"best\": [moves]"),
    ([{**GOOD, "answer": {"best": ["NORTH"], "worst": []}}], (), "a 'snake_move' answer must be"),
    ([{**GOOD, "reward": "rotation", "answer": "45", "images": ["images/a.png"] * 4}], (),
     "a 'rotation' answer must be"),
    ([{**GOOD, "reward": "gameqa", "answer": ["A"]}], (), "a 'gameqa' answer must be a string"),
    ([{**GOOD, "prompt": ["Which move?"]}], (), "'prompt' must be non-empty text"),
    ([{**GOOD, "images": "images/a.png"}], (), "'images' must be a list of paths"),
    ([{**GOOD, "images": ["images/a.png", "images/a.png"]}], (), "a 'snake_move' record shows 1 image(s), got 2"),
    ([{**GOOD, "reward": "chess"}], (), "unknown reward 'chess'; known: gameqa, math"),
    ([{**GOOD, "images": ["../elsewhere.png"]}], (), "image '../elsewhere.png' is outside the dataset folder"),
    ([{**GOOD, "images": ["/etc/hostname"]}], (), "image '/etc/hostname' is outside the dataset folder"),
    ([{**GOOD, "images": ["images/b.png"]}], [("b.png", b"not an image")], "is not an image Pillow can read"),
    ([{**GOOD, "images": ["images/c.png"]}], [("c.png", png_bytes()[:100])], "is cut short (a PNG must end"),
    ([{**GOOD, "images": ["images/d.png"]}], (), "image 'images/d.png' not found"),
    ([GOOD, b'{"id": "b", "game": \n'], (), "metadata.jsonl, line 2: not valid JSON"),
]


@pytest.mark.parametrize("records,images,message", BAD_DATA, ids=[m[:40] for _, _, m in BAD_DATA])
def test_bad_dataset_is_named_before_the_model_loads(records, images, message, tmp_path, capsys, quiet_train):
    data = dataset(str(tmp_path / "data"), records, images)
    fails_with(quiet_train, ["--out-dir", str(tmp_path / "run"), "--data", data], capsys, "train.py: error: ", message)
    assert not os.path.exists(tmp_path / "run" / "tiny-model")                   # nothing was built or loaded
    fails_with(evaluate.main, ["--model", "x/never-loaded", "--data", data], capsys, "evaluate.py games: error: ",
               message)


def test_unreadable_metadata_is_named(tmp_path, capsys, quiet_train):
    data = dataset(str(tmp_path / "data"), [GOOD])
    os.remove(os.path.join(data, "metadata.jsonl"))
    os.makedirs(os.path.join(data, "metadata.jsonl"))  # unreadable as a file, whoever runs the test (root too)
    fails_with(quiet_train, ["--out-dir", str(tmp_path / "run"), "--data", data], capsys,
               f"{data}/metadata.jsonl: cannot be read")


# ---------------------------------------------------------------------------------------------------------
# Numbers and flags out of range: train.py

BAD_FLAGS = [
    (["--max-steps", "0"], "--max-steps must be at least 1, got 0"),
    (["--max-steps", "-3"], "--max-steps must be at least 1, got -3"),
    (["--learning-rate", "nan"], "--learning-rate must be a finite number, got nan"),
    (["--learning-rate=-1e-6"], "--learning-rate must be above 0, got -1e-06"),
    (["--temperature", "0"], "--temperature must be above 0 in training, got 0.0"),
    (["--temperature", "-1"], "--temperature must be above 0 in training"),
    (["--top-p", "0"], "--top-p must be in (0, 1], got 0.0"),
    (["--top-p", "1.5"], "--top-p must be in (0, 1], got 1.5"),
    (["--top-k", "-1"], "--top-k must be at least 0, got -1 (0 is off)"),
    (["--epsilon", "-0.2"], "--epsilon must be between 0.0 and 0.999, got -0.2"),
    (["--eval-samples", "-1"], "--eval-samples must be at least 0"),
    (["--warmup-ratio", "1.5"], "--warmup-ratio must be between 0.0 and 1.0, got 1.5"),
    (["--min-pixels", "20000", "--max-pixels", "10000"], "--min-pixels (20000) must not exceed --max-pixels (10000)"),
    (["--max-pixels", "-1"], "--max-pixels must be at least 1, got -1"),
    (["--max-completion-length", "0", "--answer-words", ""], "--max-completion-length must be at least 1, got 0"),
    (["--micro-batch-size", "0"], "--micro-batch-size must be at least 1, got 0"),
    (["--num-generations", "1"], "--num-generations must be at least 2"),
    (["--max-grad-norm", "0"], "--max-grad-norm must be above 0"),
    (["--beta", "inf"], "--beta must be a finite number"),
    (["--delta", "1"], "--delta must be 0 (off) or above 1 + --epsilon-high"),
    (["--save-total-limit", "-1"], "--save-total-limit must be at least 0, got -1 (0 keeps all)"),
    (["--seed", "-1"], "--seed must be between 0"),
    (["--game-weights", "nan"], "--game-weights 'nan' needs one non-negative weight per game"),
    (["--batch-size", "0"], "unrecognized arguments: --batch-size 0"),
    (["--max-steps", "1.5"], "invalid int value: '1.5'"),
    (["--preset", "nope"], "unknown preset 'nope'"),
    (["--model", "./no/such/model"], "model not found: './no/such/model'"),
]


@pytest.mark.parametrize("argv,message", BAD_FLAGS, ids=[" ".join(a) for a, _ in BAD_FLAGS])
def test_out_of_range_flags_are_refused(argv, message, tmp_path, capsys, quiet_train):
    said = fails_with(quiet_train, ["--out-dir", str(tmp_path / "run"), *argv], capsys, "train.py: error: ", message)
    assert "usage:" not in said and len(said.strip().splitlines()) == 1  # one line, not the usage of every flag
    assert not os.path.exists(tmp_path / "run")                             # refused before anything was written


def test_model_folder_that_is_not_a_model(tiny_model_dir, tmp_path, capsys, quiet_train):
    out = ["--out-dir", str(tmp_path / "run")]
    empty = tmp_path / "empty"
    empty.mkdir()
    fails_with(quiet_train, [*out, "--model", str(empty)], capsys, f"'{empty}' is not a model folder: it has no "
                                                                    f"config.json")
    no_tokenizer = shutil.copytree(tiny_model_dir, tmp_path / "no-tokenizer")
    os.remove(no_tokenizer / "tokenizer.json")  # what used to end in a message about sentencepiece
    fails_with(quiet_train, [*out, "--model", str(no_tokenizer)], capsys, "no tokenizer (expected tokenizer.json")
    cut = shutil.copytree(tiny_model_dir, tmp_path / "cut")
    data = open(cut / "model.safetensors", "rb").read()
    open(cut / "model.safetensors", "wb").write(data[:len(data) // 2])
    fails_with(quiet_train, [*out, "--model", str(cut)], capsys, "model.safetensors: cut short")
    broken = shutil.copytree(tiny_model_dir, tmp_path / "broken-json")
    open(broken / "config.json", "w").write('{"model_type": ')
    fails_with(quiet_train, [*out, "--model", str(broken)], capsys, "config.json: not readable JSON")


def test_output_folder_that_is_a_file_or_not_writable(tmp_path, capsys, quiet_train):
    a_file = tmp_path / "file"
    a_file.write_text("")
    fails_with(quiet_train, ["--out-dir", str(a_file)], capsys, f"--out-dir: '{a_file}' is a file, not a folder")
    fails_with(quiet_train, ["--out-dir", str(a_file / "run")], capsys, "cannot be made")
    if os.geteuid() == 0:
        locked = "/sys/kernel/no-such-run"  # root writes anywhere a mode allows; sysfs refuses it too
    else:
        (tmp_path / "locked").mkdir(mode=0o500)
        locked = str(tmp_path / "locked" / "run")
    fails_with(quiet_train, ["--out-dir", locked], capsys, "cannot be written")


def test_one_message_from_the_first_process_only(tmp_path, capsys, monkeypatch, quiet_train):
    argv = ["--out-dir", str(tmp_path / "run"), "--max-steps", "0"]
    monkeypatch.setenv("RANK", "1")  # as accelerate launch sets it in the second process
    assert fails_with(quiet_train, argv, capsys, code=1) == ""
    assert fails_with(quiet_train, [*argv, "--no-such-flag"], capsys, code=2) == ""
    monkeypatch.setenv("RANK", "0")
    fails_with(quiet_train, argv, capsys, "train.py: error: --max-steps must be at least 1")


def test_a_full_disk_ends_with_how_to_resume(tmp_path, capsys, monkeypatch, quiet_train):
    """A save that runs out of space leaves an unfinished checkpoint-N.tmp, never used; the run ends with one
    line naming the last whole checkpoint. (train.train stands in for a run that filled the disk.)"""
    run = str(tmp_path / "run")
    fake_checkpoint(run, 2, lines(1.0, 2))

    def full(cfg):
        raise OSError(errno.ENOSPC, "No space left on device", os.path.join(run, "checkpoint-000004.tmp"))
    monkeypatch.setattr(train, "train", full)
    said = fails_with(quiet_train, ["--out-dir", run], capsys, code=f"train.py: error: No space left on device "
                      f"writing {run}/checkpoint-000004.tmp (free some space first); {run}/checkpoint-000002 is the "
                      f"last checkpoint; continue with: accelerate launch train.py --resume {run}")
    assert "Traceback" not in said


# ---------------------------------------------------------------------------------------------------------
# The other command lines

@pytest.mark.parametrize("argv,message", [
    (["--model", "M", "--n", "0"], "--n must be at least 1, got 0"),
    (["--model", "M", "--batch-size", "0"], "--batch-size must be at least 1, got 0"),
    (["--model", "M", "--max-new-tokens", "0"], "--max-new-tokens must be at least 1"),
    (["--model", "M", "--temperature", "-0.5"], "--temperature must be 0 (greedy) or a positive number"),
    (["--model", "M", "--temperature", "nan"], "--temperature must be 0 (greedy) or a positive number"),
    (["play", "--model", "M", "--games", "0"], "--games must be at least 1, got 0"),
    (["play", "--model", "M", "--max-turns", "0"], "--max-turns must be at least 1, got 0"),
    (["play", "--model", "M", "--gifs", "-1"], "--gifs must be at least 0"),
    (["bench", "--model", "M", "--benchmarks", "mathvista", "--limit", "0"], "--limit must be at least 1"),
    (["compare", "--base", "M", "--trained", "M", "--play-games", "-1"], "--play-games must be at least 0"),
    (["--model", "./no/such/model", "--n", "2"], "model not found: './no/such/model'"),
])
def test_evaluate_refuses_bad_numbers_before_loading(argv, message, tmp_path, capsys):
    argv = [a if a != "M" else "x/never-loaded" for a in argv]
    fails_with(evaluate.main, [*argv, "--out", str(tmp_path / "report")], capsys, "error: ", message)


def test_evaluate_report_folder_that_is_a_file(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    fails_with(evaluate.main, ["--model", "x/never-loaded", "--out", str(tmp_path / "file")], capsys,
               f"report folder (--out): '{tmp_path / 'file'}' is a file, not a folder")


@pytest.mark.parametrize("main,argv,message", [
    (gameqa.main, ["--n", "-5"], "--n must be at least 1, got -5"),
    (gameqa.main, ["--n", "2", "--workers", "0"], "--workers must be at least 1, got 0"),
    (snake.main, ["--n", "0", "--seed", "0"], "--n must be >= 1, got 0"),
    (snake.main, ["--n", "2", "--seed", "0", "--width", "0"], "board must be at least 1x1"),
    (rotation.main, ["--n", "2", "--image-size", "8"], "--image-size must be at least 16, got 8"),
    (rotation.main, ["--n", "2", "--workers", "0"], "--workers must be at least 1, got 0"),
])
def test_generators_refuse_bad_numbers(main, argv, message, tmp_path, capsys):
    fails_with(main, [*argv, "--out", str(tmp_path / "data")], capsys, message, code=2)
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("main,argv", [(gameqa.main, []), (snake.main, ["--seed", "0"]), (rotation.main, [])])
def test_generators_refuse_an_output_that_is_a_file(main, argv, tmp_path, capsys):
    (tmp_path / "file").write_text("keep me")
    fails_with(main, ["--n", "2", *argv, "--out", str(tmp_path / "file")], capsys, "--out: ", "is a file", code=2)
    assert (tmp_path / "file").read_text() == "keep me"


def test_end_to_end_exit_code_and_no_traceback(tmp_path):
    """The real interpreter: exit code and stderr as a user sees them (train.py's: tests/test_train.py)."""
    p = subprocess_run("gameqa.py", "--n", "-5", "--out", str(tmp_path / "data"))
    assert p.returncode == 2 and "gameqa.py: error: --n must be at least 1, got -5" in p.stderr
    assert "Traceback" not in p.stderr and not (tmp_path / "data").exists()


# ---------------------------------------------------------------------------------------------------------
# The run folder's rules on their own (runs.py), on folders made by hand


def fake_checkpoint(run_dir, step, lines):
    """A complete checkpoint folder as train.py leaves it, for runs.py's rules: train_state.json and the run's
    metrics up to its step."""
    path = os.path.join(run_dir, f"checkpoint-{step:06d}")
    os.makedirs(path)
    open(os.path.join(path, "metrics.jsonl"), "w").writelines(lines[:step])
    json.dump({"step": step}, open(os.path.join(path, "train_state.json"), "w"))
    return path


def lines(tag, n):
    return [json.dumps({"step": s, "reward": 0.5, "seconds/step": tag}) + "\n" for s in range(1, n + 1)]


def test_newest_consistent_checkpoint_wins(tmp_path):
    """A finished run (checkpoints 2, 4, 6), resumed from 2 and killed at step 3 before the later checkpoints
    were moved aside: the run's metrics now hold the new timeline, checkpoints 4 and 6 the old one."""
    run, old, new = str(tmp_path), lines(1.0, 6), lines(2.0, 3)
    for step in (2, 4, 6):
        fake_checkpoint(run, step, old)
    open(os.path.join(run, "metrics.jsonl"), "w").writelines(old[:2] + new[2:])
    assert runs.find_checkpoint(run) == os.path.join(run, "checkpoint-000002")
    open(os.path.join(run, "metrics.jsonl"), "w").writelines(old + ['{"step": 7, "rew'])   # a cut last line
    assert runs.find_checkpoint(run) == os.path.join(run, "checkpoint-000006")
    open(os.path.join(run, "metrics.jsonl"), "w").writelines(lines(3.0, 6))                  # matches none
    with pytest.raises(train.ConfigError, match="no checkpoint in .* agrees with its metrics.jsonl"):
        runs.find_checkpoint(run)


def test_resume_from_an_older_checkpoint_sets_the_later_ones_aside(tmp_path):
    run, old = str(tmp_path / "run"), lines(1.0, 6)
    os.makedirs(os.path.join(run, "tiny-model"))
    for step in (2, 4, 6):
        fake_checkpoint(run, step, old)
    open(os.path.join(run, "metrics.jsonl"), "w").writelines(old)
    before = tree(run)
    said = runs.prepare_run_folder(run, os.path.join(run, "checkpoint-000002"), 2, overwrite=False, tiny_model=True)
    assert "checkpoint-000004, checkpoint-000006" in said[0] and "abandoned-1" in said[0]
    assert open(os.path.join(run, "metrics.jsonl")).readlines() == old[:2]                 # the checkpoint's metrics
    assert sorted(runs.checkpoints(run)) == [2]
    moved = tree(os.path.join(run, "abandoned-1"))                                         # nothing deleted
    assert moved["metrics.jsonl"] == before["metrics.jsonl"]
    assert {k: v for k, v in before.items() if k.startswith("checkpoint-00000")} == {
        k: v for k, v in {**tree(run), **moved}.items() if k.startswith(("checkpoint-000004", "checkpoint-000006",
                                                                          "checkpoint-000002"))}


def test_overwrite_deletes_the_run_and_nothing_else(tmp_path):
    run = tmp_path / "run"
    (run / "rollouts").mkdir(parents=True)
    (run / "tiny-model").mkdir()
    for name in ("metrics.jsonl", "report.md", "notes.txt", "tiny-model/config.json"):
        (run / name).write_text("x")
    (run / "config.json").write_text(json.dumps({"out_dir": str(run), "max_steps": 2}))   # a run's config
    fake_checkpoint(str(run), 2, lines(1.0, 2))
    with pytest.raises(train.ConfigError, match="already holds a run .* --resume .* --overwrite"):
        runs.check_run_folder(str(run), None, overwrite=False)
    runs.check_run_folder(str(run), None, overwrite=True)
    runs.prepare_run_folder(str(run), None, 0, overwrite=True, tiny_model=True)
    assert sorted(tree(run)) == ["notes.txt"]  # the tiny model goes too: a rerun rebuilds it from the seed
    model = tmp_path / "a-model"  # a model folder given as --out-dir by mistake: its config.json is not a run's
    model.mkdir()
    (model / "config.json").write_text(json.dumps({"model_type": "qwen2_5_vl"}))
    assert runs.run_outputs(str(model)) == []


def test_prune_keeps_the_newest(tmp_path):
    for step in (1, 2, 3, 4):
        fake_checkpoint(str(tmp_path), step, lines(1.0, 4))
    (tmp_path / "checkpoint-000005.tmp").mkdir()                                            # a save in progress
    runs.prune_checkpoints(str(tmp_path), 2)
    assert sorted(os.listdir(tmp_path)) == ["checkpoint-000003", "checkpoint-000004", "checkpoint-000005.tmp"]
    runs.prune_checkpoints(str(tmp_path), 0)                                                # 0 keeps all
    assert len(runs.checkpoints(str(tmp_path))) == 2


# ---------------------------------------------------------------------------------------------------------
# Real runs: one short run, then what is done to it


@pytest.fixture(scope="module")
def finished_run(tiny_model_dir, tmp_path_factory):
    """A finished 4-step run of the tiny model, a checkpoint every step, the newest 3 kept."""
    out = str(tmp_path_factory.mktemp("finished") / "run")
    shutil.copytree(tiny_model_dir, os.path.join(out, "tiny-model"))
    p = subprocess.run([sys.executable, "train.py", "--out-dir", out, "--max-steps", "4", "--save-every", "1",
                        "--save-total-limit", "3", *SMALL], capture_output=True, env=ENV, cwd=ROOT, timeout=300)
    log = p.stdout.decode() + p.stderr.decode()  # as bytes: text mode would turn the progress bar's \r into \n
    assert p.returncode == 0, log[-3000:]
    return out, log


def test_checkpoints_hold_the_weights_once_and_the_newest_are_kept(finished_run):
    out, log = finished_run
    assert sorted(runs.checkpoints(out)) == [2, 3, 4]                              # --save-total-limit 3
    state = os.listdir(os.path.join(out, "checkpoint-000004", "state"))
    assert "optimizer.bin" in state and not [f for f in state if f.endswith(".safetensors")]
    assert metrics(os.path.join(out, "checkpoint-000004")) == metrics(out)          # its own copy, for a resume
    assert "Removed shared tensor" not in log and "Writing model shards" not in log and "\n\n" not in log


def test_a_new_run_never_destroys_another(finished_run, capsys, quiet_train):
    out, _ = finished_run
    before = tree(out)
    fails_with(quiet_train, ["--out-dir", out, "--max-steps", "2"], capsys,
               f"--out-dir {out} already holds a run", f"--resume {out}", "--overwrite")
    fails_with(quiet_train, ["--resume", out, "--overwrite"], capsys, "--overwrite would delete")
    fails_with(quiet_train, ["--resume", out, "--max-steps", "3"], capsys, "--max-steps 3 is below step 4")
    quiet_train(["--resume", out])                                                 # 4 of 4: says so, exits 0
    assert "nothing left to do" in capsys.readouterr().out
    assert tree(out) == before


def test_resume_writes_where_it_was_pointed(finished_run, tmp_path):
    out, _ = finished_run
    original = tree(out)
    moved = str(tmp_path / "moved")
    shutil.copytree(out, moved)
    p = subprocess_run("train.py", "--resume", moved, "--max-steps", "5")
    assert p.returncode == 0, p.stderr[-2000:]
    assert tree(out) == original                                                    # the old path is untouched
    assert [m["step"] for m in metrics(moved)] == [1, 2, 3, 4, 5] and sorted(runs.checkpoints(moved)) == [3, 4, 5]
    fork = str(tmp_path / "fork")                                                  # a checkpoint, a new folder
    p = subprocess_run("train.py", "--resume", os.path.join(out, "checkpoint-000003"), "--out-dir", fork,
                       "--max-steps", "4", "--beta", "0.04")                       # beta: the copied tiny-model is read
    assert p.returncode == 0, p.stderr[-2000:]
    assert tree(out) == original
    assert [m["step"] for m in metrics(fork)] == [1, 2, 3, 4] and metrics(fork)[:3] == metrics(out)[:3]


def test_an_image_damaged_inside_is_named_when_it_is_read(finished_run, tmp_path, capsys):
    """A PNG whose header and end are whole passes the check made when the records are read; its damage shows only
    when it is decoded, and is named then, with its sample."""
    import numpy as np
    path = tmp_path / "noise.png"
    Image.fromarray(np.random.RandomState(0).randint(0, 255, (64, 64, 3), dtype=np.uint8)).save(path)
    data = bytearray(path.read_bytes())
    start = data.find(b"IDAT") + 200
    data[start:start + 200] = bytes(b ^ 0x5A for b in data[start:start + 200])
    folder = dataset(str(tmp_path / "data"), [{**GOOD, "images": ["images/damaged.png"]}], [("damaged.png", data)])
    fails_with(evaluate.main, ["--model", os.path.join(finished_run[0], "checkpoint-000004"), "--data", folder,
                               "--out", str(tmp_path / "report")], capsys,
               "sample 'a': image ", "damaged.png' cannot be decoded")


def test_blind_evaluation_keeps_the_report_with_images(finished_run, tmp_path, capsys):
    checkpoint = shutil.copytree(os.path.join(finished_run[0], "checkpoint-000004"), tmp_path / "checkpoint")
    evaluate.main(["games", "--model", str(checkpoint), "--n", "2"])
    with_images = (checkpoint / "eval.json").read_bytes()
    evaluate.main(["games", "--model", str(checkpoint), "--n", "2", "--blind"])
    assert (checkpoint / "eval.json").read_bytes() == with_images
    assert json.loads((checkpoint / "eval-blind.json").read_text())["blind"] is True
    assert "eval-blind.md" in capsys.readouterr().out


def test_killed_after_a_resume_from_an_older_checkpoint(finished_run, tmp_path):
    """The issue's two timelines: resume a finished run from an older checkpoint, die in the next save, resume
    again. The newest consistent checkpoint (3) wins, not the abandoned timeline's 4, and the metrics end as the
    uninterrupted run's; the abandoned checkpoint is set aside, not deleted."""
    out, _ = finished_run
    run = str(tmp_path / "run")
    shutil.copytree(out, run)
    abandoned = tree(os.path.join(out, "checkpoint-000004"))
    p = subprocess_run("tests/helpers/crash_in_save.py", "4", "--resume", os.path.join(run, "checkpoint-000003"))
    assert p.returncode == 137 and os.path.isdir(os.path.join(run, "checkpoint-000004.tmp")), p.stderr[-2000:]
    assert tree(os.path.join(run, "abandoned-1", "checkpoint-000004")) == abandoned
    p = subprocess_run("train.py", "--resume", run)
    assert p.returncode == 0 and "checkpoint-000003 (" in p.stdout, p.stdout[-2000:] + p.stderr[-2000:]
    assert_same_metrics(metrics(run), metrics(out))


def test_ctrl_c_ends_with_how_to_resume(tiny_model_dir, tmp_path):
    out = str(tmp_path / "run")
    shutil.copytree(tiny_model_dir, os.path.join(out, "tiny-model"))
    # Ctrl-C as in a terminal: SIGINT handled by default in the run, even when pytest itself was started where it is
    # ignored (a shell's background job), which a child inherits and then Python never turns into KeyboardInterrupt
    p = subprocess.Popen([sys.executable, "train.py", "--out-dir", out, "--max-steps", "200", "--save-every", "1",
                          *SMALL], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=ROOT,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 120
    while not runs.checkpoints(out) and time.time() < deadline and p.poll() is None:
        time.sleep(0.1)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    messages = [line for line in err.replace("\r", "\n").splitlines() if line and not line.startswith("training:")]
    assert p.returncode == 130, "\n".join(messages)[-3000:]   # what was said besides the progress bar
    last = err.strip().splitlines()[-1]
    assert "Traceback" not in err and last.startswith("train.py: interrupted; ") and \
        last.endswith(f"continue with: accelerate launch train.py --resume {out}"), last


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_processes_print_one_message(tmp_path):
    data = dataset(str(tmp_path / "data"), [{**GOOD, "answer": {"best": "UP", "worst": []}}])
    p = subprocess.run([sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
                        "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
                        "--main_process_port", str(free_port()), "train.py", "--out-dir", str(tmp_path / "run"),
                        "--data", data], capture_output=True, text=True, env={**ENV, "ACCELERATE_USE_CPU": "1"},
                       cwd=ROOT, timeout=300)
    output = p.stdout + p.stderr
    assert p.returncode != 0
    assert output.count("train.py: error: ") == 1 and "line 1: a 'snake_move' answer must be" in output
    # the launcher then prints its own failure report, a traceback of accelerate's, which no script can silence;
    # none of it comes from train.py's own frames
    assert 'train.py", line' not in output


def test_fsdp_training_state_holds_no_weights_and_loads_back(tiny_model_dir, tmp_path):
    """Under FSDP2 (torch's fully_shard over gloo: Accelerate 1.15 never shards on CPU) the training state is each
    process's optimizer shard, the scheduler and the RNG: no second copy of the weights, and it loads back."""
    out = tmp_path / "result.json"
    p = subprocess.run([sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
                        "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
                        "--main_process_port", str(free_port()), "tests/helpers/fsdp_state_worker.py", tiny_model_dir,
                        str(tmp_path / "state"), str(out)], capture_output=True, text=True,
                       env={**ENV, "ACCELERATE_USE_CPU": "1"}, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["equal_on_every_process"] == [True, True] and result["scheduler_epoch"] == [1, 1]
    assert "optimizer_0/.metadata" in result["files"] and "random_states_1.pkl" in result["files"]
    assert not [f for f in result["files"] if "model" in f or f.endswith(".safetensors")], result["files"]
