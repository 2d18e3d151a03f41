// http/openapi.h: the OpenAPI 3 document of the API (docs/openapi.json), embedded at build
// time. Immutable; thread-safe.
#pragma once

namespace slipway::http {

// The text of docs/openapi.json as it was when this binary was configured.
const char* EmbeddedOpenApi();

}  // namespace slipway::http
