from tests.cases.conftest import policy  # noqa: F401
from tests.plans.conftest import case, make_case  # noqa: F401  (a monitored case to plan for)
