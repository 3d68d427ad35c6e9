"""The lifecycle diagrams are drawn from THE transition table and cannot drift from it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cpworkflow.errors import BadInputError
from cpworkflow.lifecycle import machine as lifecycle
from cpworkflow.reports import diagrams

DIAGRAMS = Path(__file__).parents[2] / "diagrams"
STAGE_CHANGING = [t for t in lifecycle.TRANSITIONS if t.dest is not None]
MERMAID_EDGE = re.compile(r"^  (\S+) --> (\S+): (.*)$")
DOT_EDGE = re.compile(r'^  (\w+) -> (\w+) \[label="([^"]*)"')

# C1: opened, plan, reviewed twice (plan continues, then ends with CiN support), CiN; the
# seqs skip the facts between the steps (visits, core groups), as in `cpw history`.
Step = diagrams.Step
CASE_PATH: list[diagrams.Step] = [
    Step(1, None, "CaseOpened", "referral"),
    Step(4, "referral", "InitialConferenceHeld", "cp_plan"),
    Step(9, "cp_plan", "ReviewConferenceConvened", "review"),
    Step(11, "review", "ReviewConferenceHeld", "cp_plan"),
    Step(15, "cp_plan", "ReviewConferenceConvened", "review"),
    Step(16, "review", "ReviewConferenceHeld", "step_down"),
    Step(20, "step_down", "ChildInNeedMeetingHeld", "cin"),
    Step(21, "cin", "ChildInNeedMeetingHeld", "cin"),
    Step(22, "cin", "ChildInNeedMeetingHeld", "cin"),
]


def label(trigger: str, condition: str | None) -> str:
    return f"{trigger} [{condition}]" if condition else trigger


def mermaid_edges(text: str) -> list[tuple[str, str, str]]:
    return [(m[1], m[2], m[3]) for line in text.splitlines() if (m := MERMAID_EDGE.match(line))]


def dot_edges(text: str) -> list[tuple[str, str, str]]:
    return [
        (m[1], m[2], m[3].replace(r"\n", " "))
        for line in text.splitlines()
        if (m := DOT_EDGE.match(line))
    ]


def expected_edges(start: str) -> list[tuple[str, str, str]]:
    rows = [(start, lifecycle.FIRST_STAGE, lifecycle.OPENING_EVENT)]
    rows += [
        (source, t.dest, label(t.trigger, t.condition))
        for t in STAGE_CHANGING
        for source in t.source
        if t.dest is not None
    ]
    return rows


def test_the_mermaid_diagram_has_one_edge_per_stage_changing_transition_and_source() -> None:
    assert sorted(mermaid_edges(diagrams.mermaid())) == sorted(expected_edges("[*]"))


def test_the_dot_diagram_has_one_edge_per_stage_changing_transition_and_source() -> None:
    assert sorted(dot_edges(diagrams.dot())) == sorted(expected_edges("start"))


@pytest.mark.parametrize(
    "transition", STAGE_CHANGING, ids=[f"{t.trigger}-{t.condition}" for t in STAGE_CHANGING]
)
def test_every_stage_changing_transition_is_labelled_with_its_trigger_and_condition(
    transition: lifecycle.Transition,
) -> None:
    for source in transition.source:
        text = label(transition.trigger, transition.condition)
        assert f"  {source} --> {transition.dest}: {text}\n" in diagrams.mermaid()
        dot_label = text.replace(" [", r"\n[")
        assert f'  {source} -> {transition.dest} [label="{dot_label}"];\n' in diagrams.dot()


def test_the_case_opens_into_referral_from_the_start_marker() -> None:
    assert "  [*] --> referral: CaseOpened\n" in diagrams.mermaid()
    assert '  start -> referral [label="CaseOpened"];\n' in diagrams.dot()


def test_the_seven_stages_are_declared_in_order() -> None:
    assert len(lifecycle.STAGES) == 7
    mermaid_lines = diagrams.mermaid().splitlines()
    dot_lines = diagrams.dot().splitlines()
    start = mermaid_lines.index("  referral")
    assert mermaid_lines[start : start + 7] == [f"  {s}" for s in lifecycle.STAGES]
    start = dot_lines.index("  referral;")
    assert dot_lines[start : start + 7] == [f"  {s};" for s in lifecycle.STAGES]


def test_facts_are_not_edges_but_are_named_in_a_comment() -> None:
    for text, edges_of in ((diagrams.mermaid(), mermaid_edges), (diagrams.dot(), dot_edges)):
        labels = " ".join(edge_label for _, _, edge_label in edges_of(text))
        comments = " ".join(line for line in text.splitlines() if re.match(r"\s*(%%|//)", line))
        for fact in lifecycle.FACTS:
            assert fact not in labels
            assert fact in comments
        assert "StrategyMeetingHeld in cp_plan, review" in comments


def test_the_output_is_byte_for_byte_the_same_on_every_call() -> None:
    assert diagrams.mermaid() == diagrams.mermaid()
    assert diagrams.dot() == diagrams.dot()
    assert diagrams.mermaid(CASE_PATH, "cin") == diagrams.mermaid(list(CASE_PATH), "cin")
    assert diagrams.dot(CASE_PATH, "cin") == diagrams.dot(tuple(CASE_PATH), "cin")


def test_a_plain_diagram_has_no_highlighting() -> None:
    assert "classDef" not in diagrams.mermaid()
    assert "(1)" not in diagrams.mermaid()
    assert "penwidth" not in diagrams.dot().split("start [", 1)[1]


def test_highlighting_numbers_each_step_by_its_seq_in_the_history_on_its_edge() -> None:
    text = diagrams.mermaid(CASE_PATH, "cin")
    assert "  [*] --> referral: (1) CaseOpened\n" in text
    assert "  referral --> cp_plan: (4) InitialConferenceHeld [plan_made]\n" in text
    assert "  cp_plan --> review: (9, 15) ReviewConferenceConvened\n" in text
    assert "  review --> step_down: (16) ReviewConferenceHeld [plan_ends_cin_support]\n" in text
    assert "  cin --> cin: (21-22) ChildInNeedMeetingHeld [review_meeting]\n" in text
    assert "  referral --> closed: CaseClosed\n" in text  # not taken: no number


def test_highlighting_fills_the_current_stage_and_marks_the_visited_ones() -> None:
    text = diagrams.mermaid(CASE_PATH, "cin")
    assert "  class referral,cp_plan,review,step_down visited\n" in text
    assert "  class cin current\n" in text
    assert "classDef current" in text
    assert "classDef visited" in text
    assert "cannot style single edges" in text


def test_the_dot_highlight_draws_the_path_bold_and_dims_the_rest() -> None:
    lines = diagrams.dot(CASE_PATH, "cin").splitlines()
    current = next(line for line in lines if line.startswith("  cin ["))
    assert "fillcolor" in current
    assert "penwidth=3" in current
    taken = next(line for line in lines if line.startswith("  cp_plan -> review"))
    assert '"(9, 15) ReviewConferenceConvened"' in taken
    assert "penwidth=2.5" in taken
    untaken = next(line for line in lines if line.startswith("  final_review -> cin"))
    assert "penwidth" not in untaken
    assert "#b0b0b0" in untaken
    assert "  closed;" in lines  # neither visited nor current: default style


def test_a_current_stage_alone_is_highlighted_without_a_path() -> None:
    text = diagrams.mermaid(current="closed")
    assert "  class closed current\n" in text
    assert " visited\n" not in text


def test_a_step_that_is_not_an_edge_of_the_lifecycle_is_rejected() -> None:
    with pytest.raises(ValueError, match="not in the lifecycle"):
        diagrams.mermaid(
            [Step(1, None, "CaseOpened", "referral"), Step(2, "referral", "CaseClosed", "cin")]
        )
    with pytest.raises(ValueError, match=r"step 7 .* not in the lifecycle"):
        diagrams.dot([Step(7, "cp_plan", "StrategyMeetingHeld", "cp_plan")])  # a fact


def test_an_unknown_current_stage_is_rejected() -> None:
    with pytest.raises(ValueError, match="not a stage"):
        diagrams.dot(current="limbo")


@dataclass(frozen=True)
class Event:
    seq: int
    type: str
    stage_after: str
    decision: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "decision", {"stage_after": self.stage_after, "opened": []})


def test_the_path_of_a_case_keeps_stage_changing_steps_and_self_loops_but_not_facts() -> None:
    kinds = [
        ("CaseOpened", "referral"),
        ("AssessmentStarted", "referral"),
        ("StrategyMeetingHeld", "referral"),  # s47: the referral self-loop
        ("InitialConferenceHeld", "cp_plan"),
        ("StrategyMeetingHeld", "cp_plan"),  # a new concern during the plan: a fact
        ("CoreGroupMeetingHeld", "cp_plan"),
        ("ChildProtectionPlanEnded", "closed"),
        ("OutcomesRecorded", "closed"),
        ("CaseReopened", "referral"),
    ]
    events = [Event(seq, kind, stage) for seq, (kind, stage) in enumerate(kinds, start=1)]
    assert diagrams.path_of(events) == [
        Step(1, None, "CaseOpened", "referral"),
        Step(3, "referral", "StrategyMeetingHeld", "referral"),
        Step(4, "referral", "InitialConferenceHeld", "cp_plan"),
        Step(7, "cp_plan", "ChildProtectionPlanEnded", "closed"),
        Step(9, "closed", "CaseReopened", "referral"),
    ]


def test_the_path_of_a_case_can_be_drawn() -> None:
    events = [Event(step.seq, step.trigger, step.dest) for step in CASE_PATH]
    assert diagrams.path_of(events) == CASE_PATH
    assert "(21-22) ChildInNeedMeetingHeld" in diagrams.dot(diagrams.path_of(events), "cin")


def test_both_drawings_run_top_down_under_a_title() -> None:
    title = diagrams.case_title("C1", "sefton 2025.1", "2025-06-01")
    assert title == "Case C1 on the lifecycle: policy sefton 2025.1, as of 2025-06-01"
    text = diagrams.mermaid(CASE_PATH, "cin", title)
    assert text.startswith(f'---\ntitle: "{title}"\n---\nstateDiagram-v2\n')  # YAML, quoted
    assert "  direction TB\n" in text
    assert "rankdir=TB" in diagrams.dot()
    assert f'label="{title}", labelloc=t' in diagrams.dot(CASE_PATH, "cin", title)
    assert diagrams.mermaid().startswith(f'---\ntitle: "{diagrams.TITLE}"\n---\n')


def test_a_case_diagram_has_a_legend_of_its_colours_and_numbers() -> None:
    note = diagrams.mermaid(CASE_PATH, "cin").split("  note right of referral\n")[1]
    note = note.split("  end note")[0]
    assert "orange: the case's stage now" in note
    assert "blue: a stage the case passed through" in note
    assert "(n) before an event: a step the case took: n is its seq in cpw history" in note
    legend = next(
        line for line in diagrams.dot(CASE_PATH, "cin").splitlines() if "legend [" in line
    )
    assert '<td bgcolor="#f97316">current</td>' in legend
    assert "n is its seq in cpw history" in legend


def test_a_plain_diagram_has_a_legend_without_a_case_key() -> None:
    assert "an event that changes the stage" in diagrams.mermaid()
    legend = next(line for line in diagrams.dot().splitlines() if "legend [" in line)
    assert "an event that changes the stage" in legend
    assert "current" not in legend


@pytest.mark.parametrize(
    ("output", "fmt", "expected"),
    [
        ("C1.svg", None, "svg"),
        ("C1.PNG", None, "png"),
        ("c.gv", None, "dot"),
        ("c.dot", None, "dot"),
        ("c.mmd", None, "mermaid"),
        (None, None, "mermaid"),
        (None, "png", "png"),
        ("picture", "svg", "svg"),
    ],
)
def test_the_format_follows_the_files_extension(
    output: str | None, fmt: str | None, expected: str
) -> None:
    assert diagrams.format_of(output, fmt) == expected


def test_a_format_the_extension_contradicts_or_cannot_name_is_bad_input() -> None:
    with pytest.raises(BadInputError, match=r"png, but -o C1.svg ends in .svg, which is svg"):
        diagrams.format_of("C1.svg", "png")
    with pytest.raises(BadInputError, match=r"cannot tell the format from '.txt'.*\.svg"):
        diagrams.format_of("C1.txt", None)


def test_the_markdown_page_fences_the_mermaid_for_github_and_says_how_it_is_made() -> None:
    page = diagrams.markdown()
    assert page.startswith("# ")
    assert f"```mermaid\n{diagrams.mermaid()}```\n" in page
    assert "make diagrams" in page
    assert "lifecycle/machine.py" in page
    assert "packs do not change this graph" in page


@pytest.mark.parametrize(
    ("name", "fresh"),
    [("case-lifecycle.md", diagrams.markdown), ("case-lifecycle.dot", diagrams.dot)],
)
def test_the_committed_diagram_is_up_to_date(name: str, fresh: Any) -> None:
    committed = DIAGRAMS / name
    assert committed.exists(), f"diagrams/{name} is missing: run `make diagrams`"
    assert committed.read_text() == fresh(), (
        f"diagrams/{name} is stale (the transition table changed): run `make diagrams`"
    )
