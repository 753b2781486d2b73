"""One module per GameQA game (Game-RL, arXiv 2505.13886); gameqa.py's registry lists them and common.py
says what a game module provides."""
