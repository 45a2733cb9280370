from tests.cases.conftest import policy  # noqa: F401  (the shared province policy fixture)
from tests.plans.conftest import make_case  # noqa: F401
