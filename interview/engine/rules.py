"""Routing, flags, urgency and the structured parts of the recommendation, read from the flow.

The first rule whose condition holds decides the headline; flags, urgency and advice may then also
read ``headline`` and ``rule``. Every statement carries the rule or table behind it and its sources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from interview.engine.scoring import Evaluation
from interview.flow.load import LoadedFlow
from interview.flow.model import PointsScore, Rule, Sourced

# The result models are imported where a recommendation is built, not with the engine: a session
# needs them only once a case is complete, and building them is a large part of opening the app.
if TYPE_CHECKING:
    from interview.result import Cited, Recommendation, Statement


def cite(flow: LoadedFlow, node: Sourced) -> list[Cited]:
    """The references of a flow node, with their citations."""
    from interview.result import Cited

    refs = flow.model.references
    return [Cited(id=r, citation=refs[r].citation) for r in node.refs]


def _statement(**fields: Any) -> Statement:
    from interview.result import Statement

    return Statement(**fields)


def route(flow: LoadedFlow, env: Evaluation) -> Rule:
    """The first routing rule that holds (the last rule always does)."""
    for rule in flow.model.rules:
        if rule.when is None or flow.cond(rule)(env):
            return rule
    raise AssertionError("the flow's last rule has no condition")  # guaranteed at load time


def _inputs(expression_names: frozenset[str] | set[str], env: Evaluation) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in sorted(expression_names):
        value = env[name]
        if isinstance(value, dict) and "total" in value:
            value = {k: v for k, v in value.items() if k not in ("items", "range", "possible_bands")}
        out[name] = value
    return out


def recommend(flow: LoadedFlow, env: Evaluation) -> Recommendation:
    """Build the recommendation for a complete set of answers.

    Args:
        flow: the loaded flow.
        env: the evaluation of a complete case.
    """
    from interview.result import Recommendation

    model = flow.model
    rule = route(flow, env)
    env["headline"] = rule.headline
    env["rule"] = rule.id
    headline = model.headlines[rule.headline]
    rule_inputs = _inputs(flow.cond(rule).names, env) if rule.when else {}
    rule_text = flow.template(rule.because).render(env)

    flags: list[Statement] = []
    for flag in model.flags:
        condition = flow.cond(flag)
        if condition(env):
            flags.append(_statement(
                id=flag.id, text=flow.template(flag.text).render(env), basis=f"flag:{flag.id}",
                section=flag.section, refs=cite(flow, flag), convention=flag.convention,
                inputs=_inputs(condition.names, env),
            ))

    level = next(u for u in model.urgency if u.when is None or flow.cond(u)(env))
    urgency_text = flow.template(level.because).render(env)

    parts: dict[str, list[Statement]] = {p.id: [] for p in model.parts}
    for item in model.advice:
        condition = flow.cond(item) if item.when else None
        if condition is None or condition(env):
            parts[item.part].append(_statement(
                id=item.id, text=flow.template(item.text).render(env), basis=f"advice:{item.id}",
                section=item.section, refs=cite(flow, item), convention=item.convention,
                inputs=_inputs(condition.names, env) if condition else {},
            ))

    rationale = [_statement(
        id=f"rule_{rule.id}", text=f"Rule {rule.id}: {rule_text}", basis=rule.id, section=rule.section,
        refs=cite(flow, rule), convention=rule.convention, inputs=rule_inputs,
    )]
    rationale.append(_statement(
        id="urgency", text=f"Urgency {level.level}: {urgency_text}", basis=f"urgency:{level.level}",
        section=level.section, refs=cite(flow, level), convention=level.convention,
        inputs=_inputs(flow.cond(level).names, env) if level.when else {},
    ))
    for s in model.scores:
        rationale.extend(_score_statement(flow, s, env))
    rationale.extend(flags)

    return Recommendation(
        headline=rule.headline, headline_title=headline.title, headline_summary=headline.summary,
        rule=rule.id, rule_text=rule_text, urgency=level.level, urgency_text=urgency_text,
        flags=[f.id for f in flags], flag_details=flags, rationale=rationale,
        conventions=list(model.conventions), notice=model.notice, parts=parts,
    )


def contradictions(flow: LoadedFlow, env: Evaluation, recommendation: Recommendation) -> list[tuple[str, str]]:
    """The consistency pairs a recommendation breaks: ``(pair id, forbidden statement id)``.

    ``env`` is the evaluation :func:`recommend` filled (it holds ``headline`` and ``rule``). A flow
    whose pairs all hold returns ``[]`` for every case; ``check`` and the tests hold it to that.
    """
    if not flow.model.consistency:
        return []
    present = set(recommendation.flags) | {
        s.id for items in recommendation.parts.values() for s in items
    }
    env["urgency"] = recommendation.urgency
    return [(pair.id, forbidden) for pair in flow.model.consistency if flow.cond(pair)(env)
            for forbidden in pair.forbids if forbidden in present]


def _score_statement(flow: LoadedFlow, s: Any, env: Evaluation) -> list[Statement]:
    value = env[s.id]
    if value is None:
        return []
    if isinstance(s, PointsScore):
        items = ", ".join(f"{i['label']} {i['points']}" for i in value["items"])
        text = f"{s.title}: {value['total']} — {value['band_label']} ({items})."
        inputs = {"total": value["total"], **{k: value[k] for b in s.bands[:1] for k in b.values}}
    elif isinstance(value, dict):
        text = f"{s.title}: " + ", ".join(f"{k} {_plain(v)}" for k, v in value.items()) + "."
        inputs = dict(value)
    else:
        text = f"{s.title}: {_plain(value)}."
        inputs = {s.id: value}
    if s.explain:
        text += " " + s.explain.strip()
    return [_statement(
        id=f"score_{s.id}", text=text, basis=f"score:{s.id}", section=s.section, refs=cite(flow, s),
        convention=s.convention, inputs=inputs,
    )]


def _plain(value: Any) -> str:
    return "—" if value is None else str(value).replace("_", " ")
