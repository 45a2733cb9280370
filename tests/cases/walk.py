"""Access-walk registrations of the cases app, one module per area."""

from tests.cases.walk_national import WALK as NATIONAL
from tests.cases.walk_notices import WALK as NOTICES
from tests.cases.walk_policy import WALK as POLICY
from tests.cases.walk_public import WALK as PUBLIC
from tests.cases.walk_work import WALK as WORK

WALK = {**NATIONAL, **NOTICES, **POLICY, **PUBLIC, **WORK}
