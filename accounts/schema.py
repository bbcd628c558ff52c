"""OpenAPI: describe Docket's knox token authentication (``Authorization: Token <token>``) as the API's scheme."""
from __future__ import annotations

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme


class DocketTokenScheme(KnoxTokenScheme):
    target_class = "accounts.auth.TokenAuthentication"
    name = "tokenAuth"
