"""Views of the pages app.

`about` renders pages/about.html, whose TEMPLATE_MARKER line tests edit to
show that a template change is served after a restart (with --noreload,
Django >= 4.1 caches compiled templates for the life of the process).
"""
from django.shortcuts import render


def about(request):
    return render(request, "pages/about.html", {})
