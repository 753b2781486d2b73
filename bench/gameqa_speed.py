"""Samples per second of every GameQA game, images rendered: no game should hold the data engine back.

    python bench/gameqa_speed.py              # 100 samples a game, after a 3-sample warm-up (fonts, cached drawings)
    python bench/gameqa_speed.py --n 300

It prints each game's rate and how far the slowest game is below the median game.
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import gameqa  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=100, help="samples timed per game (default 100)")
    args = p.parse_args(argv)
    if args.n < 1:
        sys.exit("gameqa_speed.py: --n must be at least 1")
    rates = {}
    for name in gameqa.game_names("all"):
        gameqa.generate(3, 1, games=[name])
        start = time.perf_counter()
        gameqa.generate(args.n, 0, games=[name])
        rates[name] = args.n / (time.perf_counter() - start)
        print(f"{name:<20}{gameqa.REGISTRY[name].split_group:<15}{rates[name]:8.1f} samples/s", flush=True)
    median, slowest = statistics.median(rates.values()), min(rates, key=rates.get)
    print(f"median {median:.1f} samples/s; slowest {slowest} {rates[slowest]:.1f}/s, "
          f"{median / rates[slowest]:.1f}x below the median")


if __name__ == "__main__":
    main()
