"""Gives a copy of the example blog a page for the browser tests: /live/, an
HTML page with the MARKER line (in #m) and the site's stylesheet."""
from pathlib import Path

VIEW = '''

def live(request):
    return HttpResponse(
        '<!doctype html><html><head><link rel="stylesheet" href="/static/css/site.css"></head>'
        '<body><p id="m">' + MARKER + '</p></body></html>',
        content_type="text/html; charset=utf-8",
    )
'''


def add_live_page(root: Path) -> None:
    views = root / "blog" / "views.py"
    views.write_text(views.read_text() + VIEW)
    urls = root / "blog" / "urls.py"
    text = urls.read_text()
    anchor = 'path("marker/", views.marker, name="marker"),'
    assert anchor in text
    urls.write_text(text.replace(anchor, anchor + '\n    path("live/", views.live, name="live"),'))
