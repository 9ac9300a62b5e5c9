"""The role-based home pages and the navigation: sections for an employee, a manager, a mentor and HR,
each reading the apps below through their selectors and access. Owns no data."""
