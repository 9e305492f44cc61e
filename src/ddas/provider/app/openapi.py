"""The OpenAPI 3.1 document the service serves at `<base>/openapi.json`, one per kind.

It describes the same operation, request and response schemas, headers and status codes as the programme's
official files (`api-v1.0/DDAS-SHV.yaml`, `DDAS-VS.yaml`), written here rather than copied: the Uitwisselmodel
is ddas's own JSON Schema for the kind (its `$defs` moved under `components/schemas`, so every `$ref` resolves
inside this document), the server URL is the deployment's base path and the token URL the configured one.
Additions describe what the service really does: 408 for a body that does not arrive in time, 413 for a body
over the limit, 415 for a body that is not JSON, 500 for an unexpected failure, 503 when its store cannot be
reached, and `Retry-After` with a problem body on 429. The tests walk this document and the official one side by side.
"""

from __future__ import annotations

from typing import Any

from ddas import __version__
from ddas.provider.app.settings import ProviderSettings
from ddas.spec.kinds import VERSIONS, Kind
from ddas.spec.schema import json_schema

__all__ = ["UITWISSELMODEL_PREFIX", "openapi_document"]

#: Prefix of the components that hold the Uitwisselmodel's own definitions.
UITWISSELMODEL_PREFIX = "Uitwisselmodel_"

_NAMES: dict[Kind, tuple[str, str]] = {
    Kind.SHV: ("SHV", "Schuldhulpverleningsgegevens (SHV)"),
    Kind.VS: ("VS", "VroegSignalen (VS)"),
}

_FSC_CODES = [
    "ERROR_CODE_ACCESS_TOKEN_MISSING",
    "ERROR_CODE_ACCESS_TOKEN_INVALID",
    "ERROR_CODE_ACCESS_TOKEN_EXPIRED",
    "ERROR_CODE_WRONG_GROUP_ID_IN_TOKEN",
    "ERROR_CODE_SERVICE_NOT_FOUND",
    "ERROR_CODE_SERVICE_UNREACHABLE",
    "ERROR_CODE_METHOD_UNSUPPORTED",
]


def _rewrite_refs(node: Any) -> Any:
    """`#/$defs/X` → `#/components/schemas/Uitwisselmodel_X`, everywhere in a schema."""
    if isinstance(node, dict):
        result = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                result[key] = "#/components/schemas/" + UITWISSELMODEL_PREFIX + value[len("#/$defs/") :]
            else:
                result[key] = _rewrite_refs(value)
        return result
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def _uitwisselmodel(kind: Kind) -> dict[str, Any]:
    """ddas's own schema of the kind as OpenAPI components: the root plus its definitions."""
    schema = json_schema(kind)
    definitions = schema.pop("$defs", {})
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    components = {"Uitwisselmodel": _rewrite_refs(schema)}
    for name, definition in definitions.items():
        components[UITWISSELMODEL_PREFIX + name] = _rewrite_refs(definition)
    return components


def _fsc_response(description: str, *, www_authenticate: bool = False) -> dict[str, Any]:
    headers: dict[str, Any] = {"Fsc-Error-Code": {"$ref": "#/components/headers/Fsc-Error-Code"}}
    if www_authenticate:
        headers["WWW-Authenticate"] = {"schema": {"type": "string"}, "description": "Bearer"}
    return {
        "description": description,
        "headers": headers,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/FscError"}}},
    }


def _problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}},
    }


