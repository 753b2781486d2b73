"""Make the project's top-level modules (snake, rewards, grpo, train, ...) importable from the tests."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A tiny random Qwen2.5-VL (model.build_tiny_model, the default run's games), built once per session."""
    from config import Config
    from data import make_sampler
    from model import build_tiny_model
    sample_at = make_sampler(Config())
    path = str(tmp_path_factory.mktemp("tiny") / "tiny-model")
    build_tiny_model(path, [sample_at(i)["prompt"] for i in range(64)] + ["UP", "DOWN", "LEFT", "RIGHT"] * 64)
    return path
