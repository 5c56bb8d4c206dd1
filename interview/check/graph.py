"""`spine-interview graph`: a flow as a Mermaid state diagram, for teachers to paste into Markdown.

States are the questions (labelled with a short prompt), ``recommendation`` and one state per
headline. Edges are the ones the linter's sampled walks actually take (:func:`interview.check.lint.explore`)
— a subset of the engine machine's table (each question to the later ones up to the first without a
condition), the paths real cases follow: an edge is labelled with the answer it depends on
(``neuro_deficit = yes``), else the destination's `when`, else the `when` of the question it skips. The text is produced by the `transitions` Mermaid engine.
"""

from __future__ import annotations

import re
from typing import Any

from interview.check.lint import DEFAULT_SEED, Exploration, explore
from interview.flow.load import LoadedFlow

#: Walks sampled for the diagram: every edge of the shipped flow shows up long before this.
GRAPH_SAMPLES = 3000
RECOMMENDATION = "recommendation"
_LABEL_MAX = 60
_REPLACEMENTS = (
    ("<=", "≤"), (">=", "≥"), ("!=", "≠"), ("==", "="), ("<", "‹"), (">", "›"), ('"', "'"), (":", " -"),
    (";", ","), ("#", "no."), ("{", "("), ("}", ")"), ("|", "/"), ("--", "–"), ("[", "("), ("]", ")"),
)


def sanitize(text: str, limit: int = _LABEL_MAX) -> str:
    """Text that is safe inside a Mermaid state or edge label: no quotes, colons, brackets or arrows.

    Args:
        text: any text (a prompt, a condition).
        limit: the longest label kept; longer ones are cut with an ellipsis.
    """
    for old, new in _REPLACEMENTS:
        text = text.replace(old, new)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text or "-"


def short_prompt(prompt: str) -> str:
    """The first clause of a prompt, short enough for a diagram box."""
    first = re.split(r"(?<=[?.])\s|\s\(", prompt.strip(), maxsplit=1)[0]
    return sanitize(first, 48)


def _show(value: Any) -> str:
    if value is None:
        return "skipped"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def edge_label(flow: LoadedFlow, seen: Exploration, src: str, dst: str) -> str:
    """Why a walk goes from one question to the next (or to the recommendation)."""
    q = flow.by_id[src].model
    taken = seen.edges.get((src, dst), set())
    every = seen.answers_seen.get(src, set())
    if q.kind in ("bool", "choice") and taken and taken < every:
        values = sorted(taken, key=lambda v: (v is None, str(v)))
        return sanitize(f"{src} = {' or '.join(_show(v) for v in values)}")
    if dst != RECOMMENDATION and flow.by_id[dst].when is not None:
        return sanitize(flow.by_id[dst].model.when or "")
    start = flow.by_id[src].index + 1
    stop = flow.by_id[dst].index if dst != RECOMMENDATION else len(flow.questions)
    between = [b for b in flow.questions[start:stop] if b.model.when]
    if between:
        return sanitize(f"not ({between[0].model.when})")
    return "next"


def _state_id(name: str, taken: set[str]) -> str:
    while name in taken:
        name += "_"
    taken.add(name)
    return name


def mermaid(flow: LoadedFlow, *, samples: int = GRAPH_SAMPLES, seed: int = DEFAULT_SEED) -> str:
    """The flow as a Mermaid ``stateDiagram-v2``, with front matter naming the flow.

    Args:
        flow: the loaded flow.
        samples: walks sampled to find the edges.
        seed: the sampling seed (the same seed gives the same diagram).
    """
    from transitions.extensions.diagrams import GraphMachine

    class LabelledState(GraphMachine.state_cls):  # type: ignore[name-defined,misc]
        """A state that carries a display label (the markup machine reads ``label``)."""

        def __init__(self, *args: Any, label: str | None = None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if label:
                self.label = label

    class DiagramMachine(GraphMachine):
        state_cls = LabelledState

    seen = explore(flow, samples, seed)
    ids: set[str] = {q.id for q in flow.questions}
    recommendation = _state_id(RECOMMENDATION, ids)
    headline_state = {h: _state_id(f"headline_{h}", ids) for h in flow.model.headlines}
    states: list[dict[str, str]] = [
        {"name": q.id, "label": f"{q.id} - {short_prompt(q.model.prompt)}"} for q in flow.questions
    ]
    states.append({"name": recommendation, "label": "Recommendation"})
    states += [{"name": sid, "label": sanitize(f"{h} - {flow.model.headlines[h].title}", 80)}
               for h, sid in headline_state.items()]
    machine = DiagramMachine(
        states=states, initial=flow.questions[0].id, auto_transitions=False, graph_engine="mermaid",
        title=f"title: {sanitize(flow.model.title, 100)}",
    )
    order = {q.id: q.index for q in flow.questions}
    order[RECOMMENDATION] = len(flow.questions)
    for src, dst in sorted(seen.edges, key=lambda e: (order[e[0]], order[e[1]])):
        target = recommendation if dst == RECOMMENDATION else dst
        machine.add_transition("advance", src, target, label=edge_label(flow, seen, src, dst))
    for h, sid in headline_state.items():
        rules = sorted(seen.headline_rules.get(h, ()), key=lambda r: [x.id for x in flow.model.rules].index(r))
        if rules:
            machine.add_transition("decide", recommendation, sid, label=sanitize(", ".join(rules)))
    # The machine is its own model and sits in the first state: drop the "active" styling.
    graph = machine.model_graphs[id(machine)]
    graph.reset_styling()
    text = graph.get_graph(machine.title).draw(None)
    return text if text.endswith("\n") else text + "\n"


__all__ = ["GRAPH_SAMPLES", "RECOMMENDATION", "edge_label", "mermaid", "sanitize", "short_prompt"]
