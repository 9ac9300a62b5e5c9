from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse

from talentloop.home import selectors


@login_required
def index(request):
    return TemplateResponse(request, "home/index.html", selectors.home_summary(request.actor))


@login_required
def more(request):
    return TemplateResponse(request, "home/more.html", {})
