"""spine-interview: a guided interview for spinal metastases that ends in a referenced recommendation.

Decision support for the responsible clinician and the MDT, never orders.
"""

__version__ = "0.1.0"
