"""Make the project's top-level modules (snake, rewards, grpo, train, ...) importable from the tests."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A tiny random Qwen2.5-VL (train.build_tiny_model, the `tiny` preset's games), built once per session."""
    import train
    cfg = train.Config(**{k: v for k, v in train.PRESETS["tiny"].items()})
    sample_at = train.make_sampler(cfg)
    path = str(tmp_path_factory.mktemp("tiny") / "tiny-model")
    train.build_tiny_model(path, [sample_at(i)["prompt"] for i in range(64)] + ["UP", "DOWN", "LEFT", "RIGHT"] * 64)
    return path
