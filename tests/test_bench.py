"""bench/speed.py, the README's speed command, runs from the repository: our side only, on a tiny budget."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_speed_script_times_our_loop(tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1"}
    p = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "speed.py"), "--no-trl", "--image-sizes", "56",
                        "--steps", "1", "--num-generations", "2", "--max-completion-length", "2",
                        "--work", str(tmp_path)], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    row = re.search(r"^\| demo, 56 px \(4 image tokens each\) \| ([0-9.]+) \(([0-9.]+)\) \| \| \| ([0-9.]+) / \|$",
                    p.stdout, flags=re.M)
    assert row, p.stdout
    median, fastest, tokens = (float(x) for x in row.groups())
    assert 0 < fastest <= median and 2 <= tokens <= 4                   # 2 completions of 1 or 2 tokens
    assert os.path.isfile(tmp_path / "default-run" / "tiny-model" / "model.safetensors")
    assert len(open(tmp_path / "demo-56px" / "metadata.jsonl").readlines()) == 3      # 2 warm-up steps + 1 timed
    # the update pass runs the prompt once and 2 slots of 2 tokens; repeated rows would run the prompt twice
    detail = re.search(r"^demo 56 px: prompt (\d+) tokens; our phases .*update pass runs ([0-9.]+)x the step's tokens "
                       r"\(each prompt once\), ([0-9.]+)x with a copy", p.stdout, flags=re.M)
    assert detail, p.stdout
    P, shared, repeated = int(detail[1]), float(detail[2]), float(detail[3])
    assert (P + 4) / (P + tokens) == pytest.approx(shared, abs=0.01) and repeated > 1.5 * shared
