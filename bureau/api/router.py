"""
The one router of the REST API at `/api/v1/`.

An area app exposes its records by registering viewsets on this router in its
own `api.py`; `bureau.api.urls` imports the module each area app declares as
`AreaConfig.api` (bureau.areas)
before it builds the URL patterns, so nothing else needs to change:

    # employment/api.py
    from bureau.api.router import router
    from bureau.api.viewsets import ScopedModelViewSet

    class JobFairViewSet(ScopedModelViewSet):
        queryset = JobFair.objects.all()
        serializer_class = JobFairSerializer
        filterset_class = JobFairFilterSet

    router.register("employment/job-fairs", JobFairViewSet)

Prefix area endpoints with the app (`employment/...`) so names never collide.
The viewset bases in `bureau.api.viewsets` bring township scoping, the
submission workflow on writes and Django model permissions; the serializer
base in `bureau.api.serializers` brings masking and scoped related fields.
A list whose serializer reads only columns (own fields, `person.name`-style
sources through foreign keys, `get_<field>_display`, slugs, nested lists of a
reverse relation) is answered from `.values()` rows without a model instance
per row (`bureau.api.lean`); a method field or a model property as a source
keeps that list on the serializer, with the same JSON either way.
"""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
