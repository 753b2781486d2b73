"""A real 2-process data-parallel run on CPU (gloo): every rank must end with the same parameters."""
import json
import os
import socket
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_process_run_keeps_ranks_identical(tmp_path):
    report = tmp_path / "ranks.json"
    # ACCELERATE_USE_CPU + --multi_gpu is what makes two real gloo ranks on CPU (README); --cpu alone runs one.
    env = {**os.environ, "ACCELERATE_USE_CPU": "1", "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
           "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
           "--main_process_port", str(free_port()), os.path.join(ROOT, "tests", "helpers", "two_ranks_worker.py"),
           # the default (one-word answers); one prompt a step: its group of 4 is split 2 + 2 over the ranks; one
           # rollout serves both steps
           "--out-dir", str(tmp_path / "run"), "--max-steps", "2", "--save-every", "2", "--prompts-per-step", "1",
           "--steps-per-rollout", "2", "--num-generations", "4", str(report)]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    ranks = json.load(open(report))
    assert ranks["num_processes"] == 2
    rank0, rank1 = ranks["fingerprints"]
    assert rank0 == rank1
    metrics = [json.loads(line) for line in open(tmp_path / "run" / "metrics.jsonl")]
    assert [m["step"] for m in metrics] == [1, 2]
    assert "2 process(es)" in p.stdout
