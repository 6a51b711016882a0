"""The lesson on the page: its card (the question always visible, the rest folded), its things to
try as buttons, the model's answers folded until opened, and what a comparison of a thing to try
shows above its charts. A scenario that is not a lesson gets a short card instead."""

from __future__ import annotations

import html
from collections.abc import Callable

import markdown
import solara

from abm.app.scenarios import Scenario
from abm.charts import theme
from abm.params import Params
from abm.sources import cite

#: comparison world key of the current lesson with its thing to try N ("try-2")
TRY = "try-"
#: the folded sections of a lesson card, in order: (key, button label)
SECTIONS = (("how", "How it works"), ("notice", "Things to notice"), ("try", "Things to try"),
            ("discussion", "Discussion"), ("facts", "Sources"))


def escape(text: str) -> str:
    return html.escape(text, quote=True)


@solara.component
def Answer(text: str):
    """The model's answer to a thing to try, folded until a student opens it (a native <details>)."""
    solara.HTML(tag="details", classes=["abm-answer"],
                unsafe_innerHTML=f"<summary>The model's answer (predict first!)</summary>{markdown.markdown(text)}")


def _param_text(name: str) -> str:
    """A parameter for people: its description (the code name only in a tooltip elsewhere)."""
    field = Params.model_fields.get(name)
    return (field.description or name) if field else name


