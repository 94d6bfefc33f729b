"""Clinic core API: the caller, auth tokens, patients."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from clinic import audit, mfa, services, tokens
from clinic.access import (
    SEIZURE_PLAN_READ,
    SEIZURE_PLAN_RECORD,
    Action,
    clinics_for,
    get_patient_for,
    patients_visible_to,
)
from clinic.models import AuditAction, Clinic, Guardianship, Membership, Patient


class AgeSerializer(serializers.Serializer):
    chronological_days = serializers.IntegerField()
    corrected_days = serializers.IntegerField()
    uses = serializers.ChoiceField(choices=["chronological", "corrected"])


class PatientSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    clinic = serializers.SlugRelatedField(
        slug_field="uuid", queryset=Clinic.objects.none(), required=False
    )
    age = serializers.SerializerMethodField()

    class Meta:
        model = Patient
        fields = [
            "id", "clinic", "mrn", "given_name", "family_name", "date_of_birth", "sex",
            "gestational_age_weeks", "gestational_age_days", "birth_weight_grams",
            "birth_notes", "age", "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # MRN uniqueness per clinic is checked by the model (services.patient_create), where
        # the clinic is known even when the caller leaves it out.
        validators: list = []
        extra_kwargs = {
            "gestational_age_weeks": {"min_value": 22, "max_value": 44},
            "gestational_age_days": {"min_value": 0, "max_value": 6},
            "mrn": {"required": False},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only clinics where the caller may add patients can be named.
            self.fields["clinic"].queryset = clinics_for(request.user, Action.MANAGE)

    @extend_schema_field(AgeSerializer)
    def get_age(self, patient: Patient) -> dict[str, Any]:
        return patient.age().as_dict()

    def validate_date_of_birth(self, value: Any) -> Any:
        if value > timezone.localdate():
            raise serializers.ValidationError(_("The date of birth cannot be in the future."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and "clinic" not in attrs:
            clinics = list(self.fields["clinic"].queryset[:2])
            if len(clinics) != 1:
                raise serializers.ValidationError(
                    {"clinic": _("Name the clinic: you belong to more than one.")}
                    if clinics
                    else {"clinic": _("You may not add patients to any clinic.")}
                )
            attrs["clinic"] = clinics[0]
        if self.instance is not None and "clinic" in attrs and attrs["clinic"] != self.instance.clinic:
            raise serializers.ValidationError({"clinic": _("A patient cannot move between clinics.")})
        return attrs


class SeizurePlanSerializer(serializers.Serializer):
    known_seizure_disorder = serializers.BooleanField()
    seizure_plan = serializers.CharField(allow_blank=True, max_length=2000, trim_whitespace=True)
    updated_at = serializers.DateTimeField(source="seizure_plan_updated_at", read_only=True, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("known_seizure_disorder") and not attrs.get("seizure_plan", "").strip():
            raise serializers.ValidationError(
                {"seizure_plan": [_("Write the family's plan in plain words.")]}
            )
        return attrs


class PatientViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Patients the caller may see; clinicians add and edit those of their clinics."""

    serializer_class = PatientSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    filterset_fields = {"family_name": ["iexact"], "mrn": ["exact"]}

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return patients_visible_to(self.request.user).order_by("family_name", "given_name", "id")

    def get_object(self) -> Patient:
        action = Action.VIEW if self.request.method in ("GET", "HEAD", "OPTIONS") else Action.MANAGE
        return get_patient_for(self.request.user, self.kwargs["id"], action)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        page = getattr(self.paginator, "page", None)
        if page is not None:
            audit.record_list(request, page.object_list, object_type="patient")
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        patient = self.get_object()
        audit.record(request, AuditAction.READ, patient=patient)
        return Response(self.get_serializer(patient).data)

    @extend_schema(request=SeizurePlanSerializer, responses=SeizurePlanSerializer,
                   summary="A known seizure disorder and the family's plan (CLINICAL.md 3a)")
    @action(detail=True, methods=["get", "put"], url_path="seizure-plan", url_name="seizure-plan")
    def seizure_plan(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Everyone who sees the child reads it; only a clinician records it (others 403)."""
        needed = SEIZURE_PLAN_READ if request.method == "GET" else SEIZURE_PLAN_RECORD
        patient = get_patient_for(request.user, self.kwargs["id"], needed)
        if request.method == "GET":
            audit.record(request, AuditAction.READ, patient=patient, object_type="seizure_plan",
                         object_id=str(patient.uuid))
            return Response(SeizurePlanSerializer(patient).data)
        body = SeizurePlanSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.patient_seizure_plan_set(patient=patient, by=request.user, **body.validated_data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        audit.record(request, AuditAction.UPDATE, patient=patient, object_type="seizure_plan",
                     object_id=str(patient.uuid))
        return Response(SeizurePlanSerializer(patient).data)

    def perform_create(self, serializer: PatientSerializer) -> None:
        data = dict(serializer.validated_data)
        clinic = data.pop("clinic")
        try:
            patient = services.patient_create(clinic=clinic, created_by=self.request.user, **data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        serializer.instance = patient
        audit.record(self.request, AuditAction.CREATE, patient=patient)

    def perform_update(self, serializer: PatientSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("clinic", None)
        try:
            patient = services.patient_update(
                patient=serializer.instance, updated_by=self.request.user, **data
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        audit.record(self.request, AuditAction.UPDATE, patient=patient)


class MeView(APIView):
    """Who the caller is, their clinic roles and the children they are guardian of."""

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "username": serializers.CharField(),
                "memberships": serializers.ListField(child=serializers.DictField()),
                "children": serializers.ListField(child=serializers.UUIDField()),
            },
        )
    )
    def get(self, request: Request) -> Response:
        user = request.user
        memberships = Membership.objects.filter(user=user).select_related("clinic")
        children = Guardianship.objects.filter(user=user).values_list("patient__uuid", flat=True)
        return Response(
            {
                "username": user.get_username(),
                "is_superuser": user.is_superuser,
                "memberships": [
                    {"clinic": str(m.clinic.uuid), "clinic_name": m.clinic.name, "role": m.role}
                    for m in memberships
                ],
                "children": [str(child) for child in children],
            }
        )


class TokenThrottle(AnonRateThrottle):
    scope = "token"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False,
                                     style={"input_type": "password"})
    otp = serializers.CharField(
        required=False, allow_blank=True, max_length=32,
        help_text="Staff (and anyone who enrolled): the current code of their authenticator app, "
                  "or one unused recovery code.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context["request"]
        # authenticate() with the request, so django-axes counts failures and enforces lockout.
        user = authenticate(request=request, username=attrs["username"], password=attrs["password"])
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to log in with provided credentials.")]})
        if mfa.second_factor_required(user):
            if not mfa.has_second_factor(user):
                raise serializers.ValidationError({"otp": [
                    _("This account needs a second factor: sign in on the website once to set it up.")]})
            if not attrs.get("otp"):
                raise serializers.ValidationError({"otp": [
                    _("Enter the current code of your authenticator app, or a recovery code.")]})
            if mfa.is_locked_out(request, user) or mfa.verify_second_factor(
                    request, user, attrs["otp"]) is None:
                raise serializers.ValidationError({"otp": [_("That code is not right.")]})
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    id = serializers.CharField(source="token_key", read_only=True,
                               help_text="Names the token in lists and for revoking it.")
    created = serializers.DateTimeField(read_only=True)
    expiry = serializers.DateTimeField(read_only=True)
    current = serializers.SerializerMethodField()

    def get_current(self, token: Any) -> bool:
        request = self.context.get("request")
        used = getattr(request, "auth", None) if request is not None else None
        return bool(used is not None and getattr(used, "pk", None) == token.pk)


class IssuedTokenSerializer(TokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown once: only its digest is kept.")


class TokenView(APIView):
    """POST username and password (and, for staff, the current code) for an expiring token.

    Failures count toward the login lockout. DELETE revokes every token of the caller (log
    out everywhere); ``auth/tokens/{id}/`` revokes one.
    """

    throttle_classes = [TokenThrottle]

    def get_permissions(self):  # type: ignore[no-untyped-def]
        return [AllowAny()] if self.request.method == "POST" else super().get_permissions()

    def get_throttles(self):  # type: ignore[no-untyped-def]
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(request=TokenRequestSerializer, responses={200: IssuedTokenSerializer})
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        instance, plain = tokens.token_issue(user=serializer.validated_data["user"])
        data = IssuedTokenSerializer(instance, context={"request": request}).data
        return Response({**data, "token": plain})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        tokens.tokens_revoke_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's own API tokens that still work; DELETE one to revoke it."""

    serializer_class = TokenSerializer
    lookup_field = "token_key"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return tokens.AuthToken.objects.none()
        return tokens.tokens_of(self.request.user)

    def perform_destroy(self, instance: Any) -> None:
        tokens.token_revoke(user=self.request.user, token_key=instance.token_key)