def openapi_document(kind: Kind, settings: ProviderSettings) -> dict[str, Any]:
    """The OpenAPI document of the service for `kind` under this deployment's settings."""
    short, what = _NAMES[kind]
    base = settings.shv_base_path if kind is Kind.SHV else settings.vs_base_path
    token_url = settings.auth.token_url or "/oauth2/token"
    schemas: dict[str, Any] = {
        **_uitwisselmodel(kind),
        "Paginering": {
            "type": "object",
            "required": ["pageSize", "currentPage", "totalPages", "totalRecords"],
            "properties": {
                "pageSize": {"description": "Het aantal records per pagina", "type": "integer", "minimum": 1},
                "currentPage": {"description": "De huidige pagina", "type": "integer", "minimum": 1},
                "totalPages": {
                    "description": "Het totaal aantal beschikbare pagina's",
                    "type": "integer",
                    "minimum": 1,
                },
                "totalRecords": {
                    "description": "Het totaal aantal te versturen records",
                    "type": "integer",
                    "minimum": 0,
                },
            },
        },
        "GegevensRequest": {
            "type": "object",
            "properties": {
                "aanleverperiodeStartdatum": {"type": "string", "format": "date", "example": "2025-01-01"},
                "aanleverperiodeEinddatum": {"type": "string", "format": "date", "example": "2025-06-30"},
                "aanleverende_organisatie": {"type": "string", "example": "Gemeente Voorbeeldstad"},
                "page": {"type": "integer", "minimum": 1, "example": 1},
                "pageSize": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": settings.max_page_size(kind.value),
                    "example": settings.max_page_size(kind.value),
                },
            },
            "additionalProperties": False,
        },
        "FscError": {
            "type": "object",
            "required": ["code", "domain"],
            "properties": {
                "code": {"type": "string", "description": "ERROR_CODE_... uit de FSC-standaard"},
                "domain": {"type": "string", "enum": ["ERROR_DOMAIN_INWAY", "ERROR_DOMAIN_OUTWAY"]},
                "title": {"type": "string"},
                "detail": {"type": "string"},
                "status": {"type": "integer"},
            },
        },
        "ProblemDetails": {
            "type": "object",
            "description": "Probleemdetails volgens RFC 9457; `code` is een stabiele code voor machines.",
            "required": ["type", "title", "status"],
            "properties": {
                "type": {"type": "string", "format": "uri"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "instance": {"type": "string", "format": "uri-reference"},
                "code": {"type": "string"},
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "pointer": {"type": "string"},
                            "code": {"type": "string"},
                            "detail": {"type": "string"},
                        },
                    },
                },
            },
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"DDAS Gegevens Uitwissel API - {short}",
            "description": (
                f"API voor het uitwisselen van {what} met het CBS, aangeboden door ddas {__version__}. "
                f"Uitwisselmodel {short} v{VERSIONS[kind]}. Verzoek en antwoord zijn ondertekend met de header "
                "nlgov-adr-payload-sig (JAdES, PS256, detached, x5c) en een Digest-header (RFC 3230). "
                "Fouten bij toegang zijn FSC-compatibel (header Fsc-Error-Code)."
            ),
            "version": "1.0.0",
            "x-ddas-version": __version__,
        },
        "servers": [{"url": base, "description": "Deze aanbieder"}],
        "security": [{"OAuth2": ["read"]}],
        "components": {
            "securitySchemes": {
                "OAuth2": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": token_url,
                            "scopes": {"read": f"Toegang om {short}-gegevens op te halen"},
                        }
                    },
                }
            },
            "headers": {
                "Digest": {
                    "description": "SHA-256 digest van de payload (RFC 3230).",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^SHA-256=[A-Za-z0-9+/=]{43,44}$"},
                },
                "NlgovAdrPayloadSig": {
                    "description": (
                        "JWS compact serialization met detached payload: protected header met alg PS256, "
                        "typ JOSE, kid, x5c (keten, blad eerst) en x5t#S256."
                    ),
                    "required": True,
                    "schema": {"type": "string"},
                },
                "Fsc-Error-Code": {
                    "description": "FSC-foutcode (FSC Core 1.0.0).",
                    "schema": {"type": "string", "enum": _FSC_CODES},
                },
                "Retry-After": {
                    "description": "Aantal seconden waarna een nieuw verzoek weer kan.",
                    "schema": {"type": "integer", "minimum": 0},
                },
            },
            "schemas": schemas,
        },
        "paths": {
            "/gegevens": {
                "post": {
                    "summary": f"Aanvragen en ontvangen van {short}-gegevens",
                    "operationId": "postGegevens",
                    "description": (
                        f"Stuurt een verzoek om {short}-gegevens over een periode en eventueel één organisatie. "
                        "Zonder periode: de laatst afgesloten rapportageperiode. Eén van beide datums: de "
                        "rapportageperiode waarin die datum valt levert de andere grens."
                    ),
                    "security": [{"OAuth2": ["read"]}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/GegevensRequest"}}
                        },
                    },
                    "responses": {
                        "200": {
                            "description": f"Succesvol antwoord met de gevraagde {short}-gegevens",
                            "headers": {
                                "Digest": {"$ref": "#/components/headers/Digest"},
                                "nlgov-adr-payload-sig": {"$ref": "#/components/headers/NlgovAdrPayloadSig"},
                            },
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["gegevens"],
                                        "properties": {
                                            "gegevens": {"$ref": "#/components/schemas/Uitwisselmodel"},
                                            "paginering": {
                                                "allOf": [{"$ref": "#/components/schemas/Paginering"}],
                                                "description": "Altijd aanwezig en altijd volledig.",
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        "400": _problem_response("Ongeldig verzoek (bijv. ongeldige filters of syntaxis)"),
                        "401": _fsc_response(
                            "Geen of ongeldige authenticatie (FSC-compatibel); een ongeldige ondertekening van "
                            "het verzoek geeft problem details met een SIG_*-code",
                            www_authenticate=True,
                        ),
                        "403": _fsc_response(
                            "Toegang geweigerd (bijv. verkeerde groep in token); een geldig ondertekend verzoek "
                            "van een OIN die niet op de lijst van afnemers staat geeft problem details met code "
                            "oin-not-allowed"
                        ),
                        "404": _fsc_response("Service of resource niet gevonden"),
                        "405": _fsc_response("Niet-ondersteunde HTTP-methode"),
                        "408": _problem_response(
                            "De body kwam niet op tijd volledig binnen; de verbinding wordt gesloten"
                        ),
                        "413": _problem_response("Body groter dan deze aanbieder toestaat"),
                        "415": _problem_response("De body is geen JSON (Content-Type: application/json)"),
                        "422": _problem_response(
                            "Request syntactisch correct, maar inhoudelijk niet verwerkbaar"
                        ),
                        "429": {
                            "description": "Rate limit overschreden",
                            "headers": {"Retry-After": {"$ref": "#/components/headers/Retry-After"}},
                            "content": {
                                "application/problem+json": {
                                    "schema": {"$ref": "#/components/schemas/ProblemDetails"}
                                }
                            },
                        },
                        "502": _fsc_response("Service niet bereikbaar (FSC Inway fout)"),
                        "500": _problem_response(
                            "Onverwachte fout bij de aanbieder (gelogd, zonder details)"
                        ),
                        "503": {
                            **_problem_response("De opslag van de aanbieder is tijdelijk niet bereikbaar"),
                            "headers": {"Retry-After": {"$ref": "#/components/headers/Retry-After"}},
                        },
                    },
                }
            }
        },
    }
