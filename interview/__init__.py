"""spine-interview: a guided interview for spinal metastases that ends in a referenced recommendation.

Decision support for the responsible clinician and the MDT, never orders.
"""

import os

__version__ = "0.1.0"

# Patient data must never leave this machine: third-party pydantic plugins (observability,
# telemetry) are switched off for this process and its children. It also spares every command the
# entry-point scan pydantic makes to find plugins — most of a headless run's start-up time.
os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
