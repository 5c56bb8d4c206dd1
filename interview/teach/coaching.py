"""Coaching on the score items people most often get wrong, read from ``coaching.yaml``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

COACHING_FILE = Path(__file__).with_name("coaching.yaml")


class CoachingTopic(BaseModel):
    """One item with poor inter-observer agreement: the distinguishing sign and a worked example."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    question: str = Field(description="the flow question the topic coaches")
    checkpoints: list[str] = Field(description="quiz checkpoints after which a wrong answer shows it")
    title: str
    section: str
    sign: str
    example: str
    pitfall: str | None = None
    source: str

    def text(self) -> str:
        """The topic as plain text, for the coaching panel and transcripts."""
        lines = [self.title, f"Distinguishing sign: {self.sign}", f"Worked example: {self.example}"]
        if self.pitfall:
            lines.append(f"Pitfall: {self.pitfall}")
        lines.append(f"Source: REFERENCE {self.section}; {self.source}")
        return "\n".join(lines)


class _CoachingFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    topics: list[CoachingTopic]


@lru_cache(maxsize=1)
def load_topics() -> tuple[CoachingTopic, ...]:
    """Every coaching topic, in file order."""
    from interview.files.reading import COACHING_LIMIT, read_yaml

    data = read_yaml(COACHING_FILE, limit=COACHING_LIMIT, kind="coaching")
    return tuple(_CoachingFile.model_validate(data).topics)


def topics_for(checkpoint_id: str) -> list[CoachingTopic]:
    """The topics shown after a wrong answer at a quiz checkpoint."""
    return [t for t in load_topics() if checkpoint_id in t.checkpoints]


def render_coaching(topics: list[CoachingTopic] | None = None) -> str:
    """Topics (all by default) as one block of text."""
    return "\n\n".join(t.text() for t in (load_topics() if topics is None else topics))
