"""Server-rendered pages for cases, incidents, persons and the trash.

Views are thin: they find the object through ``cases.permissions`` (missing and forbidden are both 404), read through
``cases.selectors``, validate with ``cases.forms`` and write through ``cases.services``. A service's ValidationError
is shown on the form and nothing is written. Evidence, deadlines and documents are optional neighbours: their
slots render only when those apps provide the selector, template or URL.
"""
from cases.views.cases import *  # noqa: F401,F403
from cases.views.common import _history_rows, _page  # noqa: F401  (cases.views_persons uses them)
from cases.views.incidents import *  # noqa: F401,F403
