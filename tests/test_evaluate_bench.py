"""Benchmarks: local copies in each hub schema load into sample records, and a table of answers per benchmark
is graded by rewards.score_math as that benchmark's answer type demands. No model, no hub.

The fixtures (tests/fixtures/benchmarks/, written by tests/helpers/make_benchmarks.py) use the real column
names, image columns and answer types of MathVista, MathVerse, MathVision, MMMU and MMMU-Pro.
"""
import os

import pytest
from PIL import Image

import evaluate
import rewards

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "benchmarks")
SOURCES = {"mathvista": "mathvista", "mathverse": "mathverse/testmini.parquet", "mathvision": "mathvision",
           "mmmu": "mmmu", "mmmu_pro": "mmmu_pro/test.parquet"}  # folders and single files, parquet and jsonl


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    cache = str(tmp_path_factory.mktemp("hf-cache"))
    return {name: {r["id"]: r for r in evaluate.load_benchmark(name, os.path.join(FIXTURES, path), cache_dir=cache)}
            for name, path in SOURCES.items()}


def test_records_have_the_sample_shape(records):
    for name, by_id in records.items():
        assert by_id, name
        for r in by_id.values():
            assert r["game"] == name and r["reward"] == "math" and r["prompt"]
            assert r["images"] and all(isinstance(im, Image.Image) for im in r["images"]), r["id"]
            if r.get("options"):
                assert len(r["answer"]) == 1 and "A" <= r["answer"] < "ABCDEFGHIJ"[len(r["options"])], r["id"]


def test_each_schema_is_read_as_its_card_says(records):
    vista = records["mathvista"]
    assert vista["mathvista-2"]["answer"] == "B"  # MathVista's gold is the choice TEXT: "angle B" -> letter B
    assert vista["mathvista-3"]["precision"] == 2.0 and vista["mathvista-3"]["answer_type"] == "float"
    assert vista["mathvista-1"]["unit"] == "cm" and "Choices" not in vista["mathvista-1"]["prompt"]
    assert vista["mathvista-2"]["prompt"].startswith("Hint:")  # MathVista's own `query` is the prompt
    verse = records["mathverse"]
    assert verse["mathverse-1"]["options"] == ["3", "6", "9", "12"]  # choices parsed out of the question text
    assert verse["mathverse-2"]["options"] == []  # Vision Only: the choices are in the picture
    vision = records["mathvision"]
    assert vision["mathvision-1"]["images"][0].size == (24, 24)  # jsonl + images/: paths resolved to the folder
    assert "(E) $3$" in vision["mathvision-1"]["prompt"] and "options" not in vision["mathvision-2"]
    mmmu = records["mmmu"]
    assert len(mmmu["mmmu-validation_Physics_2"]["images"]) == 2  # image_1, image_2 set; image_3..7 null
    assert "<image 1> to <image 2>" in mmmu["mmmu-validation_Physics_2"]["prompt"]
    assert mmmu["mmmu-validation_Math_1"]["options"] == ["12", "15", "18", "21"]  # options: text of a Python list
    assert "options" not in mmmu["mmmu-validation_Accounting_3"]  # open question
    assert mmmu["mmmu-validation_Art_Theory_4"]["level"]["category"] == "Art_Theory"
    assert records["mmmu_pro"]["mmmu_pro-test_Art_Theory_4"]["level"]["category"] == "Art_Theory"


