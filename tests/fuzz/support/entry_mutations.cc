// Protobuf field mutations of index entries (support/entry_mutations.h).
#include "support/entry_mutations.h"

#include <algorithm>
#include <climits>
#include <iterator>

namespace ckpt::fuzz {
namespace {

// a + b with two's complement wrap-around (no signed overflow in the driver).
int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

}  // namespace

int64_t InterestingInt64(Rng& rng, int64_t hint) {
  switch (Below(rng, 5)) {
    case 0: return static_cast<int64_t>(Interesting(rng));
    case 1: return WrapAdd(hint, static_cast<int64_t>(Below(rng, 5)) - 2);
    case 2: return static_cast<int64_t>(Below(rng, 16));
    case 3: return -static_cast<int64_t>(Below(rng, 3)) - 1;
    default: return static_cast<int64_t>(rng());
  }
}

void MutateSliceProto(proto::TensorSliceProto* s, Rng& rng, int64_t hint) {
  if (s->extent_size() == 0 || Below(rng, 4) == 0) {
    auto* e = s->add_extent();
    if (rng() & 1) {
      e->set_start(InterestingInt64(rng, hint));
      e->set_length(InterestingInt64(rng, hint));
    }
    return;
  }
  auto* e = s->mutable_extent(static_cast<int>(Below(rng, s->extent_size())));
  switch (Below(rng, 5)) {
    case 0: e->set_start(InterestingInt64(rng, hint)); break;
    case 1: e->set_length(InterestingInt64(rng, hint)); break;
    case 2: e->clear_has_length(); break;
    case 3: s->mutable_extent()->RemoveLast(); break;
    default: e->set_start(WrapAdd(e->start(), 1)); break;
  }
}

void MutateShapeProto(proto::TensorShapeProto* shape, Rng& rng) {
  switch (Below(rng, 6)) {
    case 0: shape->add_dim()->set_size(InterestingInt64(rng, 2)); break;
    case 1:
      if (shape->dim_size()) {
        shape->mutable_dim(static_cast<int>(Below(rng, shape->dim_size())))->set_size(InterestingInt64(rng, 3));
      }
      break;
    case 2:
      if (shape->dim_size()) shape->mutable_dim()->RemoveLast();
      else shape->set_unknown_rank(true);
      break;
    case 3: {  // a huge element count: 2^60, or a product that overflows int64
      shape->clear_dim();
      const int k = rng() & 1 ? 2 : 3;
      for (int i = 0; i < k; ++i) shape->add_dim()->set_size(int64_t{1} << (rng() & 1 ? 30 : 20));
      break;
    }
    case 4: {
      const int k = rng() & 1 ? 255 : 254;
      shape->clear_dim();
      for (int i = 0; i < k; ++i) shape->add_dim()->set_size(1);
      break;
    }
    default: shape->add_dim()->set_name("n"); break;
  }
}

void MutateEntryProto(proto::BundleEntryProto* e, Rng& rng, int64_t size_hint) {
  switch (Below(rng, 14)) {
    case 0: {
      static const int dt[] = {0, 1, 2, 3, 4, 7, 9, 10, 14, 18, 19, 20, 21, 23, 29, 30, 31, 32, 33, 100, 101, -1};
      e->set_dtype(dt[Below(rng, std::size(dt))]);
      break;
    }
    case 1:
      e->mutable_shape()->add_dim()->set_size(InterestingInt64(rng, 2));
      break;
    case 2:
      if (e->shape().dim_size()) {
        e->mutable_shape()
            ->mutable_dim(static_cast<int>(Below(rng, e->shape().dim_size())))
            ->set_size(InterestingInt64(rng, 3));
      }
      break;
    case 3:
      if (e->shape().dim_size()) e->mutable_shape()->mutable_dim()->RemoveLast();
      else e->mutable_shape()->set_unknown_rank(true);
      break;
    case 4: {
      const int k = rng() & 1 ? 255 : 254;
      e->mutable_shape()->clear_dim();
      for (int i = 0; i < k; ++i) e->mutable_shape()->add_dim()->set_size(1);
      break;
    }
    case 5: e->set_shard_id(static_cast<int32_t>(InterestingInt64(rng, 1))); break;
    case 6: e->set_offset(InterestingInt64(rng, size_hint)); break;
    case 7: e->set_size(InterestingInt64(rng, size_hint)); break;
    case 8: e->set_crc32c(static_cast<uint32_t>(rng())); break;
    case 9:
      if (e->slices_size()) MutateSliceProto(e->mutable_slices(static_cast<int>(Below(rng, e->slices_size()))), rng, 2);
      else MutateSliceProto(e->add_slices(), rng, 2);
      break;
    case 10: {  // a slice list that is a copy of an existing one, or cleared
      if (e->slices_size() && (rng() & 1)) *e->add_slices() = e->slices(static_cast<int>(Below(rng, e->slices_size())));
      else e->clear_slices();
      break;
    }
    case 11: {  // a valid-looking slice covering rows [a, b) of dim 0
      if (e->shape().dim_size()) {
        auto* s = e->add_slices();
        const int64_t d0 = e->shape().dim(0).size();
        const int64_t a = d0 > 0 ? static_cast<int64_t>(Below(rng, static_cast<size_t>(std::min<int64_t>(d0, 64)))) : 0;
        auto* x = s->add_extent();
        x->set_start(a);
        x->set_length(std::max<int64_t>(0, d0 - a));
        for (int i = 1; i < e->shape().dim_size(); ++i) s->add_extent();
      }
      break;
    }
    case 12: e->mutable_shape()->add_dim()->set_name("n"); break;
    default: e->set_size(WrapAdd(e->size(), static_cast<int64_t>(Below(rng, 3)) - 1)); break;
  }
}

void MutateHeaderProto(proto::BundleHeaderProto* h, Rng& rng) {
  switch (Below(rng, 6)) {
    case 0: {
      static const int32_t ns[] = {0, -1, 1, 2, 3, 1 << 20, (1 << 20) + 1, 0x7fffffff, INT32_MIN};
      h->set_num_shards(ns[Below(rng, std::size(ns))]);
      break;
    }
    case 1: h->set_endianness(proto::BundleHeaderProto::BIG); break;
    case 2: h->mutable_version()->set_producer(static_cast<int32_t>(InterestingInt64(rng, 1))); break;
    case 3: h->mutable_version()->set_min_consumer(static_cast<int32_t>(InterestingInt64(rng, 1))); break;
    case 4: h->mutable_version()->add_bad_consumers(static_cast<int32_t>(Below(rng, 3))); break;
    default: h->clear_version(); break;
  }
}

}  // namespace ckpt::fuzz
