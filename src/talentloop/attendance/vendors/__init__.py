"""Pulling punch records from the attendance apps of WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书),
one module per vendor with pydantic models of the documented requests and answers. The HTTP door and
the access-token endpoints are the chat channels' (``notifications.channels``): one client per vendor,
the same timeouts, no URL or secret in a log line.

Each module offers ``fetch_token(base_url, app_id, secret) -> (token, lifetime)`` and
``punches(base_url, token, user_ids, start, end, id_type) -> list[Punch]`` for at most ``BATCH`` users
and a window of at most ``WINDOW``; ``base`` caches the token and retries once with a fresh one.
"""
