"""API for evaluations, suggestions, orders and the milestone checklist (DESIGN.md, v1).

Viewsets parse, call one service and answer. Access: evaluations and suggestions
need ``VIEW_CHART`` to read and ``CHART`` to write; orders are readable with
``VIEW`` (parents, their own children only) and written with ``CHART``.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from clinic import audit
from clinic.access import (
    Action,
    clinics_for,
    get_for,
    get_patient_for,
    patients_visible_to,
    require,
    restrict,
)
from clinic.api import AgeSerializer
from clinic.api_schema import CONFLICT
from clinic.models import AuditAction
from evaluations import norms, selectors, services
from evaluations.models import (
    ORDER_CODE_CHOICES,
    URGENT_FIRST,
    Evaluation,
    FollowUpOrder,
    OrderStatus,
    Priority,
    SignedEvaluationError,
    Suggestion,
    SuggestionStatus,
    Tone,
)

router = SimpleRouter()

READ_METHODS = ("GET", "HEAD", "OPTIONS")


def _drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    return serializers.ValidationError(detail)


def _conflict(message: str, **extra: Any) -> Response:
    return Response({"detail": message, **extra}, status=status.HTTP_409_CONFLICT)


def _user_name(user: Any) -> str | None:
    return user.get_username() if user is not None else None


# --------------------------------------------------------------------------
# Serializers
# --------------------------------------------------------------------------


class ReasonSerializer(serializers.Serializer):
    rule = serializers.CharField()
    level = serializers.CharField()
    explanation = serializers.CharField()
    source = serializers.CharField()


class SuggestionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    patient = serializers.UUIDField(source="patient.uuid", read_only=True)
    evaluation = serializers.UUIDField(source="evaluation.uuid", read_only=True, allow_null=True)
    label = serializers.CharField(source="get_code_display", read_only=True)
    reasons = ReasonSerializer(many=True, read_only=True)
    decided_by = serializers.SerializerMethodField()
    order = serializers.SerializerMethodField()

    class Meta:
        model = Suggestion
        fields = ["id", "patient", "evaluation", "code", "label", "priority", "reasons", "status",
                  "decided_by", "decided_at", "dismiss_reason", "order", "created_at"]
        read_only_fields = fields

    def get_decided_by(self, obj: Suggestion) -> str | None:
        return _user_name(obj.decided_by)

    def get_order(self, obj: Suggestion) -> str | None:
        order = getattr(obj, "order", None)
        return str(order.uuid) if order is not None else None


class FindingSerializer(serializers.Serializer):
    rule = serializers.CharField()
    level = serializers.CharField()
    explanation = serializers.CharField()
    source = serializers.CharField()


class EvaluationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    patient = serializers.UUIDField(source="patient.uuid")
    clinician = serializers.SerializerMethodField()
    signed_by = serializers.SerializerMethodField()
    amends = serializers.SerializerMethodField()
    reflexes = serializers.JSONField(required=False)
    hine = serializers.JSONField(required=False)
    milestones = serializers.JSONField(required=False)
    tone = serializers.ChoiceField(choices=Tone.choices, required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    age = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()
    suggestions = serializers.SerializerMethodField()
    no_tests_needed = serializers.SerializerMethodField(
        help_text="True when the typical picture with a normal exam applies (CLINICAL.md 7)."
    )
    no_tests_note = serializers.SerializerMethodField(help_text="The same words the page shows.")

    class Meta:
        model = Evaluation
        fields = [
            "id", "patient", "performed_at", "clinician", "history", "birth_history",
            "family_history", "reflexes", "hine", "tone", "milestones", "lost_skills",
            "observed_movements", "assessment", "plan", "status", "version", "signed_at",
            "signed_by", "amends", "hine_total", "hine_asymmetries", "age", "norms_note",
            "checklist_age_months", "findings", "suggestions", "no_tests_needed", "no_tests_note",
            "created_at", "updated_at",
        ]
        read_only_fields = ["status", "signed_at", "hine_total", "hine_asymmetries", "norms_note",
                            "checklist_age_months", "created_at", "updated_at"]
        extra_kwargs = {"performed_at": {"required": False}}

    def get_clinician(self, obj: Evaluation) -> str:
        return obj.clinician.get_username()

    def get_signed_by(self, obj: Evaluation) -> str | None:
        return _user_name(obj.signed_by)

    def get_amends(self, obj: Evaluation) -> str | None:
        return str(obj.amends.uuid) if obj.amends_id else None

    @extend_schema_field(AgeSerializer)
    def get_age(self, obj: Evaluation) -> dict[str, Any]:
        return obj.age.as_dict()

    def get_findings(self, obj: Evaluation) -> list[dict[str, str]]:
        return [f.as_dict() for f in obj.findings.all()]

    def _no_tests_note(self, obj: Evaluation) -> str:
        if obj.is_signed:
            return obj.no_tests_note
        if not self.context.get("live_suggestions"):
            return ""
        data = {name: getattr(obj, name) for name in services.CLINICAL_FIELDS}
        result = services.evaluation_judge(patient=obj.patient, data=data,
                                           performed_at=obj.performed_at, evaluation=obj).suggestions
        return result.no_tests_note or ""

    def get_no_tests_needed(self, obj: Evaluation) -> bool:
        return bool(self._no_tests_note(obj))

    def get_no_tests_note(self, obj: Evaluation) -> str:
        return self._no_tests_note(obj)

    def get_suggestions(self, obj: Evaluation) -> list[dict[str, Any]]:
        if obj.is_signed:
            return SuggestionSerializer(obj.suggestions.all(), many=True).data
        if not self.context.get("live_suggestions"):
            return []
        # A draft's suggestions are a preview: computed now, stored only when signed.
        data = {name: getattr(obj, name) for name in services.CLINICAL_FIELDS}
        result = services.evaluation_judge(patient=obj.patient, data=data,
                                           performed_at=obj.performed_at, evaluation=obj).suggestions
        return [{**s.as_dict(), "id": None, "label": s.label, "status": SuggestionStatus.SUGGESTED}
                for s in result.suggestions]

    def validate_performed_at(self, value: Any) -> Any:
        if value > timezone.now():
            raise serializers.ValidationError(_("An examination cannot be in the future."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        clinical = {name: attrs[name] for name in services.CLINICAL_FIELDS if name in attrs}
        try:
            attrs.update(services.evaluation_clean(clinical, partial=True))
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return attrs


class SignSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1,
                                       error_messages={"required": _("Send the version you loaded.")})


class OrderSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    patient = serializers.UUIDField(source="patient.uuid")
    suggestion = serializers.SerializerMethodField()
    code = serializers.ChoiceField(choices=ORDER_CODE_CHOICES)
    test = serializers.CharField(required=False, allow_blank=True, max_length=200)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
    ordered_by = serializers.SerializerMethodField()
    parent_explanation = serializers.CharField(read_only=True)

    class Meta:
        model = FollowUpOrder
        fields = ["id", "patient", "suggestion", "code", "test", "priority", "status",
                  "result_notes", "ordered_by", "ordered_at", "updated_at", "parent_explanation"]
        read_only_fields = ["ordered_at", "updated_at"]

    def get_suggestion(self, obj: FollowUpOrder) -> str | None:
        return str(obj.suggestion.uuid) if obj.suggestion_id else None

    def get_ordered_by(self, obj: FollowUpOrder) -> str:
        return obj.ordered_by.get_username()

    def to_representation(self, instance: FollowUpOrder) -> dict[str, Any]:
        data = super().to_representation(instance)
        # Working notes reach a family only with the result, as on the orders page.
        resulted = instance.status == OrderStatus.RESULTED
        if not resulted and instance.patient.clinic_id not in self._chart_clinics():
            data["result_notes"] = ""
        return data

    def _chart_clinics(self) -> set[int]:
        """Clinics whose charts the caller reads, looked up once per answer (lists too)."""
        if "_chart_clinics" not in self.context:
            request = self.context.get("request")
            user = getattr(request, "user", None)
            self.context["_chart_clinics"] = set(
                clinics_for(user, Action.VIEW_CHART).values_list("pk", flat=True))
        return self.context["_chart_clinics"]


# --------------------------------------------------------------------------
# Viewsets
# --------------------------------------------------------------------------


class PatientFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter(field_name="patient__uuid")


class EvaluationFilter(PatientFilter):
    status = django_filters.ChoiceFilter(choices=[("draft", "draft"), ("signed", "signed")])

    class Meta:
        model = Evaluation
        fields = ["patient", "status"]


class SuggestionFilter(PatientFilter):
    status = django_filters.ChoiceFilter(choices=SuggestionStatus.choices)

    class Meta:
        model = Suggestion
        fields = ["patient", "status"]


class OrderFilter(PatientFilter):
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices)

    class Meta:
        model = FollowUpOrder
        fields = ["patient", "status"]


def _chart_patient(user: Any, patient_id: Any) -> Any:
    """The patient named in a write: 400 if unknown or invisible, 403 if not chartable."""
    patient = patients_visible_to(user).filter(uuid=patient_id).first()
    if patient is None:
        raise serializers.ValidationError({"patient": _("No such patient.")})
    require(user, Action.CHART, patient, message=_("You may not chart for this patient."))
    return patient


class AuditedListMixin:
    audit_object_type = ""

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)  # type: ignore[misc]
        page = getattr(self.paginator, "page", None)  # type: ignore[attr-defined]
        if page is not None:
            audit.record_list(request, [row.patient for row in page.object_list],
                              object_type=self.audit_object_type)
        return response


@extend_schema_view(
    partial_update=extend_schema(responses={200: EvaluationSerializer, 409: CONFLICT}),
    create=extend_schema(responses={201: EvaluationSerializer}),
)
class EvaluationViewSet(
    AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, viewsets.GenericViewSet,
):
    """Evaluations of patients the caller may chart; drafts change with their ``version``."""

    serializer_class = EvaluationSerializer
    lookup_url_kwarg = "id"
    filterset_class = EvaluationFilter
    audit_object_type = "evaluation"

    def get_queryset(self) -> QuerySet[Evaluation]:
        queryset = restrict(Evaluation.objects.all(), self.request.user, Action.VIEW_CHART)
        return selectors.evaluation_with_details(queryset).order_by("-performed_at", "id")

    def get_object(self) -> Evaluation:
        evaluation = get_for(self.request.user, self.get_queryset(), Action.VIEW_CHART,
                             uuid=self.kwargs["id"])
        if self.request.method not in READ_METHODS:
            require(self.request.user, Action.CHART, evaluation.patient, obj=evaluation,
                    message=_("You may not chart for this patient."))
        return evaluation

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "live_suggestions": self.action != "list"}

    def _answer(self, evaluation: Evaluation, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=evaluation.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        evaluation = self.get_object()
        audit.record(request, AuditAction.READ, patient=evaluation.patient, obj=evaluation)
        return Response(self.get_serializer(evaluation).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        patient = _chart_patient(request.user, data.pop("patient")["uuid"])
        data.pop("version", None)
        try:
            evaluation = services.evaluation_create(
                patient=patient, clinician=request.user, data=data,
                performed_at=data.pop("performed_at", None),
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        audit.record(request, AuditAction.CREATE, patient=patient, obj=evaluation)
        return self._answer(evaluation, status.HTTP_201_CREATED)

    @extend_schema(responses={200: EvaluationSerializer, 409: CONFLICT})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        evaluation = self.get_object()
        serializer = self.get_serializer(evaluation, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        if version is None:
            raise serializers.ValidationError({"version": _("Send the version you loaded.")})
        if "patient" in data and data["patient"]["uuid"] != evaluation.patient.uuid:
            raise serializers.ValidationError({"patient": _("An evaluation cannot move to another patient.")})
        try:
            evaluation = services.evaluation_save_draft(
                evaluation=evaluation, by=request.user, version=version, data=data
            )
        except services.EvaluationConflict as exc:
            return _conflict(str(exc), current_version=exc.current_version)
        except SignedEvaluationError as exc:
            return _conflict(str(exc))
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        audit.record(request, AuditAction.UPDATE, patient=evaluation.patient, obj=evaluation)
        return self._answer(evaluation)

    @extend_schema(request=SignSerializer, responses={200: EvaluationSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, id: str | None = None) -> Response:  # noqa: A002
        evaluation = self.get_object()
        body = SignSerializer(data=request.data if hasattr(request.data, "get") else {})
        body.is_valid(raise_exception=True)
        version = body.validated_data["version"]
        try:
            evaluation = services.evaluation_sign(evaluation=evaluation, by=request.user,
                                                  version=version)
        except services.EvaluationConflict as exc:
            return _conflict(str(exc), current_version=exc.current_version)
        except SignedEvaluationError as exc:
            return _conflict(str(exc))
        audit.record(request, AuditAction.UPDATE, patient=evaluation.patient, obj=evaluation)
        return self._answer(evaluation)

    @extend_schema(request=None, responses={
        201: OpenApiResponse(EvaluationSerializer, description="The new draft amending this one."),
        409: CONFLICT})
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, id: str | None = None) -> Response:  # noqa: A002
        evaluation = self.get_object()
        try:
            amendment = services.evaluation_amend(evaluation=evaluation, by=request.user)
        except DjangoValidationError as exc:
            return _conflict(" ".join(exc.messages))
        audit.record(request, AuditAction.CREATE, patient=amendment.patient, obj=amendment)
        return self._answer(amendment, status.HTTP_201_CREATED)


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, error_messages={"blank": _("Say why this suggestion is dismissed."),
                                         "required": _("Say why this suggestion is dismissed.")})


class SuggestionViewSet(AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """Suggestions raised by signed evaluations; clinicians accept or dismiss them."""

    serializer_class = SuggestionSerializer
    lookup_url_kwarg = "id"
    filterset_class = SuggestionFilter
    audit_object_type = "suggestion"

    def get_queryset(self) -> QuerySet[Suggestion]:
        queryset = Suggestion.objects.select_related("patient", "evaluation", "decided_by", "order")
        return restrict(queryset, self.request.user, Action.VIEW_CHART).order_by(
            URGENT_FIRST.asc(), "-created_at", "id"
        )

    def get_object(self) -> Suggestion:
        suggestion = get_for(self.request.user, self.get_queryset(), Action.VIEW_CHART,
                             uuid=self.kwargs["id"])
        if self.request.method not in READ_METHODS:
            require(self.request.user, Action.CHART, suggestion.patient, obj=suggestion,
                    message=_("You may not decide suggestions for this patient."))
        return suggestion

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        suggestion = self.get_object()
        audit.record(request, AuditAction.READ, patient=suggestion.patient, obj=suggestion)
        return Response(self.get_serializer(suggestion).data)

    def _decided(self, suggestion: Suggestion) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=suggestion.pk)).data)

    @extend_schema(request=None, responses={
        201: OpenApiResponse(OrderSerializer, description="The order the accepted suggestion made."),
        409: CONFLICT})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, id: str | None = None) -> Response:  # noqa: A002
        suggestion = self.get_object()
        try:
            order = services.suggestion_accept(suggestion=suggestion, by=request.user)
        except DjangoValidationError as exc:
            return _conflict(" ".join(exc.messages))
        audit.record(request, AuditAction.CREATE, patient=order.patient, obj=order)
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DismissSerializer, responses={200: SuggestionSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, id: str | None = None) -> Response:  # noqa: A002
        suggestion = self.get_object()
        # A serializer, not request.data: its CharField refuses NUL and lone surrogates
        # (which PostgreSQL text and UTF-8 cannot hold) with a field error.
        body = DismissSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reason = body.validated_data["reason"]
        try:
            suggestion = services.suggestion_dismiss(suggestion=suggestion, by=request.user,
                                                     reason=reason)
        except DjangoValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise _drf_error(exc) from exc
            return _conflict(" ".join(exc.messages))
        audit.record(request, AuditAction.UPDATE, patient=suggestion.patient, obj=suggestion)
        return self._decided(suggestion)


class OrderViewSet(AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Follow-up orders: parents read their children's, clinicians order and update."""

    serializer_class = OrderSerializer
    lookup_url_kwarg = "id"
    filterset_class = OrderFilter
    audit_object_type = "followuporder"

    def get_queryset(self) -> QuerySet[FollowUpOrder]:
        queryset = FollowUpOrder.objects.select_related("patient", "suggestion", "ordered_by")
        return restrict(queryset, self.request.user, Action.VIEW).order_by("-ordered_at", "id")

    def get_object(self) -> FollowUpOrder:
        order = get_for(self.request.user, self.get_queryset(), Action.VIEW, uuid=self.kwargs["id"])
        if self.request.method not in READ_METHODS:
            require(self.request.user, Action.CHART, order.patient, obj=order,
                    message=_("You may not change orders for this patient."))
        return order

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        order = self.get_object()
        audit.record(request, AuditAction.READ, patient=order.patient, obj=order)
        return Response(self.get_serializer(order).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        patient = _chart_patient(request.user, data.pop("patient")["uuid"])
        data.pop("status", None)
        try:
            order = services.order_create(patient=patient, by=request.user, **data)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        audit.record(request, AuditAction.CREATE, patient=patient, obj=order)
        return Response(self.get_serializer(order).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        order = self.get_object()
        serializer = self.get_serializer(order, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        changed = {key: data[key] for key in ("status", "result_notes", "priority") if key in data}
        try:
            order = services.order_update(order=order, by=request.user, **changed)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        audit.record(request, AuditAction.UPDATE, patient=order.patient, obj=order)
        return Response(self.get_serializer(order).data)


class _OneObjectSchema(AutoSchema):
    """The checklist is one object, though served by a router's ``list`` route."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class MilestoneViewSet(viewsets.ViewSet):
    """GET ?patient=ID: the milestone checklist for the child's (corrected) age band."""

    # Without this the schema promised an array, and schemathesis caught the answer (an
    # object) breaking the contract.
    schema = _OneObjectSchema()

    @extend_schema(
        parameters=[OpenApiParameter("patient", str, required=True)],
        responses=inline_serializer("MilestoneChecklist", {
            "patient": serializers.UUIDField(),
            "age": AgeSerializer(),
            "checklist_age_months": serializers.IntegerField(allow_null=True),
            "note": serializers.CharField(allow_null=True),
            "items": serializers.ListField(child=serializers.DictField()),
        }),
    )
    def list(self, request: Request) -> Response:
        patient_id = request.query_params.get("patient")
        if not patient_id:
            raise serializers.ValidationError({"patient": _("Name the patient: ?patient=ID.")})
        patient = get_patient_for(request.user, patient_id, Action.VIEW_CHART)
        audit.record(request, AuditAction.READ, patient=patient, object_type="milestones")
        age = patient.age()
        checklist = norms.checklist_for(age)
        return Response({
            "patient": str(patient.uuid),
            "age": age.as_dict(),
            "checklist_age_months": checklist.age_months if checklist else None,
            "note": norms.no_checklist_reason(age),
            "items": [m.as_dict() for m in checklist.items] if checklist else [],
        })


router.register("evaluations", EvaluationViewSet, basename="evaluation")
router.register("suggestions", SuggestionViewSet, basename="suggestion")
router.register("orders", OrderViewSet, basename="order")
router.register("milestones", MilestoneViewSet, basename="milestone")
