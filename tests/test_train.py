"""End to end: the real scripts in subprocesses on the tiny model, plus the user-facing error messages."""
import json
import os
import subprocess
import sys

import pytest
import torch
from safetensors.torch import load_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = ["--max-steps", "2", "--save-every", "1"]  # the tiny defaults: 8 prompts x 8 completions a step


def run(script, *args, check=True):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    p = subprocess.run([sys.executable, os.path.join(ROOT, script), *args], capture_output=True, text=True, env=env,
                       cwd=ROOT, timeout=600)
    if check and p.returncode != 0:
        raise AssertionError(f"{script} {' '.join(args)} exited {p.returncode}:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    return p


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("run"))
    run("train.py", "--out-dir", out, *TINY)
    return out


def test_two_steps_change_every_trainable_parameter(tiny_run):
    before = load_file(os.path.join(tiny_run, "tiny-model", "model.safetensors"))
    after = load_file(os.path.join(tiny_run, "checkpoint-000002", "model.safetensors"))
    config = json.load(open(os.path.join(tiny_run, "checkpoint-000002", "train_config.json")))
    assert config["freeze_vision"]
    assert before.keys() == after.keys()
    for name in before:
        changed = not torch.equal(before[name], after[name])
        if name.startswith("visual."):
            assert not changed, f"frozen vision parameter {name} changed"
        else:
            assert changed, f"trainable parameter {name} did not change"


def test_run_folder_has_metrics_config_and_checkpoints(tiny_run):
    lines = [json.loads(line) for line in open(os.path.join(tiny_run, "metrics.jsonl"))]
    assert [m["step"] for m in lines] == [1, 2]
    for key in ("reward", "reward_std", "accuracy", "format", "kl", "clip_ratio", "completion_length", "grad_norm",
                "lr", "completion_tokens", "seconds/generate", "seconds/score", "seconds/logps", "seconds/update",
                "seconds/step", "seconds/tokens_per_second"):
        assert key in lines[0], key
    assert any(m["grad_norm"] > 0 for m in lines)
    ckpt = os.path.join(tiny_run, "checkpoint-000002")
    for f in ("model.safetensors", "config.json", "tokenizer.json", "chat_template.jinja", "train_config.json",
              "state/optimizer.bin"):
        assert os.path.isfile(os.path.join(ckpt, f)), f
    assert not [d for d in os.listdir(tiny_run) if d.endswith(".tmp")]


def test_evaluate_loads_the_checkpoint(tiny_run, tmp_path):
    ckpt = os.path.join(tiny_run, "checkpoint-000002")
    p = run("evaluate.py", "--model", ckpt, "--n", "6", "--out", str(tmp_path))
    report = json.load(open(tmp_path / "eval.json"))
    assert report["summary"]["all"]["n"] == 6
    assert len(report["samples"]) == 6 and all(s["id"].startswith("snake-test-") for s in report["samples"])
    assert any(k.startswith("snake difficulty=") for k in report["summary"])
    assert "| all | 6 |" in open(tmp_path / "eval.md").read()
    assert "accuracy" in p.stdout


def test_resume_continues_from_the_last_checkpoint(tiny_run, tmp_path):
    import shutil
    run_dir = str(tmp_path / "run")
    shutil.copytree(tiny_run, run_dir)
    p = run("train.py", "--resume", run_dir, "--out-dir", run_dir, "--max-steps", "3")
    steps = [json.loads(line)["step"] for line in open(os.path.join(run_dir, "metrics.jsonl"))]
    assert steps == [1, 2, 3]
    assert os.path.isdir(os.path.join(run_dir, "checkpoint-000003"))
    assert "checkpoint-000003" in p.stdout


@pytest.mark.parametrize("args,message", [
    (["--preset", "nope"], "unknown preset 'nope'"),
    (["--data", "/nonexistent/folder"], "dataset folder not found: '/nonexistent/folder'"),
    (["--model", "./no/such/model"], "model not found: './no/such/model'"),
    (["--loss-type", "token"], "--loss-type must be one of"),
    (["--resume", "/nonexistent/run"], "--resume: '/nonexistent/run' does not exist"),
    (["--max-completion-length", "4"], "--answer-words makes each completion one word, a single token: it needs "
                                       "--max-completion-length 1, got 4"),
    (["--answer-words", "UP,UPDOWNLEFTRIGHTRIGHT", "--max-steps", "1"],
     "--answer-words 'UP,UPDOWNLEFTRIGHTRIGHT': answer word 'UPDOWNLEFTRIGHTRIGHT' is"),
])
def test_bad_input_ends_with_one_clear_message(args, message, tmp_path):
    p = run("train.py", "--out-dir", str(tmp_path), *args, check=False)
    assert p.returncode != 0
    assert message in p.stderr
    assert "Traceback" not in p.stderr


def test_malformed_jsonl_line_is_named(tmp_path):
    from PIL import Image
    data = tmp_path / "data"
    (data / "images").mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(data / "images" / "a.png")
    good = {"id": "a", "game": "snake", "images": ["images/a.png"], "prompt": "p",
            "answer": {"best": ["UP"], "worst": []}, "reward": "snake"}
    (data / "metadata.jsonl").write_text(json.dumps(good) + "\n" + '{"id": "b", "game": \n')
    p = run("train.py", "--out-dir", str(tmp_path / "run"), "--data", str(data), check=False)
    assert p.returncode != 0 and "Traceback" not in p.stderr
    assert f"{data}/metadata.jsonl, line 2: not valid JSON" in p.stderr


def test_timing_summary_by_hand():
    """Medians per step after the warm-up steps; a rollout's phases (logged on its first step) averaged per step."""
    import evaluate
    rows = [{"step": 1, "seconds/step": 9.0, "seconds/generate": 9.0, "completion_tokens": 100, "seconds/tokens_per_second": 1},
            {"step": 2, "seconds/step": 0.5, "seconds/generate": 0.4, "seconds/update": 0.1, "completion_tokens": 40,
             "seconds/tokens_per_second": 100},
            {"step": 3, "seconds/step": 0.2, "seconds/update": 0.2, "completion_tokens": 60},
            {"step": 4, "seconds/step": 0.3, "seconds/generate": 0.2, "seconds/update": 0.1, "completion_tokens": 50,
             "seconds/tokens_per_second": 300}]
    line = evaluate.timing_summary(rows, warmup=1)
    assert line.startswith("timing over steps 2-4: median 0.300 s/step;")
    assert "generate 0.200, score 0.000, logps 0.000, update 0.133;" in line
    assert line.endswith("50 completion tokens/step, 200 tokens/s generating")
