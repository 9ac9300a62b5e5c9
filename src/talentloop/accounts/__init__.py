"""Accounts and sign-in: users, passwords and reset codes, sign-in throttling, sessions, API tokens and
role assignments (HR, mentor, admin). Sits on core only; the scopes that need the organisation (which
accounts HR may reach) are registered by organisation."""
