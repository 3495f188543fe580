// Structure-aware mutations of bundle index entries: protobuf field edits
// of BundleEntryProto / BundleHeaderProto with boundary values.
#pragma once

#include <cstdint>

#include "ckpt/proto/tensor_bundle.pb.h"
#include "engine/mutator.h"

namespace ckpt::fuzz {

// A boundary value, a value near `hint`, a small or negative one, or any.
int64_t InterestingInt64(Rng& rng, int64_t hint);

// One edit of a slice: an extent's start or length (near `hint`, or a
// boundary value), a full extent, an extent added or removed.
void MutateSliceProto(proto::TensorSliceProto* s, Rng& rng, int64_t hint);

// One edit of a shape: a dimension added, removed or changed to a boundary
// value, a huge element count (2^60, or a product overflowing int64), rank
// 254/255, unknown rank, a named dimension.
void MutateShapeProto(proto::TensorShapeProto* shape, Rng& rng);

// One edit of an entry: dtype, shape, shard, offset/size near `size_hint`,
// crc, slices.
void MutateEntryProto(proto::BundleEntryProto* e, Rng& rng, int64_t size_hint);

// One edit of the header: shard count, endianness, version.
void MutateHeaderProto(proto::BundleHeaderProto* h, Rng& rng);

}  // namespace ckpt::fuzz
