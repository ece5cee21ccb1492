"""Site-wide error answers in Chinese: a bad query parameter names the parameter and the reason."""
from django.http import JsonResponse
from django.shortcuts import render


def bad_request(request, exception=None):
    message = str(exception) if exception is not None and str(exception) else ""
    if request.path.endswith(".json") or request.path.startswith("/api/"):
        return JsonResponse({"detail": message or "请求的参数有误。"}, status=400)
    return render(request, "400.html", {"message": message}, status=400)
