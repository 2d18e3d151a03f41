// storage/list_cursor.h: the opaque List cursor shared by the stores ("<created_at_ms>:<id>",
// the last instance of a page; pages are ordered by (created_at_ms, id) descending), and the
// clamp of a page's size.
#pragma once

#include <string>

#include "engine/base/status.h"
#include "storage/store.h"

namespace slipway::storage {

struct ListCursor {
  TimeMs created_at_ms = 0;
  std::string id;
};

std::string EncodeListCursor(const Instance& last);
// kInvalidArgument (field "cursor") when malformed.
Result<ListCursor> DecodeListCursor(const std::string& text);
// The query's limit, clamped to 1..500.
int ClampListLimit(int limit);

}  // namespace slipway::storage
