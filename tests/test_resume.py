"""A run killed at any moment resumes from its last complete checkpoint and then logs exactly what the
uninterrupted run logged: same rewards, losses, KL, clip ratios, gradient norms, learning rates.

One uninterrupted run, and one that is (1) SIGKILLed from outside as soon as its first checkpoint exists,
(2) resumed and killed again in the middle of saving its second checkpoint (tests/helpers/crash_in_save.py), with a
cut-off metrics line and a checkpoint folder missing train_state.json lying around, (3) resumed to the end.
Checkpoints fall inside rollouts (steps_per_rollout 3, save every 2) so the stored rollout is exercised, and
beta > 0 so the reference model is too.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARGS = ["--max-steps", "5", "--save-every", "2", "--steps-per-rollout", "3", "--prompts-per-step", "2",
        "--num-generations", "4", "--micro-batch-size", "3", "--beta", "0.04",
        "--eval-samples", "0"]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1"}


def start(out, *extra, script="train.py", prefix=()):
    return subprocess.Popen([sys.executable, os.path.join(ROOT, *script.split("/")), *prefix, "--out-dir", out,
                             *ARGS, *extra], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV,
                            cwd=ROOT)


def finish(p):
    out, _ = p.communicate(timeout=300)
    return p.returncode, out


def metrics(out):
    rows = [json.loads(line) for line in open(os.path.join(out, "metrics.jsonl"))]
    return [{k: v for k, v in m.items() if not k.startswith("seconds/")} for m in rows]


def test_killed_runs_resume_to_the_uninterrupted_metrics(tiny_model_dir, tmp_path):
    full, killed = str(tmp_path / "full"), str(tmp_path / "killed")
    for out in (full, killed):  # the same tiny model in both (train.py builds it only when it is missing)
        shutil.copytree(tiny_model_dir, os.path.join(out, "tiny-model"))
    reference = start(full)

    # (1) SIGKILL from outside as soon as checkpoint-000002 is complete (the run is then in step 3 or later)
    p = start(killed)
    deadline = time.time() + 240
    while not os.path.isfile(os.path.join(killed, "checkpoint-000002", "train_state.json")):
        assert p.poll() is None and time.time() < deadline, finish(p)[1][-3000:]
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert not os.path.isdir(os.path.join(killed, "checkpoint-000005"))

    # (2) resume, and die in the middle of saving checkpoint-000004
    code, out = finish(start(killed, "--resume", killed, script="tests/helpers/crash_in_save.py", prefix=("4",)))
    assert code == 137, out[-3000:]
    assert os.path.isdir(os.path.join(killed, "checkpoint-000004.tmp"))
    assert not os.path.isdir(os.path.join(killed, "checkpoint-000004"))
    # debris a crash can leave: a half-written metrics line, a folder without train_state.json
    with open(os.path.join(killed, "metrics.jsonl"), "a") as f:
        f.write('{"step": 5, "rew')
    os.makedirs(os.path.join(killed, "checkpoint-000009"))

    # (3) resume again: from checkpoint-000002, the last complete one, to the end
    code, out = finish(start(killed, "--resume", killed))
    assert code == 0, out[-3000:]
    code, out = finish(reference)
    assert code == 0, out[-3000:]
    expected, got = metrics(full), metrics(killed)
    assert [m["step"] for m in got] == [1, 2, 3, 4, 5]
    for a, b in zip(expected, got):
        assert a.keys() == b.keys()
        for key in a:
            assert abs(a[key] - b[key]) <= 1e-6 * max(1.0, abs(a[key])), (a["step"], key, a[key], b[key])
    assert any(m["clip_ratio"] > 0 for m in expected[1:3]) or any(m["kl"] > 0 for m in expected)  # not all trivial