# (benchmark, record id, completion, accuracy): each benchmark's answer types, right and wrong
CASES = [
    # MathVista: integer with a unit; choices given as text; float with precision 2; list
    ("mathvista", "mathvista-1", "<think>AB is 7</think><answer>\\boxed{7}</answer>", 1),
    ("mathvista", "mathvista-1", "<answer>\\boxed{7 cm}</answer>", 1),
    ("mathvista", "mathvista-1", "<answer>7.0</answer>", 1),
    ("mathvista", "mathvista-1", "<answer>\\boxed{7.5}</answer>", 0),
    ("mathvista", "mathvista-1", "The side is 7 and so on, but I will not commit.", 0),
    ("mathvista", "mathvista-2", "<answer>\\boxed{B}</answer>", 1),
    ("mathvista", "mathvista-2", "<answer>\\boxed{angle B}</answer>", 1),  # the letter inferred from the option text
    ("mathvista", "mathvista-2", "<answer>(B) angle B</answer>", 1),
    ("mathvista", "mathvista-2", "<answer>\\boxed{A}</answer>", 0),
    ("mathvista", "mathvista-2", "<answer>\\boxed{B or C}</answer>", 0),
    ("mathvista", "mathvista-3", "\\boxed{1.25}", 1),
    ("mathvista", "mathvista-3", "\\boxed{1.251}", 1),  # precision 2: both rounded to 2 decimals
    ("mathvista", "mathvista-3", "\\boxed{\\frac{5}{4}}", 1),
    ("mathvista", "mathvista-3", "\\boxed{1.3}", 0),
    ("mathvista", "mathvista-4", "<answer>\\boxed{1.5}</answer>", 1),  # numeric option text -> B
    ("mathvista", "mathvista-4", "<answer>\\boxed{2}</answer>", 0),
    ("mathvista", "mathvista-5", "<answer>\\boxed{[2, 3]}</answer>", 1),
    ("mathvista", "mathvista-5", "<answer>\\boxed{[3, 2]}</answer>", 0),
    # MathVerse: choices inside the question; vision-only letter; free-form LaTeX
    ("mathverse", "mathverse-1", "<answer>\\boxed{A}</answer>", 1),
    ("mathverse", "mathverse-1", "<answer>\\boxed{3}</answer>", 1),
    ("mathverse", "mathverse-1", "<answer>\\boxed{6}</answer>", 0),
    ("mathverse", "mathverse-2", "The answer is C.", 1),
    ("mathverse", "mathverse-2", "The answer is D.", 0),
    ("mathverse", "mathverse-3", "<answer>\\boxed{2\\sqrt{3}}</answer>", 1),
    ("mathverse", "mathverse-3", "<answer>$2 \\sqrt{3}$</answer>", 1),
    ("mathverse", "mathverse-3", "<answer>\\boxed{2\\sqrt{2}}</answer>", 0),
    # MathVision: options A-E; free-form number; letter with the options in the picture; a fraction
    ("mathvision", "mathvision-1", "<answer>\\boxed{D}</answer>", 1),
    ("mathvision", "mathvision-1", "<answer>\\boxed{4}</answer>", 1),  # option text "$4$" is D
    ("mathvision", "mathvision-1", "<answer>\\boxed{0.5}</answer>", 0),  # "$\frac{1}{2}$" is C
    ("mathvision", "mathvision-1", "<answer>\\boxed{E}</answer>", 0),
    ("mathvision", "mathvision-2", "\\boxed{7}", 1),
    ("mathvision", "mathvision-2", "\\boxed{seven}", 1),
    ("mathvision", "mathvision-2", "\\boxed{8}", 0),
    ("mathvision", "mathvision-3", "<answer>\\boxed{B}</answer>", 1),
    ("mathvision", "mathvision-3", "<answer>\\boxed{(B)}</answer>", 1),
    ("mathvision", "mathvision-3", "<answer>\\boxed{C}</answer>", 0),
    ("mathvision", "mathvision-4", "\\boxed{\\dfrac{3}{4}}", 1),
    ("mathvision", "mathvision-4", "\\boxed{0.75}", 1),
    ("mathvision", "mathvision-4", "\\boxed{3/5}", 0),
    # MMMU: options from a list string, image options, open answers with several accepted forms
    ("mmmu", "mmmu-validation_Math_1", "<answer>\\boxed{B}</answer>", 1),
    ("mmmu", "mmmu-validation_Math_1", "<answer>\\boxed{15}</answer>", 1),
    ("mmmu", "mmmu-validation_Math_1", "<answer>\\boxed{12}</answer>", 0),
    ("mmmu", "mmmu-validation_Physics_2", "<answer>\\boxed{A}</answer>", 1),
    ("mmmu", "mmmu-validation_Physics_2", "<answer>\\boxed{<image 1>}</answer>", 1),
    ("mmmu", "mmmu-validation_Physics_2", "<answer>\\boxed{<image 2>}</answer>", 0),
    ("mmmu", "mmmu-validation_Accounting_3", "<answer>\\boxed{1.14}</answer>", 1),
    ("mmmu", "mmmu-validation_Accounting_3", "<answer>\\boxed{1.1400}</answer>", 1),
    ("mmmu", "mmmu-validation_Accounting_3", "<answer>\\boxed{1.2}</answer>", 0),
    ("mmmu", "mmmu-validation_Art_Theory_4", "Answer: Impressionism", 1),
    ("mmmu", "mmmu-validation_Art_Theory_4", "Answer: Cubism", 0),
    # MMMU-Pro (standard): letters only gold, same options form
    ("mmmu_pro", "mmmu_pro-test_Math_1", "<answer>\\boxed{B}</answer>", 1),
    ("mmmu_pro", "mmmu_pro-test_Math_1", "<answer>\\boxed{C}</answer>", 0),
    ("mmmu_pro", "mmmu_pro-test_Art_Theory_4", "<answer>Option C</answer>", 1),
]


