from django.http import Http404


def employee_import(request):  # replaced by the import/export implementation
    raise Http404


def employee_export(request):
    raise Http404
