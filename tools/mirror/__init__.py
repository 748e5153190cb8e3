"""Generator of the offline mirror's reconstructed pages, routes.json and manifest.json.

Run `python -m tools.mirror` from the repository root after editing the texts or templates; it
rewrites the generated files under archiver/mirror/ (tests/mirror/ fails while they are stale).
The archiver package serves those files and never imports this generator.

  chinadaily/   China Daily: texts, chrome, articles, photo story pages, list pages, sections
  globaltimes/  Global Times: texts, dates, articles, section indexes, sitemap, robots.txt
  model.py      the shapes of a figure and of an article of either site
  markup.py     shared pieces: the reconstructed mark, templates/, paths, escaping, JSON
  requisites.py placeholder pictures and stand-in stylesheets
  manifest.py   manifest.json and routes.json
  build.py      assembles every file and writes them
"""
