// Conversions between BundleEntryProto (and its sub-messages) and our types,
// with every field read from disk validated.
#pragma once

#include <string>
#include <string_view>

#include "ckpt/bundle.h"
#include "ckpt/proto/tensor_bundle.pb.h"

namespace ckpt::format {

void ShapeToProto(const TensorShape& shape, proto::TensorShapeProto* out);
// For shapes this process built itself.
TensorShape ShapeFromProtoUnchecked(const proto::TensorShapeProto& p);
// For shapes read from disk: rank, sizes and element count checked.
Result<TensorShape> ShapeFromProto(const proto::TensorShapeProto& p);

// TF writes an empty Extent for a full dimension, {start, length} otherwise.
void SliceToProto(const TensorSlice& slice, proto::TensorSliceProto* out);
Result<TensorSlice> SliceFromProto(const proto::TensorSliceProto& p);

// Parses and validates an entry: known storable dtype, valid shape, non-
// negative shard/offset/size, size consistent with dtype and shape, slices
// that fit the shape. DataLoss describing the problem otherwise.
Result<TensorInfo> ParseEntry(std::string key, std::string_view value, int32_t num_shards);

// A key fit for an error message: slice keys are shown decoded
// ("name [slice 0,5:-]"), other non-printable bytes escaped.
std::string PrintableKey(std::string_view key);

}  // namespace ckpt::format
