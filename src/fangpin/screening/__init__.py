"""Department-data screening on a set-based engine (Ibis: DuckDB embedded, Spark later).

The core (``fangpin.core.screening.screening_facts`` and ``fangpin.core.rules``) is the reference;
this package computes the same facts for all households at once, compiles each core rule object to a
boolean column, and hands the flagged households back to the core ``evaluate()`` for the findings'
texts and figures. No Django here: the package must import in a Spark worker.
"""

from fangpin.screening.engine import Result, run

__all__ = ["Result", "run"]