def _value_text(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return f"{value:g}" if abs(value) < 10_000 else f"{value:,.0f}"


def try_changes(scenario: Scenario, index: int) -> list[tuple[str, str, str, str]]:
    """(parameter, description, lesson value, tried value) for thing to try ``index`` (0-based)."""
    thing = scenario.lesson.things_to_try[index]
    return [(k, _param_text(k), _value_text(getattr(scenario.params, k)), _value_text(v)) for k, v in thing.set.items()]


def _window_text(thing) -> str:
    if not thing.metric:
        return ""
    span = f"mean {thing.window[0]:g}–{thing.window[1]:g}" if thing.window else "mean of the last three years"
    return f"Watch: {theme.output_label(thing.metric)} ({span})."


@solara.component
def ThingsToTry(scenario: Scenario, on_try: Callable[[int], None]):
    lesson = scenario.lesson
    solara.Text("Predict first: write down which way the output will move, and why. Then press the button: "
                "the comparison runs the lesson's world and the changed world with the same seed.", classes=["abm-sub"])
    for i, thing in enumerate(lesson.things_to_try):
        with solara.Div(classes=["abm-try", f"abm-try-item-{i + 1}"]):
            changes = "; ".join(f"{desc}: {old} → {new}" for _, desc, old, new in try_changes(scenario, i))
            solara.HTML(tag="div", unsafe_innerHTML=f'<span class="abm-try-head">{i + 1}. {escape(thing.change)}</span> — '
                                                     f"{escape(changes)}. {escape(_window_text(thing))}")
            solara.Button("Try it: compare the two worlds", icon_name="mdi-compare", small=True, outlined=True,
                          color="primary", on_click=lambda i=i: on_try(i), classes=["abm-try", f"abm-try-{i + 1}"])
            Answer(thing.predict)


def _facts_html(scenario: Scenario) -> str:
    """The facts from the articles: what they report, which article (title and outlet), how the model uses it."""
    rows = "".join(f"<tr><td>{escape(f.fact)}</td><td>{escape(cite(f.source))}</td><td>{escape(f.in_model or '—')}</td></tr>"
                   for f in scenario.lesson.facts)
    return f"<tr><th scope='col'>fact</th><th scope='col'>source</th><th scope='col'>in the model</th></tr>{rows}"


@solara.component
def LessonCard(scenario: Scenario, on_try: Callable[[int], None]):
    """The lesson's question, always visible; the rest of its text folded, one section at a time."""
    lesson = scenario.lesson
    open_section = solara.use_reactive("")
    with solara.Div(classes=["abm-card", "abm-lesson"]):
        solara.HTML(tag="div", classes=["abm-card-title"],
                    unsafe_innerHTML=f"{escape(lesson.title)} · about {lesson.minutes} minutes")
        solara.HTML(tag="p", classes=["abm-question", "abm-lesson-question"],
                    unsafe_innerHTML=f"<strong>The question:</strong> {escape(lesson.question)}")
        with solara.Div(classes=["abm-sections"]):
            for key, label in SECTIONS:
                text = f"{label} ({len(lesson.things_to_try)})" if key == "try" else label
                opened = open_section.value == key
                solara.Button(text, small=True, text=not opened, depressed=opened, color="primary",
                              on_click=lambda key=key: open_section.set("" if open_section.value == key else key),
                              classes=["abm-section-button", f"abm-section-{key}"],
                              attributes={"aria-expanded": "true" if opened else "false"})
        section = open_section.value
        if section:
            with solara.Div(classes=["abm-section", f"abm-section-body-{section}"], attributes={"tabindex": "0"}):
                if section == "how":
                    solara.Markdown(lesson.description + "\n\n" + lesson.mechanism)
                elif section == "notice":
                    solara.Markdown("\n".join(f"- {item}" for item in lesson.look_for))
                elif section == "try":
                    ThingsToTry(scenario, lambda i: (open_section.set(""), on_try(i)))
                elif section == "discussion":
                    solara.Markdown("\n".join(f"{i}. {q}" for i, q in enumerate(lesson.discussion, start=1)))
                elif section == "facts":
                    solara.HTML(tag="table", unsafe_innerHTML=_facts_html(scenario), classes=["abm-compare", "abm-facts"])


@solara.component
def ScenarioCard(scenario: Scenario, changed: list[str]):
    """A scenario that is not a lesson: its title and first paragraph; the rest folded."""
    more = solara.use_reactive(False)
    first, _, rest = (scenario.description or "No description in the scenario file.").partition("\n\n")
    with solara.Div(classes=["abm-card", "abm-scenario-story"]):
        solara.HTML(tag="div", classes=["abm-card-title"], unsafe_innerHTML=f"What am I looking at? — {escape(scenario.title)}")
        solara.HTML(tag="p", classes=["abm-question"] + ([] if more.value else ["abm-clamp"]), unsafe_innerHTML=escape(first))
        if rest or scenario.look_for or len(first) > 160:
            solara.Button("Less" if more.value else "More", text=True, small=True, on_click=lambda: more.set(not more.value),
                          classes=["abm-more"])
            if more.value:
                solara.Markdown(rest + ("\n\n**Look for:**\n\n" + "\n".join(f"- {i}" for i in scenario.look_for)
                                        if scenario.look_for else ""))
        if changed:
            solara.Text("You changed: " + "; ".join(changed) + ".", classes=["abm-sub"])


@solara.component
def CompareHeader(worlds: dict[str, str], keys: solara.Reactive[tuple[str, str]], scenario: Scenario):
    """What is compared: a lesson's thing to try (what changed, what to watch, the folded answer) or
    two picked worlds; the two world pickers."""
    by_title = {v: k for k, v in worlds.items()}

    def set_side(i: int, title: str):
        new = list(keys.value)
        new[i] = by_title[title]
        keys.set(tuple(new))

    trying = next((k for k in keys.value if k.startswith(TRY)), None)
    with solara.Div(classes=["abm-card", "abm-compare-story"]):
        if trying is not None and scenario.lesson is not None:
            i = int(trying.removeprefix(TRY)) - 1
            thing = scenario.lesson.things_to_try[i]
            solara.HTML(tag="div", classes=["abm-card-title"],
                        unsafe_innerHTML=f"Thing to try {i + 1} of {escape(scenario.lesson.title)}")
            solara.HTML(tag="p", classes=["abm-question", "abm-try-title"], unsafe_innerHTML=f"<strong>{escape(thing.change)}</strong>")
            rows = "".join(f"<tr><td>{escape(desc)} <code title='parameter {escape(k)}'>{escape(k)}</code></td><td>{old}</td><td>{new}</td></tr>"
                           for k, desc, old, new in try_changes(scenario, i))
            solara.HTML(tag="table", classes=["abm-compare", "abm-try-changes"],
                        unsafe_innerHTML=f"<tr><th>changed</th><th>A: the lesson's world</th><th>B: tried</th></tr>{rows}")
            solara.Text(_window_text(thing) + " Same people, same seed: only the change differs.", classes=["abm-sub"])
            Answer(thing.predict)
        else:
            solara.HTML(tag="div", classes=["abm-card-title"], unsafe_innerHTML="Two worlds, same people, same seed")
            solara.Text("Both models start from the same workforce (same seed and size) and are stepped together. "
                        "Pick the worlds below; workers and seed come from the sidebar.", classes=["abm-sub"])
    with solara.Row(gap="16px", style={"flex-wrap": "wrap"}):
        for i in range(2):
            with solara.Div(style={"flex": "1 1 260px"}):
                solara.Select(f"World {'AB'[i]}", values=list(worlds.values()), value=worlds.get(keys.value[i], keys.value[i]),
                              on_value=lambda t, i=i: set_side(i, t), classes=[f"abm-compare-{'ab'[i]}"])
