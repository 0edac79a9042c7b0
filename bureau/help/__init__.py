"""
操作说明: the portal's help, kept in the repository as Markdown and rendered by the portal.

- The roles' and the office's common pages are this package's Markdown files (`ROLE_PAGES`, `GUIDE_PAGES`
  in `bureau.help.pages`); each area app's page is its own file, declared on the kit
  (`AreaConfig.help`, by default `help.md` next to its `apps.py`; `bureau.checks` checks it exists).
- `bureau.help.rendering` turns a file into HTML once per change of the file (raw HTML is escaped,
  headings get anchors for the table of contents); `bureau.help.views` serves /help/ and /help/<slug>/.
- The header of every staff and station page links to the page most relevant to where the user is
  (`{% help_url %}`, bureau/templatetags/help_links.py).
"""