@pytest.mark.parametrize("bench,sample_id,completion,accuracy", CASES)
def test_score_table(records, bench, sample_id, completion, accuracy):
    result = rewards.score(completion, records[bench][sample_id])
    assert result["accuracy"] == accuracy and result["format"] == 0.0


@pytest.mark.parametrize("completion,expected", [
    ("<think>x</think><answer>The value is \\boxed{12}.</answer>", "12"),  # boxed inside <answer> wins
    ("\\boxed{3} first, then \\boxed{5}", "5"),  # the last boxed
    ("so the answer is 4.\nThe answer is 6.", "6"),
    ("Answer: (C)", "(C)"),
    ("I think it is 5", ""),  # no commitment: no answer
])
def test_answer_extraction(completion, expected):
    assert rewards.final_answer(completion, rewards.BENCHMARK_ORDER) == expected


def test_bad_sources_end_with_one_message(tmp_path):
    cases = [
        (["--benchmarks", "mathvista,chartqa"], "unknown benchmark 'chartqa'; supported: mathvista, mathverse"),
        (["--benchmarks", "mmmu", "--source", f"mmmu={FIXTURES}/mathvista"],
         "is not in the MMMU val schema: missing column(s) id, options, image_1"),
        (["--benchmarks", "mmmu", "--source", "mmmu=/no/such/folder"], "benchmark source not found: '/no/such/folder'"),
        (["--benchmarks", "mmmu", "--source", "mmmu"], "--source wants NAME=PATH"),
        (["--benchmarks", "mmmu", "--source", f"nope={FIXTURES}/mmmu"], "unknown benchmark 'nope' in --source"),
        (["--benchmarks", "mmmu", "--source", f"mmmu={tmp_path / 'empty'}"], "holds no .parquet, .jsonl or .json file"),
    ]
    (tmp_path / "empty").mkdir()
    for args, message in cases:
        with pytest.raises(SystemExit) as exit_info:  # the message is raised before any model is loaded
            evaluate.main(["bench", "--model", "/no/model", "--cache-dir", str(tmp_path / "cache"), *args])
        assert message in str(exit_info.value.code), (args, exit_info.value.code)
        assert str(exit_info.value.code).startswith("evaluate.py bench: error: ")


def test_a_row_that_cannot_be_graded_is_named(tmp_path):
    bad = tmp_path / "mathvision"
    bad.mkdir()
    (bad / "test.jsonl").write_text('{"id": "9", "question": "q", "options": ["1", "2"], "image": null, '
                                    '"answer": "7", "subject": "s", "level": 1}\n')
    with pytest.raises(evaluate.BenchmarkError, match=r"MathVision id 9: answer '7' is neither an option letter"):
        evaluate.load_benchmark("mathvision", str(bad), cache_dir=str(tmp_path / "cache"))


def test_hostile_completions_are_graded_fast_and_never_raise():
    import time
    sample = {"id": "t", "reward": "math", "answer": "1.25", "answer_type": "float", "precision": 2.0}
    choice = {"id": "c", "reward": "math", "answer": "B", "options": ["1", "2", "3"]}
    hostile = ["\\boxed{" * 20000, "<answer>" * 20000 + "1.25", "</answer>" * 20000, "The answer is " * 20000,
               "\\frac{" * 20000 + "}", "9" * 200000, "(" * 50000 + "B", None, 12]
    start = time.perf_counter()
    for text in hostile:
        for s in (sample, choice):
            assert rewards.score(text, s)["accuracy"] in (0.0, 1.0)
    assert time.perf_counter() - start < 2.0

