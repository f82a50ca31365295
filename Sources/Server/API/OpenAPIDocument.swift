/// The API as an OpenAPI 3 document, served at `GET /openapi.json`.
///
/// Written by hand and kept in the binary, so the service needs no file at run time.
/// `OpenAPIDocumentTests` holds it to the router (every route documented, every documented
/// route mounted) and `scripts/test` runs schemathesis against a live service with it, so a
/// response that strays from these schemas fails CI.
public enum OpenAPIDocument {
    public static let json = #"""
    {
      "openapi": "3.0.3",
      "info": {
        "title": "shiplog",
        "version": "0.1.0",
        "description": "The deployment ledger for services on AWS ECS: what runs where, who deployed it, what failed, what rolled back and what drifted. JSON keys are snake_case; optional fields are left out rather than null. Every error is `{\"error\": {\"message\": \"...\"}}`. Query parameters an operation does not list are refused with 400, as are unknown fields in request bodies."
      },
      "servers": [{"url": "/"}],
      "security": [{"bearerToken": []}],
      "tags": [
        {"name": "state", "description": "What runs where."},
        {"name": "deployments", "description": "History, and starting deployments, rollbacks and promotions."},
        {"name": "events", "description": "The log itself."},
        {"name": "audit", "description": "Who did what, refusals included."},
        {"name": "reconcile", "description": "Drift between the ledger and ECS, and the log's own check."},
        {"name": "proofs", "description": "Reports of a period, Merkle proofs and signed checkpoints, for auditors."},
        {"name": "tlog", "description": "The log as C2SP tlog-tiles, for transparency-log clients: no token, hashes only."},
        {"name": "webhooks", "description": "Deliveries from GitHub, authenticated by their signature."},
        {"name": "operations", "description": "Liveness, readiness, metrics and this document."},
        {"name": "dashboard", "description": "HTML pages for people in a browser, signed in with a token kept in a cookie."}
      ],
      "paths": {
        "/openapi.json": {
          "get": {
            "tags": ["operations"],
            "operationId": "getOpenAPIDocument",
            "summary": "This document.",
            "security": [],
            "responses": {
              "200": {"description": "The OpenAPI document.", "content": {"application/json": {"schema": {"type": "object"}}}}
            }
          }
        },
        "/healthz": {
          "get": {
            "tags": ["operations"],
            "operationId": "getHealth",
            "summary": "Alive: the process answers.",
            "security": [],
            "responses": {
              "200": {"description": "Alive.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}
            }
          }
        },
        "/readyz": {
          "get": {
            "tags": ["operations"],
            "operationId": "getReadiness",
            "summary": "Ready: the ledger answers a read; its head position is reported.",
            "security": [],
            "responses": {
              "200": {"description": "Ready.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ready"}}}},
              "503": {"description": "The ledger does not answer.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Unavailable"}}}}
            }
          }
        },
        "/metrics": {
          "get": {
            "tags": ["operations"],
            "operationId": "getMetrics",
            "summary": "Prometheus metrics: requests, appends, deployments, the ledger's head.",
            "security": [],
            "responses": {
              "200": {"description": "The Prometheus text exposition format.", "content": {"text/plain": {"schema": {"type": "string"}}}}
            }
          }
        },
        "/": {
          "get": {
            "tags": ["dashboard"],
            "operationId": "getDashboard",
            "summary": "What runs where and the latest deployments. Without a valid token, a redirect to the login form.",
            "security": [{"bearerToken": []}, {"dashboardCookie": []}, {}],
            "responses": {
              "200": {"$ref": "#/components/responses/Page"},
              "303": {"$ref": "#/components/responses/ToLogin"},
              "403": {"$ref": "#/components/responses/PageForbidden"}
            }
          }
        },
        "/deployments/{id}": {
          "get": {
            "tags": ["dashboard"],
            "operationId": "getDeploymentPage",
            "summary": "One deployment and its timeline, as a page.",
            "security": [{"bearerToken": []}, {"dashboardCookie": []}, {}],
            "parameters": [{"$ref": "#/components/parameters/DeploymentId"}],
            "responses": {
              "200": {"$ref": "#/components/responses/Page"},
              "303": {"$ref": "#/components/responses/ToLogin"},
              "403": {"$ref": "#/components/responses/PageForbidden"},
              "404": {"description": "No such deployment.", "content": {"text/html": {"schema": {"type": "string"}}}}
            }
          }
        },
        "/login": {
          "get": {
            "tags": ["dashboard"],
            "operationId": "getLoginForm",
            "summary": "The form that takes an API token; a browser that already holds a valid one is sent to the dashboard.",
            "security": [{"bearerToken": []}, {"dashboardCookie": []}, {}],
            "responses": {
              "200": {"$ref": "#/components/responses/Page"},
              "303": {"description": "Already signed in: to the dashboard.", "headers": {"Location": {"schema": {"type": "string"}}}}
            }
          },
          "post": {
            "tags": ["dashboard"],
            "operationId": "logIn",
            "summary": "Checks the token and keeps it in the shiplog_token cookie (HttpOnly, SameSite=Strict).",
            "security": [],
            "requestBody": {
              "required": true,
              "content": {
                "application/x-www-form-urlencoded": {
                  "schema": {"type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}}
                }
              }
            },
            "responses": {
              "303": {"description": "Signed in: to the dashboard, with the cookie.", "headers": {"Location": {"schema": {"type": "string"}}, "Set-Cookie": {"schema": {"type": "string"}}}},
              "401": {"description": "The token is unknown, revoked or expired: the form again.", "content": {"text/html": {"schema": {"type": "string"}}}},
              "403": {"$ref": "#/components/responses/PageForbidden"},
              "413": {"$ref": "#/components/responses/ContentTooLarge"}
            }
          }
        },
        "/logout": {
          "post": {
            "tags": ["dashboard"],
            "operationId": "logOut",
            "summary": "Clears the cookie.",
            "security": [],
            "responses": {
              "303": {"description": "Signed out: to the login form.", "headers": {"Location": {"schema": {"type": "string"}}, "Set-Cookie": {"schema": {"type": "string"}}}},
              "403": {"$ref": "#/components/responses/PageForbidden"}
            }
          }
        },
        "/webhooks/github": {
          "post": {
            "tags": ["webhooks"],
            "operationId": "receiveGitHubDelivery",
            "summary": "A GitHub webhook delivery. `ping` is answered; workflow_run, deployment and deployment_status events are recorded; any other is acknowledged (202) and dropped.",
            "description": "The signature is the authentication: HMAC-SHA256 of the body as sent (JSON, or form-encoded payload=JSON) with the webhook's secret (serve --github-webhook-secret-file). The delivery's GUID is the append's idempotency key, so a redelivery records nothing new.",
            "security": [],
            "parameters": [
              {"name": "X-Hub-Signature-256", "in": "header", "required": true, "schema": {"type": "string", "pattern": "^sha256=[0-9a-fA-F]{64}$"}},
              {"name": "X-GitHub-Event", "in": "header", "required": true, "schema": {"type": "string"}, "example": "ping"},
              {"name": "X-GitHub-Delivery", "in": "header", "required": true, "schema": {"type": "string", "pattern": "^[A-Za-z0-9-]{1,64}$"}}
            ],
            "requestBody": {"required": true, "content": {
              "application/json": {"schema": {"type": "object", "description": "GitHub's payload for the event."}},
              "application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["payload"], "properties": {"payload": {"type": "string", "description": "GitHub's payload for the event, as JSON text."}}}}
            }},
            "responses": {
              "200": {
                "description": "A ping, or a redelivery: what the first delivery recorded.",
                "content": {"application/json": {"schema": {"oneOf": [{"$ref": "#/components/schemas/Pong"}, {"$ref": "#/components/schemas/DeliveryRecorded"}]}}}
              },
              "201": {"description": "Recorded.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DeliveryRecorded"}}}},
              "202": {"description": "An event shiplog does not record: acknowledged and dropped.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DeliveryIgnored"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"description": "The signature is missing, malformed or does not match the body.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
              "413": {"description": "The delivery is larger than GitHub's limit of 25 MB (26,214,400 bytes).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
              "503": {"description": "The service has no webhook secret.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
          }
        },
        "/api/v1/environments": {
          "get": {
            "tags": ["state"],
            "operationId": "listEnvironments",
            "summary": "Every app in every environment the ledger knows: tag, revision, who deployed it and when, a deployment in progress, drift.",
            "responses": {
              "200": {"description": "The current state.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EnvironmentList"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"}
            }
          }
        },
        "/api/v1/environments/{environment}/{app}": {
          "get": {
            "tags": ["state"],
            "operationId": "getEnvironmentState",
            "summary": "What runs for one app in one environment.",
            "parameters": [{"$ref": "#/components/parameters/EnvironmentPath"}, {"$ref": "#/components/parameters/AppPath"}],
            "responses": {
              "200": {"description": "The app's state there.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EnvironmentState"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"},
              "404": {"$ref": "#/components/responses/NotFound"}
            }
          }
        },
        "/api/v1/environments/{environment}/{app}/version": {
          "get": {
            "tags": ["state"],
            "operationId": "getVersion",
            "summary": "The version document of one app in one environment (what its /version.json says), from the ledger.",
            "parameters": [{"$ref": "#/components/parameters/EnvironmentPath"}, {"$ref": "#/components/parameters/AppPath"}],
            "responses": {
              "200": {"description": "The version document.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VersionDocument"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"},
              "404": {"$ref": "#/components/responses/NotFound"}
            }
          }
        },
        "/api/v1/deployments": {
          "get": {
            "tags": ["deployments"],
            "operationId": "listDeployments",
            "summary": "Deployment attempts, newest first, a page at a time.",
            "parameters": [
              {"name": "app", "in": "query", "schema": {"$ref": "#/components/schemas/Name"}},
              {"name": "environment", "in": "query", "schema": {"$ref": "#/components/schemas/Name"}},
              {"name": "actor", "in": "query", "description": "The person who acted (the one a bot acted for).", "schema": {"$ref": "#/components/schemas/Name"}},
              {"name": "outcome", "in": "query", "schema": {"$ref": "#/components/schemas/DeploymentOutcome"}},
              {"$ref": "#/components/parameters/Since"},
              {"$ref": "#/components/parameters/Until"},
              {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
              {"$ref": "#/components/parameters/Cursor"}
            ],
            "responses": {
              "200": {"description": "One page.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DeploymentPage"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"}
            }
          },
          "post": {
            "tags": ["deployments"],
            "operationId": "startDeployment",
            "summary": "Deploys a tag of an app to an environment. Answered once the request is recorded; follow Location while the flow runs.",
            "description": "Needs a deployer; production needs a maintainer. A refusal for the role is recorded (AccessDenied) and answered 403.",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DeployRequest"}}}},
            "responses": {
              "202": {"$ref": "#/components/responses/Accepted"},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"},
              "404": {"$ref": "#/components/responses/NotFound"},
              "409": {"$ref": "#/components/responses/Conflict"},
              "413": {"$ref": "#/components/responses/ContentTooLarge"},
              "503": {"$ref": "#/components/responses/NoConfiguration"}
            }
          }
        },
        "/api/v1/deployments/{id}": {
          "get": {
            "tags": ["deployments"],
            "operationId": "getDeployment",
            "summary": "One deployment and its timeline: every event of its stream.",
            "parameters": [
              {"$ref": "#/components/parameters/DeploymentId"}
            ],
            "responses": {
              "200": {"description": "The deployment.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DeploymentDetail"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"},
              "404": {"$ref": "#/components/responses/NotFound"}
            }
          }
        },
        "/api/v1/deployments/{id}/receipt": {
          "get": {
            "tags": ["proofs"],
            "operationId": "getDeploymentReceipt",
            "summary": "A receipt of the deployment: every event of it as hashed, each with its inclusion proof, and the signed checkpoint they lead to (shiplog.receipt/1; `shiplog audit-verify --receipt` checks it offline).",
            "parameters": [
              {"$ref": "#/components/parameters/DeploymentId"}
            ],
            "responses": {
              "200": {"description": "The receipt.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Receipt"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"},
              "404": {"$ref": "#/components/responses/NotFound"},
              "503": {"description": "No stored checkpoint covers the deployment and the service has no signing key.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
          }
        },
        "/api/v1/rollbacks": {
          "post": {
            "tags": ["deployments"],
            "operationId": "startRollback",
            "summary": "Rolls an app back to a tag that exists in its registry. Needs a maintainer (a bot may name the person with on_behalf_of).",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RollbackRequest"}}}},
            "responses": {
              "202": {"$ref": "#/components/responses/Accepted"},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"},
              "404": {"$ref": "#/components/responses/NotFound"},
              "409": {"$ref": "#/components/responses/Conflict"},
              "413": {"$ref": "#/components/responses/ContentTooLarge"},
              "503": {"$ref": "#/components/responses/NoConfiguration"}
            }
          }
        },
        "/api/v1/promotions": {
          "post": {
            "tags": ["deployments"],
            "operationId": "startPromotion",
            "summary": "Deploys to production exactly what staging runs. Needs a maintainer.",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PromotionRequest"}}}},
            "responses": {
              "202": {"$ref": "#/components/responses/Accepted"},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"},
              "404": {"$ref": "#/components/responses/NotFound"},
              "409": {"$ref": "#/components/responses/Conflict"},
              "413": {"$ref": "#/components/responses/ContentTooLarge"},
              "503": {"$ref": "#/components/responses/NoConfiguration"}
            }
          }
        },
        "/api/v1/events": {
          "get": {
            "tags": ["events"],
            "operationId": "listEvents",
            "summary": "The log in position order, a page at a time: pass next_after as after for the next page.",
            "parameters": [
              {"name": "after", "in": "query", "description": "Only events after this position.", "schema": {"type": "integer", "format": "int64", "minimum": 0, "default": 0}},
              {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
              {"name": "stream", "in": "query", "schema": {"$ref": "#/components/schemas/Name"}},
              {"name": "type", "in": "query", "schema": {"$ref": "#/components/schemas/Name"}}
            ],
            "responses": {
              "200": {"description": "One page.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventPage"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"}
            }
          },
          "post": {
            "tags": ["events"],
            "operationId": "appendEvents",
            "summary": "Appends one event, or several in one transaction. This is how CI steps record what they did.",
            "description": "Needs a deployer (record). The actor is the token's owner; metadata may name the person a bot acted for (on_behalf_of), the run URL (source) and the commit; role, auth_method, client_address and origin are shiplog's to set. Data is checked against the type's schema, unknown fields and duplicate keys refused. Only the types recorders write are taken (ImageBuilt, BuildFailed and a deployment's own steps); the others are 403, naming the command that writes them. A recorder appends only to streams it opened; a deployment stream opens with DeploymentRequested and needs what making that deployment needs (production: a maintainer, or a bot acting for one). Idempotency keys are the token's own.",
            "parameters": [
              {"name": "Idempotency-Key", "in": "header", "description": "A retry with the same key and the same content returns the original positions (200, deduplicated); the same key with other content is 409.", "schema": {"type": "string", "pattern": "^[!-~]{1,200}$"}}
            ],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AppendRequest"}}}},
            "responses": {
              "200": {"description": "A retry of an append already recorded under this Idempotency-Key: the original positions.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Appended"}}}},
              "201": {"description": "Appended.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Appended"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"},
              "409": {"$ref": "#/components/responses/Conflict"},
              "413": {"$ref": "#/components/responses/ContentTooLarge"}
            }
          }
        },
        "/api/v1/events/stream": {
          "get": {
            "tags": ["events"],
            "operationId": "streamEvents",
            "summary": "The log as it grows, as Server-Sent Events: each event as `id: <position>`, `event: <type>`, `data: <the event as one JSON line>`; `: keep-alive` comments while idle. The stream does not end by itself.",
            "description": "Starts after Last-Event-ID (what EventSource sends when it reconnects), else after `after`, else at the head (only new events). The dashboard opens it with its cookie.",
            "parameters": [
              {"name": "after", "in": "query", "description": "Start after this position (0 up to the head).", "schema": {"type": "integer", "format": "int64", "minimum": 0}},
              {"name": "stream", "in": "query", "schema": {"$ref": "#/components/schemas/Name"}},
              {"name": "type", "in": "query", "schema": {"$ref": "#/components/schemas/Name"}},
              {"name": "Last-Event-ID", "in": "header", "description": "The last position received; wins over `after`.", "schema": {"type": "string", "pattern": "^[0-9]+$"}}
            ],
            "responses": {
              "200": {"description": "The event stream.", "content": {"text/event-stream": {"schema": {"type": "string"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"}
            }
          }
        },
        "/api/v1/audit": {
          "get": {
            "tags": ["audit"],
            "operationId": "listAudit",
            "summary": "Every action by an actor, refusals included, newest first, a page at a time.",
            "parameters": [
              {"name": "actor", "in": "query", "schema": {"$ref": "#/components/schemas/Name"}},
              {"name": "action", "in": "query", "schema": {"$ref": "#/components/schemas/Name"}},
              {"name": "outcome", "in": "query", "schema": {"$ref": "#/components/schemas/AuditOutcome"}},
              {"$ref": "#/components/parameters/Since"},
              {"$ref": "#/components/parameters/Until"},
              {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
              {"$ref": "#/components/parameters/Cursor"}
            ],
            "responses": {
              "200": {"description": "One page.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AuditPage"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"}
            }
          }
        },
        "/api/v1/drift": {
          "get": {
            "tags": ["reconcile"],
            "operationId": "getDrift",
            "summary": "Compares what the ledger says should run with what ECS runs, now; records nothing.",
            "parameters": [
              {"name": "app", "in": "query", "schema": {"$ref": "#/components/schemas/Name"}},
              {"name": "environment", "in": "query", "schema": {"$ref": "#/components/schemas/Name"}}
            ],
            "responses": {
              "200": {"description": "Every selected service.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DriftReport"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"},
              "404": {"$ref": "#/components/responses/NotFound"},
              "503": {"$ref": "#/components/responses/NoConfiguration"}
            }
          }
        },
        "/api/v1/reconcile": {
          "post": {
            "tags": ["reconcile"],
            "operationId": "reconcile",
            "summary": "One reconcile pass: records drift, deploys the desired revision back where it drifted (or, with dry_run, says what it would do). Needs a maintainer.",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReconcileRequest"}}}},
            "responses": {
              "200": {"description": "The pass.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReconcileResult"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"},
              "404": {"$ref": "#/components/responses/NotFound"},
              "409": {"$ref": "#/components/responses/Conflict"},
              "413": {"$ref": "#/components/responses/ContentTooLarge"},
              "503": {"$ref": "#/components/responses/NoConfiguration"}
            }
          }
        },
        "/api/v1/verify": {
          "get": {
            "tags": ["reconcile"],
            "operationId": "verifyLog",
            "summary": "Recomputes the hash chain: the head, or the first position that does not match.",
            "responses": {
              "200": {"description": "The verification, intact or not.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VerifyReport"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"}
            }
          }
        },
        "/api/v1/reports": {
          "get": {
            "tags": ["proofs"],
            "operationId": "getReport",
            "summary": "The deployments of a period with their DORA measures and a checkpoint, as shiplog export writes them; JSON also carries every event since the first listed deployment as evidence.",
            "parameters": [
              {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["csv", "json", "markdown", "html"], "default": "json"}},
              {"$ref": "#/components/parameters/Since"},
              {"$ref": "#/components/parameters/Until"},
              {"name": "app", "in": "query", "schema": {"$ref": "#/components/schemas/Name"}},
              {"name": "environment", "in": "query", "schema": {"$ref": "#/components/schemas/Name"}}
            ],
            "responses": {
              "200": {
                "description": "The report in the format asked for.",
                "content": {
                  "application/json": {"schema": {"$ref": "#/components/schemas/Report"}},
                  "text/csv": {"schema": {"type": "string"}},
                  "text/markdown": {"schema": {"type": "string"}},
                  "text/html": {"schema": {"type": "string"}}
                }
              },
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"}
            }
          }
        },
        "/api/v1/proofs/inclusion": {
          "get": {
            "tags": ["proofs"],
            "operationId": "getInclusionProof",
            "summary": "The Merkle audit path (RFC 6962) that the event at a position is in the tree of a size.",
            "parameters": [
              {"name": "position", "in": "query", "required": true, "schema": {"type": "integer", "format": "int64", "minimum": 1}},
              {"name": "tree_size", "in": "query", "description": "The tree to prove against; the whole log when left out.", "schema": {"type": "integer", "format": "int64", "minimum": 1}}
            ],
            "responses": {
              "200": {"description": "The proof.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/InclusionProof"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"}
            }
          }
        },
        "/api/v1/proofs/consistency": {
          "get": {
            "tags": ["proofs"],
            "operationId": "getConsistencyProof",
            "summary": "The Merkle proof (RFC 6962) that the tree of one size is a prefix of the tree of a larger one: the log only grew.",
            "parameters": [
              {"name": "from", "in": "query", "required": true, "schema": {"type": "integer", "format": "int64", "minimum": 0}},
              {"name": "to", "in": "query", "description": "The larger size; the whole log when left out.", "schema": {"type": "integer", "format": "int64", "minimum": 0}}
            ],
            "responses": {
              "200": {"description": "The proof.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConsistencyProof"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"}
            }
          }
        },
        "/api/v1/checkpoint": {
          "get": {
            "tags": ["proofs"],
            "operationId": "getCheckpoint",
            "summary": "The log's head as a signed C2SP checkpoint (a signed note: origin, tree size, root hash, signature lines).",
            "responses": {
              "200": {"description": "The signed note.", "content": {"text/plain": {"schema": {"type": "string"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"},
              "503": {"description": "The service has no signing key (shiplog serve --signing-key).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
          }
        },
        "/tlog/checkpoint": {
          "get": {
            "tags": ["tlog"],
            "operationId": "getTlogCheckpoint",
            "summary": "The most recently signed checkpoint (C2SP tlog-checkpoint, a signed note), as stored; the tiles below prove it. Cache-Control: no-cache.",
            "security": [],
            "responses": {
              "200": {"description": "The signed note.", "content": {"text/plain": {"schema": {"type": "string"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "404": {"description": "No checkpoint has been signed yet.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
          }
        },
        "/tlog/tile/{level}/**": {
          "get": {
            "tags": ["tlog"],
            "operationId": "getTlogHashTile",
            "summary": "A hash tile (C2SP tlog-tiles, height 8): `/tlog/tile/<L>/<N>[.p/<W>]`, the 256 (or W) Merkle tree nodes at tree level 8·L from index 256·N, 32 bytes each. N is written in 3-digit path elements, all but the last prefixed with x (1234067 is x001/x234/067); W is 1 to 255. Full tiles are immutable (Cache-Control: public, max-age=31536000, immutable); partial ones no-cache.",
            "security": [],
            "parameters": [
              {"name": "level", "in": "path", "required": true, "description": "L, the tile level.", "schema": {"type": "integer", "minimum": 0, "maximum": 7}, "example": "0"}
            ],
            "responses": {
              "200": {"$ref": "#/components/responses/Tile"},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "404": {"$ref": "#/components/responses/NoSuchTile"}
            }
          }
        },
        "/tlog/tile/entries/**": {
          "get": {
            "tags": ["tlog"],
            "operationId": "getTlogEntryBundle",
            "summary": "An entry bundle (C2SP tlog-tiles): `/tlog/tile/entries/<N>[.p/<W>]`, entries 256·N onward, each a big-endian uint16 length and the entry. An entry is the event's 32-byte hash, so its leaf hash is the RFC 6962 leaf of the log's Merkle tree and entry i is the event at position i + 1.",
            "security": [],
            "responses": {
              "200": {"$ref": "#/components/responses/Tile"},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "404": {"$ref": "#/components/responses/NoSuchTile"}
            }
          }
        }
      },
      "components": {
        "securitySchemes": {
          "bearerToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from `shiplog token create --name NAME --role viewer|deployer|maintainer [--expires-in 90d]` (shiplog_...). A viewer reads; a deployer also records events and deploys; a maintainer also rolls back, promotes, reconciles and deploys to production (the configuration's api.roles may change these)."
          },
          "dashboardCookie": {
            "type": "apiKey",
            "in": "cookie",
            "name": "shiplog_token",
            "description": "The same token, kept by POST /login for the dashboard's pages."
          }
        },
        "parameters": {
          "DeploymentId": {"name": "id", "in": "path", "required": true, "description": "The deployment's id, with or without its `deployment-` prefix.", "schema": {"$ref": "#/components/schemas/Name"}, "example": "deployment-api-staging-1"},
          "EnvironmentPath": {"name": "environment", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/Name"}, "example": "staging"},
          "AppPath": {"name": "app", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/Name"}, "example": "api"},
          "Since": {"name": "since", "in": "query", "description": "Inclusive lower bound: a date (2026-11-27) or an ISO 8601 time (2026-11-27T10:00:00Z).", "schema": {"$ref": "#/components/schemas/Time"}},
          "Until": {"name": "until", "in": "query", "description": "Exclusive upper bound: a date or an ISO 8601 time.", "schema": {"$ref": "#/components/schemas/Time"}},
          "Cursor": {"name": "cursor", "in": "query", "description": "The next_cursor of the previous page.", "schema": {"type": "integer", "format": "int64", "minimum": 1}}
        },
        "responses": {
          "Accepted": {
            "description": "The request is recorded and the flow runs in the background.",
            "headers": {"Location": {"description": "The deployment to follow, or for a queued request the environment's event stream.", "schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}}
          },
          "Page": {"description": "The page.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "PageForbidden": {"description": "The token's role may not read (the refusal is recorded), or another site's form tried to sign in or out.", "content": {"text/html": {"schema": {"type": "string"}}}},
          "ToLogin": {"description": "No valid token: to the login form.", "headers": {"Location": {"schema": {"type": "string"}}}},
          "BadRequest": {"description": "A malformed body, a missing or unknown field, an unknown query parameter, a value out of range.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Unauthorized": {
            "description": "No valid bearer token: none, or an unknown, revoked or expired one.",
            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "Forbidden": {"description": "The token's role falls short of what the action needs, or it names a person (on_behalf_of) it may not act for: only a bot of the configuration's bots:, for whom its acts_for names. The refusal is recorded.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Tile": {
            "description": "The tile's bytes.",
            "headers": {"Cache-Control": {"schema": {"type": "string"}}},
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
          },
          "NoSuchTile": {"description": "The log does not hold that tile (yet): a full tile beyond the tree or a partial one wider than it.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "NotFound": {"description": "No such app, environment, deployment, tag or resource.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Conflict": {"description": "Another deployment is in flight there, a stale expected version, an idempotency key reused with other content, or the reconciler's lease is held.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "ContentTooLarge": {"description": "The body is larger than 1 MiB.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "NoConfiguration": {"description": "The service runs without a configuration (shiplog.yml), so it cannot deploy or reconcile.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        },
        "schemas": {
          "Error": {
            "type": "object",
            "required": ["error"],
            "additionalProperties": false,
            "properties": {
              "error": {
                "type": "object",
                "required": ["message"],
                "additionalProperties": false,
                "properties": {"message": {"type": "string"}}
              }
            }
          },
          "Receipt": {
            "type": "object",
            "additionalProperties": false,
            "required": ["format", "deployment", "checkpoint", "tree_size", "root", "events"],
            "properties": {
              "format": {"type": "string", "enum": ["shiplog.receipt/1"]},
              "deployment": {"type": "string"},
              "checkpoint": {"type": "string", "description": "The signed checkpoint (C2SP signed note)."},
              "tree_size": {"type": "integer", "minimum": 1},
              "root": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
              "events": {
                "type": "array",
                "items": {
                  "type": "object",
                  "additionalProperties": false,
                  "required": ["position", "id", "stream", "version", "type", "data", "metadata", "recorded_at", "prev_hash", "hash", "inclusion_proof"],
                  "properties": {
                    "position": {"type": "integer", "minimum": 1},
                    "id": {"type": "string"},
                    "stream": {"type": "string"},
                    "version": {"type": "integer", "minimum": 1},
                    "type": {"type": "string"},
                    "data": {"type": "string", "description": "The data as the log hashed it (JSON text)."},
                    "metadata": {"type": "string", "description": "The metadata as the log hashed it (JSON text)."},
                    "recorded_at": {"type": "string"},
                    "prev_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    "inclusion_proof": {"type": "array", "items": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}
                  }
                }
              }
            }
          },
          "Name": {
            "type": "string",
            "description": "An app, environment, actor, stream or other name: 1-128 letters, digits, '.', '_', '-', '@', '[' or ']' (GitHub's bot logins such as dependabot[bot]).",
            "pattern": "^(?!\\.\\.?$)[A-Za-z0-9._@\\[\\]-]{1,128}$"
          },
          "Time": {
            "type": "string",
            "description": "A date (2026-11-27) or an ISO 8601 time (2026-11-27T10:00:00Z).",
            "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$",
            "example": "2026-11-27"
          },
          "Timestamp": {"type": "string", "description": "UTC, ISO 8601.", "example": "2026-11-27T10:00:00.000000Z"},
          "DeploymentOutcome": {"type": "string", "enum": ["in_progress", "succeeded", "failed", "timed_out", "rolled_back"]},
          "AuditOutcome": {"type": "string", "enum": ["allowed", "denied", "failed"]},
          "Health": {
            "type": "object", "required": ["status"], "additionalProperties": false,
            "properties": {"status": {"type": "string", "enum": ["ok"]}}
          },
          "Ready": {
            "type": "object", "required": ["status", "head"], "additionalProperties": false,
            "properties": {"status": {"type": "string", "enum": ["ready"]}, "head": {"type": "integer", "format": "int64", "minimum": 0, "description": "The position of the last event."}}
          },
          "Unavailable": {
            "type": "object", "required": ["status"], "additionalProperties": false,
            "properties": {"status": {"type": "string", "enum": ["unavailable"]}}
          },
          "EnvironmentState": {
            "type": "object",
            "required": ["app", "environment", "updated_position"],
            "additionalProperties": false,
            "properties": {
              "app": {"type": "string"},
              "environment": {"type": "string"},
              "task_definition_arn": {"type": "string"},
              "revision": {"type": "integer"},
              "tag": {"type": "string"},
              "images": {"type": "string", "description": "The container images, as JSON text."},
              "last_healthy_arn": {"type": "string"},
              "last_healthy_revision": {"type": "integer"},
              "deployment_in_progress": {"type": "string", "description": "The id of the deployment running here now."},
              "deployed_by": {"type": "string"},
              "deployed_at": {"$ref": "#/components/schemas/Timestamp"},
              "last_outcome": {"type": "string"},
              "updated_position": {"type": "integer", "format": "int64"},
              "drift": {"type": "string", "description": "What differs between the ledger and ECS, while it does."}
            }
          },
          "EnvironmentList": {
            "type": "object", "required": ["environments"], "additionalProperties": false,
            "properties": {"environments": {"type": "array", "items": {"$ref": "#/components/schemas/EnvironmentState"}}}
          },
          "VersionDocument": {
            "type": "object",
            "required": ["app", "environment"],
            "additionalProperties": false,
            "properties": {
              "app": {"type": "string"},
              "environment": {"type": "string"},
              "release": {"type": "string", "description": "The release tag (rel-...), when one runs."},
              "tag": {"type": "string"},
              "revision": {"type": "integer"},
              "task_definition_arn": {"type": "string"},
              "deployed_at": {"$ref": "#/components/schemas/Timestamp"},
              "deployed_by": {"type": "string"},
              "last_outcome": {"type": "string"}
            }
          },
          "DeploymentRecord": {
            "type": "object",
            "required": ["id", "app", "environment", "tag", "trigger", "started_at", "outcome", "position"],
            "additionalProperties": false,
            "properties": {
              "id": {"type": "string"},
              "app": {"type": "string"},
              "environment": {"type": "string"},
              "tag": {"type": "string"},
              "trigger": {"type": "string", "enum": ["merge", "release", "rollback", "promotion", "reconcile", "manual"]},
              "actor": {"type": "string", "description": "The person who counts: the one a bot acted for, else who acted."},
              "via": {"type": "string", "description": "The bot that acted for actor, if one did."},
              "source": {"type": "string"},
              "commit": {"type": "string"},
              "committed_at": {"$ref": "#/components/schemas/Timestamp"},
              "started_at": {"$ref": "#/components/schemas/Timestamp"},
              "ended_at": {"$ref": "#/components/schemas/Timestamp"},
              "duration_ms": {"type": "integer", "format": "int64"},
              "outcome": {"$ref": "#/components/schemas/DeploymentOutcome"},
              "failure_stage": {"type": "string"},
              "failure_reason": {"type": "string"},
              "task_definition_arn": {"type": "string"},
              "rolled_back_to": {"type": "string"},
              "position": {"type": "integer", "format": "int64"}
            }
          },
          "DeploymentPage": {
            "type": "object", "required": ["deployments", "next_cursor"], "additionalProperties": false,
            "properties": {
              "deployments": {"type": "array", "items": {"$ref": "#/components/schemas/DeploymentRecord"}},
              "next_cursor": {"type": "string", "nullable": true, "description": "Pass as cursor for the next page; null on the last."}
            }
          },
          "DeploymentDetail": {
            "type": "object", "required": ["deployment", "timeline"], "additionalProperties": false,
            "properties": {
              "deployment": {"$ref": "#/components/schemas/DeploymentRecord"},
              "timeline": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}
            }
          },
          "DeployRequest": {
            "type": "object",
            "required": ["app", "environment", "tag"],
            "additionalProperties": false,
            "properties": {
              "app": {"$ref": "#/components/schemas/Name"},
              "environment": {"$ref": "#/components/schemas/Name"},
              "tag": {"$ref": "#/components/schemas/Name"},
              "trigger": {"type": "string", "enum": ["merge", "release", "manual"], "default": "manual"},
              "required_variables": {"type": "array", "items": {"type": "string"}, "description": "Environment variables the task definition must set."},
              "on_behalf_of": {"$ref": "#/components/schemas/Name"},
              "no_wait": {"type": "boolean", "default": false, "description": "Refuse (409) rather than wait when another deployment holds the environment. Waiting (the default) answers 202 with status queued; a newer request for the same app and environment supersedes a waiting one."}
            },
            "example": {"app": "api", "environment": "staging", "tag": "3f9c2e1", "trigger": "merge"}
          },
          "RollbackRequest": {
            "type": "object",
            "required": ["app", "environment", "tag"],
            "additionalProperties": false,
            "properties": {
              "app": {"$ref": "#/components/schemas/Name"},
              "environment": {"$ref": "#/components/schemas/Name"},
              "tag": {"$ref": "#/components/schemas/Name"},
              "on_behalf_of": {"$ref": "#/components/schemas/Name"},
              "reuse_revision": {"type": "boolean", "default": false, "description": "Reuse the newest revision that runs the tag's images instead of rendering the current template with the tag (the default, as the seed's rollback does)."},
              "no_wait": {"type": "boolean", "default": false, "description": "Refuse (409) rather than wait when another deployment holds the environment. Waiting (the default) answers 202 with status queued; a newer request for the same app and environment supersedes a waiting one."}
            },
            "example": {"app": "frontend", "environment": "staging", "tag": "rel-2024.01.01.00.00.00"}
          },
          "PromotionRequest": {
            "type": "object",
            "required": ["app"],
            "additionalProperties": false,
            "properties": {
              "app": {"$ref": "#/components/schemas/Name"},
              "on_behalf_of": {"$ref": "#/components/schemas/Name"},
              "no_wait": {"type": "boolean", "default": false, "description": "Refuse (409) rather than wait when another deployment holds the environment. Waiting (the default) answers 202 with status queued; a newer request for the same app and environment supersedes a waiting one."}
            },
            "example": {"app": "api"}
          },
          "Accepted": {
            "type": "object", "required": ["id", "status", "location"], "additionalProperties": false,
            "properties": {
              "id": {"type": "string", "description": "The deployment started (or the promotion a queued staging deploy waits for); for status queued, the request's id, which the DeploymentClaimed that starts it carries as request_id."},
              "status": {"type": "string", "enum": ["accepted", "queued"], "description": "queued: another deployment holds the environment; this one runs when it is done, unless a newer request supersedes it (DeploymentSuperseded) or it waits 30 minutes (DeploymentQueueTimedOut). Location is then the environment's event stream."},
              "location": {"type": "string"}
            }
          },
          "EventMetadata": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "actor": {"type": "string"},
              "on_behalf_of": {"type": "string", "description": "The person a bot acted for: the actor that counts."},
              "role": {"type": "string"},
              "auth_method": {"type": "string"},
              "source": {"type": "string", "description": "Where the event came from, such as a workflow run URL."},
              "commit": {"type": "string"},
              "committed_at": {"type": "string"},
              "correlation_id": {"type": "string"},
              "causation_id": {"type": "string"},
              "client_address": {"type": "string"},
              "origin": {"type": "string", "description": "recorded: appended by an outside recorder (POST /api/v1/events, shiplog events append). Set by shiplog, as role, auth_method and client_address are: an append that sends one is refused."}
            }
          },
          "Event": {
            "type": "object",
            "required": ["position", "id", "stream", "version", "type", "data", "metadata", "recorded_at", "prev_hash", "hash"],
            "additionalProperties": false,
            "properties": {
              "position": {"type": "integer", "format": "int64", "minimum": 1},
              "id": {"type": "string", "format": "uuid"},
              "stream": {"type": "string"},
              "version": {"type": "integer", "format": "int64", "minimum": 1},
              "type": {"type": "string"},
              "data": {"type": "object", "description": "The event's data; its fields depend on the type."},
              "metadata": {"$ref": "#/components/schemas/EventMetadata"},
              "recorded_at": {"$ref": "#/components/schemas/Timestamp"},
              "prev_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
              "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}
            }
          },
          "EventPage": {
            "type": "object", "required": ["events", "next_after"], "additionalProperties": false,
            "properties": {
              "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
              "next_after": {"type": "integer", "format": "int64", "description": "The last position on this page: pass as after for the next."}
            }
          },
          "ExpectedVersion": {
            "description": "What the stream must be at: exactly version N, or any, no-stream, exists. A stale expectation writes nothing (409).",
            "oneOf": [
              {"type": "integer", "format": "int64", "minimum": 0},
              {"type": "string", "enum": ["any", "no-stream", "exists"]}
            ]
          },
          "EventType": {
            "type": "string",
            "description": "The event types the ledger knows; an append of any other is refused.",
            "enum": ["AccessDenied", "BuildFailed", "DeploymentClaimExpired", "DeploymentClaimReleased", "DeploymentClaimed", "DeploymentFailed", "DeploymentLeftOpen", "DeploymentQueueTimedOut", "DeploymentQueued", "DeploymentRequested", "DeploymentStable", "DeploymentSuperseded", "DeploymentTimedOut", "DriftCorrected", "DriftDetected", "DriftResolved", "GitHubDeploymentCreated", "GitHubDeploymentStatusReported", "ImageBuilt", "ImageVerified", "PromotionQueued", "PromotionReleased", "ReconcilePlanned", "RollbackRequested", "RolledBackAutomatically", "ServiceEventReported", "ServiceUpdated", "TaskDefinitionRegistered", "TaskDefinitionRendered", "TaskStopped", "TemplateChanged", "TokenIssued", "TokenRevoked", "VersionChecked", "WorkflowRunReported"]
          },
          "NewEvent": {
            "type": "object",
            "required": ["stream", "type", "data"],
            "additionalProperties": false,
            "properties": {
              "id": {"type": "string", "format": "uuid", "description": "Generated when left out."},
              "stream": {"type": "string", "minLength": 1},
              "type": {"$ref": "#/components/schemas/EventType"},
              "data": {"type": "object", "description": "Checked against the type's schema."},
              "metadata": {"$ref": "#/components/schemas/EventMetadata"}
            }
          },
          "SingleAppend": {
            "type": "object",
            "required": ["stream", "type", "data"],
            "additionalProperties": false,
            "properties": {
              "id": {"type": "string", "format": "uuid"},
              "stream": {"type": "string", "minLength": 1},
              "type": {"$ref": "#/components/schemas/EventType"},
              "data": {"type": "object", "description": "Checked against the type's schema."},
              "metadata": {"$ref": "#/components/schemas/EventMetadata"},
              "expected_version": {"$ref": "#/components/schemas/ExpectedVersion"}
            },
            "example": {"stream": "build-42", "type": "ImageBuilt", "data": {"image": "ghcr.io/wordpress/openverse-api", "tag": "3f9c2e1"}}
          },
          "BatchAppend": {
            "type": "object",
            "required": ["events"],
            "additionalProperties": false,
            "properties": {
              "events": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"$ref": "#/components/schemas/NewEvent"}},
              "expected_version": {"$ref": "#/components/schemas/ExpectedVersion"}
            }
          },
          "AppendRequest": {
            "oneOf": [{"$ref": "#/components/schemas/SingleAppend"}, {"$ref": "#/components/schemas/BatchAppend"}]
          },
          "Appended": {
            "type": "object", "required": ["events", "deduplicated"], "additionalProperties": false,
            "properties": {
              "events": {
                "type": "array",
                "items": {
                  "type": "object", "required": ["position", "id", "stream", "version"], "additionalProperties": false,
                  "properties": {
                    "position": {"type": "integer", "format": "int64"},
                    "id": {"type": "string", "format": "uuid"},
                    "stream": {"type": "string"},
                    "version": {"type": "integer", "format": "int64"}
                  }
                }
              },
              "deduplicated": {"type": "boolean", "description": "True when this is a retry of an append already recorded under the Idempotency-Key."}
            }
          },
          "AuditEntry": {
            "type": "object",
            "required": ["position", "recorded_at", "action", "outcome"],
            "additionalProperties": false,
            "properties": {
              "position": {"type": "integer", "format": "int64"},
              "recorded_at": {"$ref": "#/components/schemas/Timestamp"},
              "actor": {"type": "string"},
              "via": {"type": "string"},
              "action": {"type": "string"},
              "app": {"type": "string"},
              "environment": {"type": "string"},
              "target": {"type": "string"},
              "outcome": {"$ref": "#/components/schemas/AuditOutcome"},
              "detail": {"type": "string"}
            }
          },
          "AuditPage": {
            "type": "object", "required": ["entries", "next_cursor"], "additionalProperties": false,
            "properties": {
              "entries": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntry"}},
              "next_cursor": {"type": "string", "nullable": true}
            }
          },
          "ServiceDrift": {
            "type": "object",
            "required": ["app", "environment", "cluster", "service", "status", "differences", "service_missing"],
            "additionalProperties": false,
            "properties": {
              "app": {"type": "string"},
              "environment": {"type": "string"},
              "cluster": {"type": "string"},
              "service": {"type": "string"},
              "status": {"type": "string", "enum": ["in_sync", "drifted", "untracked", "deploying", "error"]},
              "desired": {"type": "string"},
              "actual": {"type": "string"},
              "differences": {"type": "array", "items": {"type": "string"}},
              "desired_task_definition": {"type": "string"},
              "desired_tag": {"type": "string"},
              "desired_images": {"type": "object", "additionalProperties": {"type": "string"}},
              "service_missing": {"type": "boolean"},
              "error": {"type": "string", "description": "Why the service could not be checked (status error)."}
            }
          },
          "LastPass": {
            "type": "object",
            "required": ["checked_at", "services_checked", "drifting", "corrected", "describe_services_calls", "minimum_describe_services_calls", "describe_task_definition_calls"],
            "additionalProperties": false,
            "properties": {
              "checked_at": {"$ref": "#/components/schemas/Timestamp"},
              "services_checked": {"type": "integer"},
              "drifting": {"type": "integer"},
              "corrected": {"type": "integer"},
              "describe_services_calls": {"type": "integer"},
              "minimum_describe_services_calls": {"type": "integer"},
              "describe_task_definition_calls": {"type": "integer"}
            }
          },
          "DriftReport": {
            "type": "object", "required": ["checked_at", "services", "drifting"], "additionalProperties": false,
            "properties": {
              "checked_at": {"$ref": "#/components/schemas/Timestamp"},
              "services": {"type": "array", "items": {"$ref": "#/components/schemas/ServiceDrift"}},
              "drifting": {"type": "integer"},
              "last_pass": {"$ref": "#/components/schemas/LastPass"}
            }
          },
          "DriftPass": {
            "type": "object",
            "required": ["checked_at", "services", "describe_services_calls", "minimum_describe_services_calls", "describe_task_definition_calls"],
            "additionalProperties": false,
            "properties": {
              "checked_at": {"$ref": "#/components/schemas/Timestamp"},
              "services": {"type": "array", "items": {"$ref": "#/components/schemas/ServiceDrift"}},
              "describe_services_calls": {"type": "integer"},
              "minimum_describe_services_calls": {"type": "integer"},
              "describe_task_definition_calls": {"type": "integer"}
            }
          },
          "ReconcileRequest": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "app": {"$ref": "#/components/schemas/Name"},
              "environment": {"$ref": "#/components/schemas/Name"},
              "dry_run": {"type": "boolean", "default": false},
              "on_behalf_of": {"$ref": "#/components/schemas/Name"}
            },
            "example": {"dry_run": true}
          },
          "ReconcileResult": {
            "type": "object", "required": ["drift", "corrections", "plan", "still_drifting"], "additionalProperties": false,
            "properties": {
              "drift": {"$ref": "#/components/schemas/DriftPass"},
              "corrections": {
                "type": "array",
                "items": {
                  "type": "object", "required": ["app", "environment", "deployment_id", "outcome"], "additionalProperties": false,
                  "properties": {
                    "app": {"type": "string"},
                    "environment": {"type": "string"},
                    "deployment_id": {"type": "string"},
                    "outcome": {"$ref": "#/components/schemas/DeploymentOutcome"}
                  }
                }
              },
              "plan": {"type": "array", "items": {"type": "string"}, "description": "For a dry run: what a correcting pass would do."},
              "still_drifting": {"type": "integer"}
            }
          },
          "VerifyReport": {
            "type": "object", "required": ["ok", "events"], "additionalProperties": false,
            "properties": {
              "ok": {"type": "boolean"},
              "events": {"type": "integer", "format": "int64"},
              "head_hash": {"type": "string"},
              "first_bad_position": {"type": "integer", "format": "int64"},
              "reason": {"type": "string"}
            }
          },
          "InclusionProof": {
            "type": "object",
            "required": ["position", "leaf_index", "tree_size", "event_hash", "leaf_hash", "root", "path"],
            "additionalProperties": false,
            "properties": {
              "position": {"type": "integer", "format": "int64"},
              "leaf_index": {"type": "integer", "format": "int64", "description": "position - 1."},
              "tree_size": {"type": "integer", "format": "int64"},
              "event_hash": {"$ref": "#/components/schemas/Hash"},
              "leaf_hash": {"$ref": "#/components/schemas/Hash"},
              "root": {"$ref": "#/components/schemas/Hash"},
              "path": {"type": "array", "items": {"$ref": "#/components/schemas/Hash"}}
            }
          },
          "ConsistencyProof": {
            "type": "object",
            "required": ["old_size", "new_size", "old_root", "new_root", "path"],
            "additionalProperties": false,
            "properties": {
              "old_size": {"type": "integer", "format": "int64"},
              "new_size": {"type": "integer", "format": "int64"},
              "old_root": {"$ref": "#/components/schemas/Hash"},
              "new_root": {"$ref": "#/components/schemas/Hash"},
              "path": {"type": "array", "items": {"$ref": "#/components/schemas/Hash"}}
            }
          },
          "Hash": {"type": "string", "description": "SHA-256, lower-case hex.", "pattern": "^[0-9a-f]{64}$"},
          "Report": {
            "type": "object",
            "description": "An export, JSON schema shiplog.report/1 (see the README's \"What an export holds\").",
            "required": ["schema", "generated_at", "period", "checkpoint", "deployments", "dora", "dora_by_week", "evidence"],
            "additionalProperties": false,
            "properties": {
              "schema": {"type": "string", "enum": ["shiplog.report/1"]},
              "generated_at": {"$ref": "#/components/schemas/Timestamp"},
              "period": {
                "type": "object",
                "required": ["start", "end", "days"],
                "additionalProperties": false,
                "properties": {
                  "since": {"type": "string"},
                  "until": {"type": "string"},
                  "app": {"type": "string"},
                  "environment": {"type": "string"},
                  "start": {"type": "string"},
                  "end": {"type": "string"},
                  "days": {"type": "number"}
                }
              },
              "checkpoint": {
                "type": "object",
                "required": ["origin", "tree_size", "root_hash", "note", "signed"],
                "additionalProperties": false,
                "properties": {
                  "origin": {"type": "string"},
                  "tree_size": {"type": "integer", "format": "int64"},
                  "root_hash": {"type": "string"},
                  "note": {"type": "string"},
                  "signed": {"type": "boolean"}
                }
              },
              "deployments": {"type": "array", "items": {"$ref": "#/components/schemas/ReportDeployment"}},
              "dora": {"type": "array", "items": {"$ref": "#/components/schemas/DORAMeasures"}},
              "dora_by_week": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": ["week_start", "deployments", "change_failures"],
                  "additionalProperties": false,
                  "properties": {
                    "week_start": {"type": "string"},
                    "deployments": {"type": "integer"},
                    "change_failures": {"type": "integer"},
                    "change_failure_rate": {"type": "number"},
                    "lead_time_median_seconds": {"type": "integer", "format": "int64"}
                  }
                }
              },
              "evidence": {
                "type": "object",
                "required": ["first_position", "prefix", "events"],
                "additionalProperties": false,
                "properties": {
                  "first_position": {"type": "integer", "format": "int64"},
                  "prefix": {"type": "array", "items": {"$ref": "#/components/schemas/Hash"}},
                  "events": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": ["position", "id", "stream", "version", "type", "data", "metadata", "recorded_at", "prev_hash", "hash"],
                      "additionalProperties": false,
                      "properties": {
                        "position": {"type": "integer", "format": "int64"},
                        "id": {"type": "string"},
                        "stream": {"type": "string"},
                        "version": {"type": "integer", "format": "int64"},
                        "type": {"type": "string"},
                        "data": {"type": "string", "description": "The exact JSON text the hash covers."},
                        "metadata": {"type": "string", "description": "The exact JSON text the hash covers."},
                        "recorded_at": {"$ref": "#/components/schemas/Timestamp"},
                        "prev_hash": {"$ref": "#/components/schemas/Hash"},
                        "hash": {"$ref": "#/components/schemas/Hash"}
                      }
                    }
                  },
                  "consistency": {
                    "type": "object",
                    "required": ["old_size", "proof"],
                    "additionalProperties": false,
                    "properties": {
                      "old_size": {"type": "integer", "format": "int64"},
                      "proof": {"type": "array", "items": {"$ref": "#/components/schemas/Hash"}}
                    }
                  }
                }
              }
            }
          },
          "ReportDeployment": {
            "type": "object",
            "required": ["id", "app", "environment", "tag", "trigger", "started_at", "over_fifteen_minutes", "outcome", "position"],
            "additionalProperties": false,
            "properties": {
              "id": {"type": "string"},
              "app": {"type": "string"},
              "environment": {"type": "string"},
              "tag": {"type": "string"},
              "trigger": {"type": "string"},
              "actor": {"type": "string"},
              "via": {"type": "string"},
              "started_at": {"$ref": "#/components/schemas/Timestamp"},
              "ended_at": {"$ref": "#/components/schemas/Timestamp"},
              "duration_ms": {"type": "integer", "format": "int64"},
              "over_fifteen_minutes": {"type": "boolean"},
              "outcome": {"$ref": "#/components/schemas/DeploymentOutcome"},
              "failure_stage": {"type": "string"},
              "failure_reason": {"type": "string"},
              "rolled_back_to": {"type": "string"},
              "source": {"type": "string"},
              "commit": {"type": "string"},
              "committed_at": {"type": "string"},
              "position": {"type": "integer", "format": "int64"}
            }
          },
          "DORAMeasures": {
            "type": "object",
            "required": ["app", "environment", "deployments", "deployments_per_day", "lead_time_samples", "finished", "change_failures", "restores"],
            "additionalProperties": false,
            "properties": {
              "app": {"type": "string"},
              "environment": {"type": "string"},
              "deployments": {"type": "integer"},
              "deployments_per_day": {"type": "number"},
              "lead_time_samples": {"type": "integer"},
              "lead_time_median_seconds": {"type": "integer", "format": "int64"},
              "finished": {"type": "integer"},
              "change_failures": {"type": "integer"},
              "change_failure_rate": {"type": "number"},
              "restores": {"type": "integer"},
              "time_to_restore_median_seconds": {"type": "integer", "format": "int64"}
            }
          },
          "Pong": {
            "type": "object", "required": ["pong"], "additionalProperties": false,
            "properties": {"pong": {"type": "boolean", "enum": [true]}}
          },
          "DeliveryIgnored": {
            "type": "object", "required": ["ignored"], "additionalProperties": false,
            "properties": {"ignored": {"type": "string", "description": "The X-GitHub-Event that was dropped."}}
          },
          "DeliveryRecorded": {
            "type": "object", "required": ["events", "deduplicated"], "additionalProperties": false,
            "properties": {
              "events": {
                "type": "array",
                "items": {
                  "type": "object", "required": ["position", "id", "stream", "version", "type"], "additionalProperties": false,
                  "properties": {
                    "position": {"type": "integer", "format": "int64"},
                    "id": {"type": "string", "format": "uuid"},
                    "stream": {"type": "string"},
                    "version": {"type": "integer", "format": "int64"},
                    "type": {"type": "string"}
                  }
                }
              },
              "deduplicated": {"type": "boolean"}
            }
          }
        }
      }
    }
    """#
}
