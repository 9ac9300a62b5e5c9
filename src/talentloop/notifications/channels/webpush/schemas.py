"""The typed JSON of Web Push: what the service worker (``static/js/sw-push.js``) shows as a notification."""

from __future__ import annotations

import pydantic


class PushPayload(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    title: str
    body: str
    url: str = ""
    count: int = 1
