"""The answers live in the teacher's key: never in a student copy, never before their exercise."""

import json
import re

import pytest

from npstudy.notebooks import KEY_NAME, copy_notebooks, notebooks_dir, student_copy, teaching_notebooks

KEY = notebooks_dir() / KEY_NAME
EXERCISE = re.compile(r"\*\*Exercise ([0-9A-Z]+)\b|^## Exercise\s*$", re.M)

#: Values that only an answer prints, worked out by hand (see each exercise's key entry).
#: 02 B: Zhejiang's entropy composite without national programmes; 03 B: cosine of Guangdong
#: and Zhejiang, 2 / sqrt(4 * 6); 04 2: Jaccard of Shanghai and Zhejiang, 2/9 and 3/11;
#: 05: the pooled p with carbon-trading pilots, and without the free-trade zones.
ANSWER_VALUES = {
    ("02", "B"): ["0.698"],
    ("03", "B"): [f"{2 / 24 ** 0.5:.3f}"],
    ("04", "2"): [f"{2 / 9:.3f}", f"{3 / 11:.3f}"],
    ("05", ""): ["2.284e-06", "5.554e-06", "8.636e-06"],
}


def text(cell):
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def shown(cell):
    """What a reader sees of a cell: its source and its saved outputs."""
    return text(cell) + json.dumps(cell.get("outputs", []), ensure_ascii=False)


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def exercises(nb):
    """``{label: index of its placeholder cell}``; ``""`` for a notebook's only, unnumbered one."""
    found, label = {}, None
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            m = EXERCISE.search(text(cell))
            label = (m.group(1) or "") if m else label
        elif "exercise" in tags(cell):
            assert label is not None and label not in found, (i, label)
            found[label] = i
    return found


def key_answers():
    """``{(notebook number, label): [answer cell, ...]}`` from the key's ``key-NN-X`` tags."""
    answers = {}
    for cell in load(KEY)["cells"]:
        for tag in tags(cell):
            m = re.fullmatch(r"key-(\d\d)(?:-(\w+))?", tag)
            if m:
                answers.setdefault((m.group(1), m.group(2) or ""), []).append(cell)
    return answers


NOTEBOOKS = {p.name[:2]: p for p in teaching_notebooks()}


def test_every_exercise_has_an_answer_in_the_key_and_every_answer_an_exercise():
    asked = {(n, label) for n, p in NOTEBOOKS.items() for label in exercises(load(p))}
    assert asked == set(key_answers())
    # Notebooks 01-03 have a reading exercise and a computing one each.
    for n in ("01", "02", "03"):
        assert {label for m, label in asked if m == n} == {"A", "B"}
    assert {label for m, label in asked if m == "04"} == {"1", "2"}


def test_the_key_prints_the_answer_values():
    for (n, label), values in ANSWER_VALUES.items():
        printed = "".join(shown(c) for c in key_answers()[n, label])
        for value in values:
            assert value in printed, (n, label, value)


def test_the_teaching_notebooks_hold_no_solution_cells():
    for path in NOTEBOOKS.values():
        assert not any({"solution", "teacher"} & set(tags(c)) for c in load(path)["cells"]), path.name


@pytest.mark.parametrize("n", sorted(NOTEBOOKS))
def test_no_answer_before_its_exercise_in_a_teacher_copy(n):
    nb = load(NOTEBOOKS[n])
    answers = key_answers()
    where = exercises(nb)
    for label, index in where.items():
        # an answer's code appears nowhere in the notebook, and the placeholder is not an answer
        for cell in answers[n, label]:
            if cell["cell_type"] == "code":
                assert not any(text(cell).strip() in text(c) for c in nb["cells"]), (n, label)
        before = "".join(shown(c) for c in nb["cells"][:index + 1])
        earlier = "".join(shown(c) for m, p in NOTEBOOKS.items() if m < n for c in load(p)["cells"])
        for value in ANSWER_VALUES.get((n, label), []):
            assert value not in before + earlier, (n, label, value)


@pytest.mark.parametrize("n", sorted(NOTEBOOKS))
def test_no_answer_in_a_student_copy(n):
    student = student_copy(load(NOTEBOOKS[n]))
    everything = "".join(shown(c) for c in student["cells"])
    for (m, label), cells in key_answers().items():
        for cell in cells:
            if cell["cell_type"] == "code":
                assert text(cell).strip() not in everything, (m, label)
        for value in ANSWER_VALUES.get((m, label), []):
            assert value not in everything, (m, label, value)
    # exercise 1 of notebook 04: a student copy narrows no quote
    assert "quotes={ids" not in everything


def test_the_key_goes_to_teachers_only(tmp_path):
    teacher = copy_notebooks(tmp_path / "teacher")
    student = copy_notebooks(tmp_path / "student", student=True)
    assert (tmp_path / "teacher" / KEY_NAME) in teacher
    assert (tmp_path / "teacher" / KEY_NAME).read_bytes() == KEY.read_bytes()
    assert not any("key" in p.name for p in student)
    assert sorted(p.name for p in (tmp_path / "student").iterdir()) == sorted(p.name for p in student)
