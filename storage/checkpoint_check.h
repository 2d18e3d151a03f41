// storage/checkpoint_check.h: the shape checks every store makes on a Checkpoint before it
// writes anything (ids, versions, events of the instance, a serial key for an enqueue). What
// needs the database (stored version, history seq, leases) each store checks in its writer.
#pragma once

#include "storage/store.h"

namespace slipway::storage {

// kInvalidArgument naming the field, or Ok.
Status CheckCheckpointShape(const Checkpoint& cp);

}  // namespace slipway::storage
