"""Tools for the people who write flows: the linter (`spine-interview check`) and the Mermaid graph.

They sit above the engine — they drive it to explore a flow's paths — so they live apart from
:mod:`interview.flow`, which the engine itself builds on.
"""
