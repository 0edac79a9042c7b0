"""
The demo kit: a fictional district (示范区) for `manage.py seed_demo`.

- `registry` generates the people of the district from a random generator
  seeded with the demo year, and the veterans discharged in the current year
  up to today, without touching the database;
- `writers` writes the site profile, townships, demo logins and that registry;
- `helpers` is what an area app's `demo.seed` builds on, so that its demo
  data is mostly declarations: persons picked from the registry, rows written
  on their natural keys, approval by the demo clerk, payments of a programme.
"""
