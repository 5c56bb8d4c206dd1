"""The emergency banner: the MSCC bundle, shown the moment a deficit is reported and kept in view."""

from __future__ import annotations

from rich.text import Text

from interview.flow.model import Alert
from interview.tui.widgets.steady import Caption


class EmergencyBanner(Caption):
    """Docked at the top while an emergency alert holds; hidden otherwise."""

    DEFAULT_CSS = """
    EmergencyBanner {
        height: auto;
        max-height: 8;
        background: $error;
        color: $text;
        padding: 0 1;
        display: none;
    }
    EmergencyBanner.-active { display: block; }
    """

    def show_alerts(self, alerts: list[Alert], compact: bool = False) -> None:
        """Show the emergency alerts (or hide the banner when there are none)."""
        emergencies = [a for a in alerts if a.level == "emergency"]
        self.set_class(bool(emergencies), "-active")
        if not emergencies:
            return
        text = Text()
        for n, a in enumerate(emergencies):
            # Words and a symbol, not the red alone: the banner reads the same without colour.
            word = "" if "emergency" in a.title.lower() else "EMERGENCY: "
            text.append(("\n" if n else "") + f"⚠ {word}{a.title}", style="bold")
            if compact and a.summary:
                # Every action in one line: on a short terminal none of them is left out.
                text.append(f"\n{a.summary}")
                continue
            lines = a.lines[:2] if compact else a.lines
            for line in lines:
                text.append(f"\n• {line}")
        self.show(text)
