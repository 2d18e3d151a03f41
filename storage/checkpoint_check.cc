// storage/checkpoint_check.cc: see checkpoint_check.h.
#include "storage/checkpoint_check.h"

namespace slipway::storage {

Status CheckCheckpointShape(const Checkpoint& cp) {
  if (cp.instance.id.empty()) return InvalidArgument("instance.id", "must not be empty");
  if (cp.expected_version < 0) {
    return InvalidArgument("expected_version", "must not be negative");
  }
  if (cp.instance.version != cp.expected_version + 1) {
    return InvalidArgument("instance.version", "must equal expected_version + 1");
  }
  for (const HistoryEvent& e : cp.events) {
    if (!e.workflow_id.empty() && e.workflow_id != cp.instance.id) {
      return InvalidArgument("events.workflow_id", "events must belong to the instance");
    }
  }
  if (cp.serial == Checkpoint::Serial::kEnqueue && cp.instance.serial_key.empty()) {
    return InvalidArgument("instance.serial_key", "enqueue needs a serial key");
  }
  return Status::Ok();
}

}  // namespace slipway::storage
