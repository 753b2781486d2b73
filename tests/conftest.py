"""Make the project's top-level modules (snake, rewards, grpo, train, ...) importable from the tests."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
