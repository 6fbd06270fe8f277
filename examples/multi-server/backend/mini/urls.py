"""One JSON endpoint: the 'API' the frontend would call."""
from django.http import JsonResponse
from django.urls import path


def api(request):
    return JsonResponse({"api": "v1"})


urlpatterns = [path("api/", api)]
