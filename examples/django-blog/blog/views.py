"""Views of the blog app.

`marker` answers with a fixed line that tests and benchmarks rewrite (v1 -> v2)
to see when the new code is being served. Keep the MARKER line as it is: they
edit it with a plain text substitution.
"""
from django.db import DatabaseError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Post

MARKER = "marker: v1"


def marker(request):
    return HttpResponse(MARKER + "\n", content_type="text/plain; charset=utf-8")


def post_list(request):
    try:
        posts = list(Post.objects.all()[:20])
    except DatabaseError:  # not migrated yet: the page says so instead of failing
        posts = None
    return render(request, "blog/post_list.html", {"posts": posts})


def post_detail(request, slug):
    post = get_object_or_404(Post, slug=slug)
    return render(request, "blog/post_detail.html", {"post": post})
