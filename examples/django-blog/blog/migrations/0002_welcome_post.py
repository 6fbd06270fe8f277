"""Seed one post so the homepage lists something after `migrate`."""
from django.db import migrations


def add_welcome(apps, schema_editor):
    Post = apps.get_model("blog", "Post")
    Comment = apps.get_model("blog", "Comment")
    post = Post.objects.create(
        title="Hello from devwatch",
        slug="hello",
        body="Edit blog/views.py and watch the server restart.",
    )
    Comment.objects.create(post=post, author="devwatch", text="First!")


def remove_welcome(apps, schema_editor):
    apps.get_model("blog", "Post").objects.filter(slug="hello").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("blog", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_welcome, remove_welcome),
    ]
